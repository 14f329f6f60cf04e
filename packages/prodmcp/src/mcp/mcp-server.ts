/**
 * The MCP server: one McpServer per connection, built by the factory the SDK's serveStdio entry
 * calls once it knows the protocol era from the host's first message (`initialize` for the 2025
 * revisions, the per-request envelope or `server/discover` for 2026-07-28). The same factory
 * serves both eras; the SDK negotiates the version.
 */
import { McpServer, type McpServerFactory, type ServerContext, type StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { isCancellation } from '../http/api-error.js';
import type { Runtime } from '../runtime.js';
import { INSTRUCTIONS, type ToolSpec } from '../tools/catalogue.js';
import { argumentValidator, checkValue } from '../tools/json-schema.js';
import { runTool, type ToolContext } from '../tools/run.js';
import { APP_NAME, COMMAND_NAME, VERSION } from '../version.js';
import type { Notices } from './notices.js';
import { errorResult, successResult } from './tool-results.js';

/**
 * A tool's arguments as a Standard Schema: the JSON Schema hosts see in tools/list, and a check
 * that first accepts the alternative spellings the tool allows, then the schema itself.
 */
export function toolInputSchema(spec: ToolSpec): StandardSchemaWithJSON<Record<string, unknown>> {
  const json = spec.inputSchema as Record<string, unknown>;
  return {
    '~standard': {
      version: 1,
      vendor: COMMAND_NAME,
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
  return (done, message) =>
    ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: done, message } }).catch(() => undefined);
}

/** What the factory needs. */
export interface ServerDeps {
  runtime: Runtime;
  tools: () => Promise<ToolSpec[]>;
  notices: Notices;
  /** Called with the era of each connection the factory serves. */
  onConnection?: (era: string) => void;
}

/** The factory serveStdio calls, once per connection (and once more for a discarded discover probe). */
export function serverFactory(deps: ServerDeps): McpServerFactory {
  return async (ctx) => {
    const tools = await deps.tools();
    const server = new McpServer(
      { name: COMMAND_NAME, title: `${APP_NAME} (MCP)`, version: VERSION },
      {
        // Resources and prompts: none, but hosts that probe them get empty lists, as from the reference client.
        capabilities: { tools: { listChanged: false }, resources: { listChanged: false }, prompts: { listChanged: false }, logging: {} },
        instructions: INSTRUCTIONS,
        jsonSchemaValidator: argumentValidator,
      },
    );
    for (const spec of tools) {
      server.registerTool(
        spec.name,
        { title: spec.title, description: spec.description, inputSchema: toolInputSchema(spec), annotations: spec.annotations },
        async (args: Record<string, unknown>, call: ServerContext) => {
          deps.notices.deliverWith(call);
          const context: ToolContext = { api: deps.runtime.api, telemetry: deps.runtime.telemetry, signal: call.mcpReq.signal, progress: progressReporter(call) };
          try {
            return successResult(await runTool(spec, args, context));
          } catch (err) {
            // A cancelled call gets no answer (the SDK drops it); everything else is an isError result.
            if (isCancellation(err)) throw err;
            deps.runtime.telemetry.track('mcp.tool_error', { tool: spec.name, http_status: (err as { status?: number }).status ?? 0 });
            return errorResult(err);
          }
        },
      );
    }
    server.server.oninitialized = () => deps.notices.connectionInitialized(server);
    deps.onConnection?.(ctx.era);
    return server;
  };
}
