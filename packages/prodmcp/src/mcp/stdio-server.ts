/**
 * Serving MCP over this process's stdin/stdout until the host closes stdin (or sends SIGTERM).
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { LineTransport } from './line-transport.js';
import { serverFactory, type ServerDeps } from './mcp-server.js';

/** Serves the connection; resolves once it is closed. */
export function runStdioServer(deps: ServerDeps & { onFirstAnswer?: () => void; debug?: (line: string) => void }): Promise<void> {
  return new Promise((resolve) => {
    const transport = new LineTransport(process.stdin, process.stdout, { onFirstSend: deps.onFirstAnswer });
    const handle = serveStdio(serverFactory(deps), {
      transport,
      onerror: (error) => deps.debug?.(`mcp: ${error.message}`),
    });
    const stop = () => void handle.close();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    void transport.whenClosed.then(() => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    });
  });
}
