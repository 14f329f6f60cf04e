/**
 * Things the user should know (no token, a newer prodmcp): written to stderr at once, which hosts
 * keep in their MCP logs, and sent to the host as a log notification (`notifications/message`)
 * when the connection allows it: after `initialized` on a 2025-era connection, or with the next
 * tool call on any connection.
 */
import type { LoggingLevel, McpServer, ServerContext } from '@modelcontextprotocol/server';
import { COMMAND_NAME } from '../version.js';

interface Notice {
  level: LoggingLevel;
  message: string;
  delivered: boolean;
}

/** The notices of one prodmcp process. */
export class Notices {
  private readonly items: Notice[] = [];
  private initialized?: McpServer;

  constructor(private readonly stderr: (line: string) => void) {}

  /** Records a notice and writes it to stderr; delivers it at once on an initialized connection. */
  add(level: LoggingLevel, message: string): void {
    this.stderr(`${COMMAND_NAME}: ${level}: ${message}`);
    const notice = { level, message, delivered: false };
    this.items.push(notice);
    if (this.initialized) this.sendAll(this.initialized);
  }

  /** A 2025-era host finished the handshake: log notifications may flow from now on. */
  connectionInitialized(server: McpServer): void {
    this.initialized = server;
    this.sendAll(server);
  }

  /** Delivers undelivered notices alongside a request (any protocol era). */
  deliverWith(ctx: ServerContext): void {
    for (const notice of this.items) {
      if (notice.delivered) continue;
      notice.delivered = true;
      ctx.mcpReq.log(notice.level, notice.message, COMMAND_NAME).catch(() => undefined);
    }
  }

  private sendAll(server: McpServer): void {
    for (const notice of this.items) {
      if (notice.delivered) continue;
      notice.delivered = true;
      server.sendLoggingMessage({ level: notice.level, logger: COMMAND_NAME, data: notice.message }).catch(() => undefined);
    }
  }
}
