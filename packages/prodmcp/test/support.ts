/**
 * Test support for prodmcp: the built file spawned as a host spawns it (raw JSON-RPC lines, or the
 * SDK's own client over StdioClientTransport), its CLI verbs, fresh home directories, and small
 * real HTTP servers that misbehave on purpose (slow, HTML, redirects, rate limits).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/** The built single file under test. */
export const PRODMCP = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'prodmcp.mjs');
const ANSWER_TIMEOUT_MS = 20_000;

assert.ok(existsSync(PRODMCP), `${PRODMCP} is missing: run npm run build first`);

/** A fresh, empty home directory. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'prodmcp-home-'));
}

/**
 * The environment of one prodmcp process: a fresh HOME, the given server, no update check, and the
 * reference client's toolset (most tests hold its shapes; pass PRODMCP_TOOLSETS: undefined for the default set).
 */
export function prodmcpEnv(home: string, baseUrl: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('PRODMCP_') && key !== 'DO_NOT_TRACK') env[key] = value;
  }
  Object.assign(env, { HOME: home, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', PRODMCP_BASE_URL: baseUrl, PRODMCP_NO_AUTOUPDATE: '1', PRODMCP_TOOLSETS: 'reference' });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A CLI run's outcome. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `prodmcp <args>` (stdin: `input`, then closed) and collects its output. */
export function runCli(args: string[], env: Record<string, string>, options: { input?: string; file?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.file ?? PRODMCP, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prodmcp ${args.join(' ')} did not finish in time; stdout: ${stdout} stderr: ${stderr}`));
    }, options.timeoutMs ?? ANSWER_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A JSON-RPC 2.0 message. */
export interface RpcMessage {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: any;
  result?: any;
  error?: { code: number; message: string; data?: unknown };
}

/** prodmcp as a host sees it on the wire: newline-delimited JSON-RPC over stdin/stdout. */
export class RawHost {
  private nextId = 1;
  private readonly pending = new Map<number | string, { resolve: (m: RpcMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private buffer = '';
  private stderrText = '';
  /** Messages without a pending id: notifications, and answers to lines that had no id. */
  readonly unsolicited: RpcMessage[] = [];
  private readonly unsolicitedWaiters = new Set<(m: RpcMessage) => void>();
  /** stdout lines that are not JSON (the stdio transport allows none). */
  readonly garbage: string[] = [];
  readonly exited: Promise<number | null>;
  readonly child: ChildProcessWithoutNullStreams;

  constructor(env: Record<string, string>, file = PRODMCP) {
    this.child = spawn(process.execPath, [file], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new Error(`prodmcp exited (${code}) before answering ${id}; stderr: ${this.stderr()}`));
        }
        this.pending.clear();
        resolve(code);
      });
    });
  }

  stderr(): string {
    return this.stderrText.slice(-3000);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      let message: RpcMessage;
      try {
        message = JSON.parse(line) as RpcMessage;
      } catch {
        this.garbage.push(line);
        continue;
      }
      const waiting = message.id !== undefined && message.id !== null && message.method === undefined ? this.pending.get(message.id) : undefined;
      if (waiting) {
        this.pending.delete(message.id!);
        clearTimeout(waiting.timer);
        waiting.resolve(message);
      } else {
        this.unsolicited.push(message);
        for (const waiter of this.unsolicitedWaiters) waiter(message);
      }
    }
  }

  /** Writes one raw line (anything: broken JSON, huge lines). */
  writeLine(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Waits for the answer to `id` (sent by writeLine). */
  answerTo(id: number | string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<RpcMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${id} within ${timeoutMs} ms; stderr: ${this.stderr()}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** Sends a request; resolves with the whole response. */
  send(method: string, params?: unknown, timeoutMs = ANSWER_TIMEOUT_MS): Promise<RpcMessage> {
    const id = this.nextId++;
    const answer = this.answerTo(id, timeoutMs);
    this.writeLine(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    return answer;
  }

  /** The id the next `send` will use. */
  peekId(): number {
    return this.nextId;
  }

  /** Sends a request that must succeed; returns its result. */
  async call(method: string, params?: unknown): Promise<any> {
    const response = await this.send(method, params);
    assert.equal(response.error, undefined, `${method} failed: ${JSON.stringify(response.error)}`);
    return response.result;
  }

  notify(method: string, params?: unknown): void {
    this.writeLine(JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) }));
  }

  /** The 2025-era handshake. */
  async initialize(protocolVersion = '2025-06-18'): Promise<any> {
    const result = await this.call('initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 'prodmcp-test', version: '0.0.0' } });
    this.notify('notifications/initialized');
    return result;
  }

  /** Calls a tool; returns the tool result (isError or not). */
  async tool(name: string, args: Record<string, unknown> = {}): Promise<any> {
    return this.call('tools/call', { name, arguments: args });
  }

  /** Settles when a notification matching `predicate` has arrived (already, or when it does); fails after `timeoutMs`. */
  waitFor(predicate: (m: RpcMessage) => boolean, timeoutMs = ANSWER_TIMEOUT_MS): Promise<RpcMessage> {
    const found = this.unsolicited.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (message: RpcMessage) => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.unsolicitedWaiters.delete(waiter);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.unsolicitedWaiters.delete(waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.unsolicited).slice(0, 1000)}; stderr: ${this.stderr()}`));
      }, timeoutMs);
      this.unsolicitedWaiters.add(waiter);
    });
  }

  /** Closes stdin (how hosts stop stdio servers) and waits for the exit code. */
  async close(timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.stdin.end();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, timeoutMs, 'timeout').unref());
    const outcome = await Promise.race([this.exited, timeout]);
    if (outcome === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`prodmcp did not exit within ${timeoutMs} ms of stdin closing; stderr: ${this.stderr()}`);
    }
    return outcome;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** The SDK's client connected to the built prodmcp over stdio. */
