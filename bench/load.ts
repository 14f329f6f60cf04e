/**
 * Servers in child processes and autocannon runs against them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** The prodboard command, as installed (it runs the built server in packages/server/dist). */
export const PRODBOARD = join(dirname(dirname(fileURLToPath(import.meta.url))), 'packages', 'server', 'bin', 'prodboard.js');

/** Runs a `prodboard` CLI command on a SQLite database; its stdout. */
export function prodboardCli(args: string[], dbPath: string): string {
  const run = spawnSync(process.execPath, [PRODBOARD, ...args, '--db', dbPath], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`prodboard ${args[0]} failed: ${run.stderr || run.stdout}`);
  return run.stdout.trim();
}

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` and waits for a line on stdout from which `match` extracts the URL.
 * Everything else the child prints is drained (and kept, for errors).
 */
export function spawnServer(name: string, args: string[], match: RegExp, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const output: string[] = [];
    let ready = false;
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (output.length < 200) output.push(line);
      const m = match.exec(line);
      if (!ready && m) {
        ready = true;
        resolve({
          name,
          url: m[1].replace('localhost', '127.0.0.1'),
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
              child.once('exit', () => (clearTimeout(timer), done()));
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`${name} exited with ${code} before it was ready:\n${output.join('\n')}`));
    });
    setTimeout(() => {
      if (!ready) {
        child.kill('SIGKILL');
        reject(new Error(`${name} was not ready after 30 s:\n${output.join('\n')}`));
      }
    }, 30_000).unref();
  });
}

/** One autocannon request template (autocannon's own shape, kept loose). */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  /**
   * Paths to cycle through instead of `path` (get-by-id's random ids), each built into request bytes
   * once, as a fixed path is (see `load`). The load generator shares the machine's two cores with
   * the server, and rebuilding a request per request (as `setup` does) cost autocannon 20-30 µs a
   * request (measured against hello-world: 14.7k req/s with a per-request path, 23.9k without), which
   * would be charged to the endpoint under test.
   */
  paths?: string[];
  headers?: Record<string, string>;
  body?: string;
  /** Called per request to vary the body (runs in this process, the load generator; create only). */
  setup?: (req: { path: string; body?: string }) => { path: string; body?: string };
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  mean_ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
}

/** Runs autocannon against `url` for `seconds` with `connections`. */
export async function load(url: string, spec: RequestSpec, seconds: number, connections: number): Promise<LoadResult> {
  const requests = (paths: string[]) =>
    paths.map((path) => {
      const request: Record<string, unknown> = { method: spec.method, path, headers: spec.headers, body: spec.body };
      if (spec.setup) {
        const setup = spec.setup;
        request.setupRequest = (req: { path: string; body?: string }) => ({ ...req, ...setup(req) });
      }
      return request;
    });
  const paths = spec.paths ?? [spec.path];
  const latencies: number[] = [];
  // autocannon's own histogram keeps whole milliseconds; we keep every 2xx response time (float ms).
  const instance = autocannon({ url, connections, pipelining: 1, duration: seconds, requests: requests(paths.slice(0, 1)) } as never) as unknown as
    NodeJS.EventEmitter & PromiseLike<AutocannonResult>;
  // Every connection of autocannon cycles through the same list from its start: in lockstep they
  // would ask for the same ids at the same moment, which the PostgreSQL store's batched reads would
  // share. So after its first response each connection takes a slice of `paths` of its own
  // (autocannon 9's client API); each request of a slice is built once, there. (Giving every
  // connection all the paths would build each of them once per connection, twice: 100,000 request
  // builds at the start of a 10 s measurement, which showed as a server left idle.)
  const placed = new Set<unknown>();
  const share = Math.ceil(paths.length / connections);
  instance.on('response', (client: { requestIterator?: { setRequests?: (requests: unknown[]) => void } }, status: number, _bytes: number, responseTime: number) => {
    if (status >= 200 && status < 300) latencies.push(responseTime);
    if (paths.length > 1 && !placed.has(client)) {
      if (typeof client.requestIterator?.setRequests !== 'function') throw new Error('autocannon changed: its clients no longer have requestIterator.setRequests (bench/load.ts)');
      const slice = paths.slice((placed.size * share) % paths.length).slice(0, share);
      placed.add(client);
      client.requestIterator.setRequests(requests(slice));
    }
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length === 0 ? NaN : Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2)));
  return {
    rps: Math.round(result.requests.average),
    p50_ms: pct(0.5),
    p90_ms: pct(0.9),
    p99_ms: pct(0.99),
    mean_ms: Number((latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)).toFixed(2)),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}

/** The parts of autocannon's result we read. */
interface AutocannonResult {
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
