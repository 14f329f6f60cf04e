/**
 * An McpServer serving the tools: one per stdio connection in prodmcp, one per HTTP request on
 * the server (/mcp is stateless). Both build it here, so the two transports answer alike.
 */
import { McpServer, type ServerContext, type StandardSchemaWithJSON, type ToolAnnotations } from '@modelcontextprotocol/server';
import { BackendError, isCancellation } from './backend.js';
import { INSTRUCTIONS, type ToolSpec } from './catalogue.js';
import { argumentValidator, checkValue } from './json-schema.js';
import { errorResult, successResult, type ToolResult } from './results.js';
import { registerResourcesAndPrompts } from './resources.js';
import { runTool, type ToolContext } from './run.js';

/**
 * A tool's arguments, accepted spellings turned into the advertised shape, then checked against the
 * schema: the value to run with, or the problems (each naming its argument).
 */
export function checkArguments(spec: ToolSpec, input: unknown): { value: Record<string, unknown> } | { issues: string[] } {
  const args = input === undefined ? {} : input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  if (!args) return { issues: ['the arguments must be a JSON object'] };
  const prepared = spec.prepare ? spec.prepare(args) : { value: args };
  if ('issues' in prepared) return prepared;
  const problems = checkValue(spec.inputSchema, prepared.value, 'arguments', true);
  return problems.length > 0 ? { issues: problems } : prepared;
}

/** The argument a problem message names (`filter.priority must be …`, `unknown argument "x"`). */
function fieldOfProblem(problem: string): string {
  return /^unknown argument "([^"]+)"/.exec(problem)?.[1] ?? /^([\w.[\]]+) /.exec(problem)?.[1] ?? 'arguments';
}

/** Bad arguments as a failed call in the one error shape: code validation_failed, a field per problem. */
export function argumentError(issues: string[]): BackendError {
  return new BackendError(400, `invalid arguments: ${issues.join('; ')}`, 'validation_failed', issues.map((message) => ({ field: fieldOfProblem(message), message })));
}

/**
 * A tool's arguments as a Standard Schema: the JSON Schema hosts see in tools/list. It accepts any
 * object: the handler checks the arguments (checkArguments), so bad arguments fail in the same
 * shape as every other failure rather than as the SDK's protocol error text.
 */
export function toolInputSchema(spec: ToolSpec, vendor: string): StandardSchemaWithJSON<Record<string, unknown>> {
  const json = spec.inputSchema as Record<string, unknown>;
  return {
    '~standard': {
      version: 1,
      vendor,
      jsonSchema: { input: () => json, output: () => json },
      validate: (input: unknown) => ({ value: (input ?? {}) as Record<string, unknown> }),
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

/**
 * One tool call as every transport runs it (the McpServer's handler below, and /mcp's direct path
 * for plain calls): the arguments checked, the tool run, its result or an isError result in the
 * one error shape. A cancellation is rethrown: a cancelled call gets no answer.
 */
export async function callTool(
  spec: ToolSpec,
  args: unknown,
  context: ToolContext,
  serverName: string,
  onError?: (spec: ToolSpec, err: unknown) => void,
): Promise<ToolResult> {
  try {
    const checked = checkArguments(spec, args);
    if ('issues' in checked) throw argumentError(checked.issues);
    return successResult(await runTool(spec, checked.value, context));
  } catch (err) {
    if (isCancellation(err)) throw err;
    onError?.(spec, err);
    return errorResult(err, serverName);
  }
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
    // Resources and prompts (resources.ts); with the reference toolset there are none, and hosts that probe get empty lists.
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
        return callTool(spec, args, context, info.name, options.onError);
      },
    );
  }
  registerResourcesAndPrompts(server, options.tools, info.name, (call) => ({ ...options.context(call), signal: call.mcpReq.signal }));
  return server;
}
