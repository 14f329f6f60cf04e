/**
 * An McpServer serving the tools: one per stdio connection in prodmcp, one per HTTP request on
 * the server (/mcp is stateless). Both build it here, so the two transports answer alike.
 */
import { McpServer, type ServerContext, type StandardSchemaWithJSON, type ToolAnnotations } from '@modelcontextprotocol/server';
import { isCancellation } from './backend.js';
import { INSTRUCTIONS, type ToolSpec } from './catalogue.js';
import { argumentValidator, checkValue } from './json-schema.js';
import { errorResult, successResult } from './results.js';
import { runTool, type ToolContext } from './run.js';

/**
 * A tool's arguments as a Standard Schema: the JSON Schema hosts see in tools/list, and a check
 * that first accepts the alternative spellings the tool allows, then the schema itself.
 */
export function toolInputSchema(spec: ToolSpec, vendor: string): StandardSchemaWithJSON<Record<string, unknown>> {
  const json = spec.inputSchema as Record<string, unknown>;
  return {
    '~standard': {
      version: 1,
      vendor,
      jsonSchema: { input: () => json, output: () => json },
      validate: (input: unknown) => {
        const args = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
        if (!args) return { issues: [{ message: 'the arguments must be a JSON object' }] };
        const prepared = spec.prepare ? spec.prepare(args) : { value: args };
        if ('issues' in prepared) return { issues: prepared.issues.map((message) => ({ message })) };
        const problems = checkValue(spec.inputSchema, prepared.value, 'arguments', true);
        return problems.length > 0 ? { issues: problems.map((message) => ({ message })) } : { value: prepared.value };
      },
    },
  };
}

function progressReporter(ctx: ServerContext): ToolContext['progress'] {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return undefined;
  // Nothing after the call is cancelled or its exchange has closed: on /mcp the server may by then
  // serve another caller's request, which must not receive this call's progress.
  return (done, message) =>
    ctx.mcpReq.signal.aborted
      ? Promise.resolve()
      : ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, message } }).catch(() => undefined);
}

/** What a tool server is built from. */
export interface ToolServerOptions {
  /** The server's name, title and version, as initialize reports them. */
  info: { name: string; title: string; version: string };
  /** The tools this caller may use (see toolsFor). */
  tools: ToolSpec[];
  /** The tool context of one call, minus what comes from the call itself. */
  context: (call: ServerContext) => Omit<ToolContext, 'signal' | 'progress'>;
  /** Called before each tool runs (prodmcp delivers its notices with it). */
  onCall?: (call: ServerContext) => void;
  /** Called with each failed call, before it becomes an isError result. */
  onError?: (spec: ToolSpec, err: unknown) => void;
}

/** A fresh McpServer with every tool registered. */
export function createToolServer(options: ToolServerOptions): McpServer {
  const { info } = options;
  const server = new McpServer(info, {
    // Resources and prompts: none, but hosts that probe them get empty lists, as from the reference client.
    capabilities: { tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false }, logging: {} },
    instructions: INSTRUCTIONS,
    jsonSchemaValidator: argumentValidator,
  });
  for (const spec of options.tools) {
    server.registerTool(
      spec.name,
      { title: spec.title, description: spec.description, inputSchema: toolInputSchema(spec, info.name), annotations: spec.annotations as ToolAnnotations },
      async (args: Record<string, unknown>, call: ServerContext) => {
        options.onCall?.(call);
        const context: ToolContext = { ...options.context(call), signal: call.mcpReq.signal, progress: progressReporter(call) };
        try {
          return successResult(await runTool(spec, args, context));
        } catch (err) {
          // A cancelled call gets no answer (the SDK drops it); everything else is an isError result.
          if (isCancellation(err)) throw err;
          options.onError?.(spec, err);
          return errorResult(err, info.name);
        }
      },
    );
  }
  return server;
}
