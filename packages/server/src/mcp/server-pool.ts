/**
 * Idle McpServers for /mcp's modern requests, kept per tool list. Building one per request (every
 * tool registered, its schemas wrapped) was most of a tools/call's cost; a server holds nothing of
 * its caller (the tools take the actor from each call's authInfo), so one that has finished its
 * exchange serves the next caller with the same tools. Still stateless: a pool is only a cache,
 * any instance builds what it lacks.
 *
 * What keeps it exact:
 * - a server is handed out only while it serves nothing (the SDK's `transport` is unset), and comes
 *   back when its exchange's transport closes; one that never connects (a refused request) is
 *   simply dropped;
 * - the key is the caller's tool list itself (names, and the very ToolSpec objects), so two callers
 *   share servers only when they may use exactly the same tools;
 * - what an exchange may leave on the SDK's server (the client name and capabilities seeded from
 *   the envelope, a log level) is cleared on return, so no caller sees the one before;
 * - a call still running when its exchange closes was aborted by then (the SDK aborts every
 *   handler of a closing server), and the tools send nothing after their call is aborted.
 * Legacy (2025) requests are not pooled: that era keeps per-session state on the server
 * (logging/setLevel) that must not outlive its request.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { ToolSpec } from '@prodboard/tools';

interface Entry {
  tools: ToolSpec[];
  idle: McpServer[];
}

/** The parts of the SDK's Server an exchange may leave behind (no public reset): the envelope's client identity, a logging/setLevel. */
interface ExchangeState {
  _clientCapabilities?: unknown;
  _clientVersion?: unknown;
  _loggingLevels?: Map<unknown, unknown>;
}

/** Bounds: distinct tool lists kept (least recently used go first), idle servers per list. */
export interface PoolLimits {
  lists: number;
  idlePerList: number;
}

const sameTools = (a: ToolSpec[], b: ToolSpec[]) => a.length === b.length && a.every((spec, i) => spec === b[i]);

export class ToolServerPool {
  readonly #entries = new Map<string, Entry>();
  readonly #build: (tools: ToolSpec[]) => McpServer;
  readonly #limits: PoolLimits;
  /** Servers built so far (for tests and the bench: reuse shows as few builds). */
  built = 0;

  constructor(build: (tools: ToolSpec[]) => McpServer, limits: PoolLimits = { lists: 32, idlePerList: 16 }) {
    this.#build = build;
    this.#limits = limits;
  }

  /** A server that serves nothing now and registers exactly `tools`. */
  take(tools: ToolSpec[]): McpServer {
    const key = tools.map((spec) => spec.name).join('\n');
    let entry = this.#entries.get(key);
    if (entry && !sameTools(entry.tools, tools)) entry = undefined;
    if (entry) this.#entries.delete(key); // re-inserted below: the most recently used list is last
    else entry = { tools, idle: [] };
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#limits.lists) this.#entries.delete(this.#entries.keys().next().value!);
    for (let server = entry.idle.pop(); server; server = entry.idle.pop()) {
      if (server.server.transport === undefined) return server;
    }
    return this.#arm(this.#build(tools), key, entry);
  }

  /** Returns `server` to its list's idle servers whenever an exchange on it closes. */
  #arm(server: McpServer, key: string, entry: Entry): McpServer {
    this.built++;
    server.server.onclose = () => {
      const state = server.server as unknown as ExchangeState;
      state._clientCapabilities = undefined;
      state._clientVersion = undefined;
      state._loggingLevels?.clear();
      // A list evicted or replaced meanwhile takes nothing back.
      if (this.#entries.get(key) === entry && entry.idle.length < this.#limits.idlePerList) entry.idle.push(server);
    };
    return server;
  }
}
