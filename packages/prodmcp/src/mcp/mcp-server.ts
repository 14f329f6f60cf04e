/**
 * The MCP server: one McpServer per connection, built by the factory the SDK's serveStdio entry
 * calls once it knows the protocol era from the host's first message (`initialize` for the 2025
 * revisions, the per-request envelope or `server/discover` for 2026-07-28). The same factory
 * serves both eras; the SDK negotiates the version. The tools themselves are @prodboard/tools,
 * run over the HTTP backend.
 */
import type { McpServerFactory } from '@modelcontextprotocol/server';
import { createToolServer, type ToolSpec } from '@prodboard/tools';
import { httpBackend } from '../http/http-backend.js';
import type { Runtime } from '../runtime.js';
import { APP_NAME, COMMAND_NAME, VERSION } from '../version.js';
import type { Notices } from './notices.js';

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
    const backend = httpBackend(deps.runtime.api);
    const telemetry = deps.runtime.telemetry;
    const server = createToolServer({
      info: { name: COMMAND_NAME, title: `${APP_NAME} (MCP)`, version: VERSION },
      tools,
      context: () => ({ backend, track: (event, props) => telemetry.track(event, props) }),
      onCall: (call) => deps.notices.deliverWith(call),
      onError: (spec, err) => telemetry.track('mcp.tool_error', { tool: spec.name, http_status: (err as { status?: number }).status ?? 0 }),
    });
    server.server.oninitialized = () => deps.notices.connectionInitialized(server);
    deps.onConnection?.(ctx.era);
    return server;
  };
}