export interface SdkConnection {
  client: Client;
  stderr: () => string;
  close: () => Promise<void>;
}

/** Connects the official client; `era: 'modern'` pins 2026-07-28, `legacy` uses the initialize handshake. */
export async function connectSdkClient(env: Record<string, string>, era: 'legacy' | 'modern'): Promise<SdkConnection> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [PRODMCP], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'prodmcp-test', version: '0.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

/** A request a fake server received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Settles when the client closed the connection before the response was sent. */
  aborted: Promise<boolean>;
}

/** A small real HTTP server with a scripted handler. */
export interface FakeServer {
  url: string;
  requests: SeenRequest[];
  /** The first request (already seen, or the next to arrive) that matches: an event, not a poll. */
  request(predicate: (req: SeenRequest) => boolean): Promise<SeenRequest>;
  close(): Promise<void>;
}

/** Starts a fake server on 127.0.0.1; the handler may answer late or never. */
export async function startFakeServer(handler: (req: SeenRequest, res: ServerResponse, server: FakeServer) => unknown): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const waiters: Array<{ predicate: (req: SeenRequest) => boolean; resolve: (req: SeenRequest) => void }> = [];
  let fake: FakeServer;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const aborted = new Promise<boolean>((resolve) => {
        res.on('close', () => resolve(!res.writableEnded));
      });
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), aborted };
      requests.push(seen);
      for (const waiter of waiters.filter((w) => w.predicate(seen))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(seen);
      }
      void Promise.resolve(handler(seen, res, fake)).catch((err: Error) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake = {
    url: `http://127.0.0.1:${port}`,
    requests,
    request: (predicate) => {
      const seen = requests.find(predicate);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return fake;
}

/** Sends JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The parsed JSON of a successful tool result, checked equal to its structuredContent. */
export function okResult(result: any): any {
  assert.notEqual(result.isError, true, `the tool failed: ${result.content?.[0]?.text}`);
  assert.equal(result.content.length, 1);
  assert.equal(result.content[0].type, 'text');
  const parsed = JSON.parse(result.content[0].text);
  assert.deepEqual(result.structuredContent, parsed, 'structuredContent carries the same value as the text');
  return parsed;
}

/** The `{error, http_status, code}` of a failed tool result. */
export function errorResult(result: any): { error: string; http_status: number; code: string; errors?: unknown[] } {
  assert.equal(result.isError, true, `the tool should have failed but returned ${result.content?.[0]?.text}`);
  return JSON.parse(result.content[0].text);
}
