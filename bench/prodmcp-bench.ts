/**
 * prodmcp start-up and per-call overhead, against a real `prodboard serve` in a child process.
 *
 * Cold start: the median time from spawn to the answer to `initialize`, over BENCH_SPAWNS (≥ 20)
 * spawns each of `dist/prodmcp.mjs` (as hosts run it: its manifest cached, its code cache warm), the
 * same without the code cache, the reference client (`python3 prodmcp-reference.py`), and beside
 * them `node -e ''` (spawn to exit), interleaved so load on the machine hits all alike.
 * Per-call overhead: p50 of `card_get` through prodmcp (JSON-RPC over stdio) minus p50 of the same
 * GET /xapi2/data/card/:id made directly over a keep-alive connection.
 *
 * Standalone: `npm run build && node --import tsx bench/prodmcp-bench.ts`; or call runProdmcpBench().
 * Environment: BENCH_SPAWNS (default 21), BENCH_CALLS (default 400).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PRODBOARD, prodboardCli } from './load.js';
import { referencePath } from './tasks.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const PRODMCP = join(ROOT, 'packages', 'prodmcp', 'dist', 'prodmcp.mjs');
// Beside the checkout, or beside its worktree folder (BENCH_REFERENCE overrides): see tasks.ts.
const REFERENCE = referencePath();

/** The targets of issue 3. */
export const PRODMCP_TARGETS = { coldStartMs: 180, overheadP50Ms: 3 } as const;

/** What runProdmcpBench measures (milliseconds). */
export interface ProdmcpBenchResult {
  node: string;
  loadAverage: number[];
  spawns: number;
  coldStart: {
    /** spawn → initialize answer, code cache warm (how hosts start it after the first time). */
    prodmcp: number;
    /** The same with PRODMCP_NO_CODE_CACHE=1 (the very first start). */
    prodmcpNoCodeCache: number;
    /** `node -e ''`, spawn → exit. */
    nodeE: number;
    /** The reference client with python3, spawn → initialize answer; null when python3 is missing. */
    reference: number | null;
  };
  perCall: { calls: number; viaProdmcpP50: number; directP50: number; overheadP50: number };
  meetsTargets: { coldStart: boolean; overhead: boolean };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'prodmcp-bench', version: '1' } },
})}\n`;

interface Prodboard {
  url: string;
  stop(): Promise<void>;
}

function startProdboard(dbPath: string): Promise<Prodboard> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRODBOARD, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', dbPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PRODBOARD_LOG_LEVEL: 'warn' },
    });
    const output: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const m = /running at (http:\/\/\S+)/.exec(line);
      if (!m) return;
      resolve({
        url: m[1].replace('localhost', '127.0.0.1'),
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
    child.once('exit', (code) => reject(new Error(`prodboard serve exited (${code}): ${output.join('\n')}`)));
  });
}

/** Spawns `command`, sends initialize, resolves with the time to the answer; then closes stdin and waits for exit. */
function timeToInitialize(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let answeredAt: number | undefined;
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      if (answeredAt === undefined && /"id"\s*:\s*1\b/.test(buffer) && buffer.includes('"result"')) {
        answeredAt = performance.now() - started;
        child.stdin.end();
      }
    });
    child.once('error', reject);
    child.once('exit', () => (answeredAt === undefined ? reject(new Error(`${command} ${args.join(' ')} exited without answering: ${buffer.slice(0, 300)}`)) : resolve(answeredAt)));
    child.stdin.write(INITIALIZE);
  });
}

function timeToExit(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

/** A long-lived prodmcp spoken to with raw JSON-RPC lines, so the harness adds as little as possible. */
class RawHost {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: any) => void>();
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [PRODMCP], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const message = JSON.parse(line);
      const done = typeof message.id === 'number' ? this.waiting.get(message.id) : undefined;
      if (done) {
        this.waiting.delete(message.id);
        done(message);
      }
    });
  }

  request(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  close(): Promise<void> {
    return new Promise((done) => {
      this.child.once('exit', () => done());
      this.child.stdin.end();
    });
  }
}

function directGet(agent: Agent, url: URL, token: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { accept: 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs the benchmark; `log` receives progress lines. */
export async function runProdmcpBench(options: { spawns?: number; calls?: number; log?: (line: string) => void } = {}): Promise<ProdmcpBenchResult> {
  const spawns = Math.max(20, options.spawns ?? Number(process.env.BENCH_SPAWNS ?? 21));
  const calls = options.calls ?? Number(process.env.BENCH_CALLS ?? 400);
  const log = options.log ?? (() => undefined);
  if (!existsSync(PRODMCP)) throw new Error(`${PRODMCP} is missing: run npm run build first`);

  const dir = mkdtempSync(join(tmpdir(), 'prodmcp-bench-'));
  const dbPath = join(dir, 'bench.db');
  const home = join(dir, 'home');
  mkdirSync(home);
  prodboardCli(['user', 'create', '--email', 'bench@example.com', '--password', 'bench passphrase 1', '--role', 'owner', '--workspace', 'bench'], dbPath);
  const token = prodboardCli(['token', 'create', '--email', 'bench@example.com', '--name', 'bench', '--scopes', 'board:write,card:write'], dbPath).split('\n').pop()!.trim();
  const server = await startProdboard(dbPath);
  log(`prodboard at ${server.url}`);
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PRODMCP_BASE_URL: server.url, PRODMCP_TOKEN: token, PRODMCP_NO_AUTOUPDATE: '1', PRODMCP_TOOLSETS: 'reference' };
    for (const key of ['PRODMCP_NO_CODE_CACHE', 'PRODMCP_TIMEOUT', 'DO_NOT_TRACK', 'PRODMCP_NO_TELEMETRY']) delete env[key];
    const hasPython = spawnSync('python3', ['--version']).status === 0 && existsSync(REFERENCE);

    // As a host's machine after the first start: manifest cached, code cache written.
    await timeToInitialize(process.execPath, [PRODMCP], env);
    await timeToInitialize(process.execPath, [PRODMCP], env);

    const samples = { prodmcp: [] as number[], noCache: [] as number[], nodeE: [] as number[], reference: [] as number[] };
    for (let i = 0; i < spawns; i++) {
      samples.nodeE.push(await timeToExit(process.execPath, ['-e', '']));
      samples.prodmcp.push(await timeToInitialize(process.execPath, [PRODMCP], env));
      samples.noCache.push(await timeToInitialize(process.execPath, [PRODMCP], { ...env, PRODMCP_NO_CODE_CACHE: '1' }));
      if (hasPython) samples.reference.push(await timeToInitialize('python3', [REFERENCE], env));
      if ((i + 1) % 5 === 0) log(`cold start: ${i + 1}/${spawns} rounds`);
    }

    // Per-call overhead: the same read, through prodmcp and directly.
    const host = new RawHost(env);
    await host.request('initialize', JSON.parse(INITIALIZE).params);
    const created = await host.request('tools/call', { name: 'card_create', arguments: { title: 'Bench card', priority: 'high', tags: ['bench'] } });
    const card = created.result?.structuredContent;
    if (!card?.id) throw new Error(`card_create failed: ${JSON.stringify(created).slice(0, 300)}`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(`${server.url}/xapi2/data/card/${card.id}`);
    const viaProdmcp: number[] = [];
    const direct: number[] = [];
    const warmup = Math.min(50, calls);
    for (let i = 0; i < warmup + calls; i++) {
      let t = performance.now();
      const answer = await host.request('tools/call', { name: 'card_get', arguments: { id: card.id } });
      const through = performance.now() - t;
      if (answer.result?.isError !== false && answer.result?.structuredContent?.id !== card.id) throw new Error(`card_get failed: ${JSON.stringify(answer).slice(0, 300)}`);
      t = performance.now();
      await directGet(agent, url, token);
      const straight = performance.now() - t;
      if (i >= warmup) {
        viaProdmcp.push(through);
        direct.push(straight);
      }
    }
    agent.destroy();
    await host.close();

    const result: ProdmcpBenchResult = {
      node: process.version,
      loadAverage: loadavg(),
      spawns,
      coldStart: {
        prodmcp: median(samples.prodmcp),
        prodmcpNoCodeCache: median(samples.noCache),
        nodeE: median(samples.nodeE),
        reference: hasPython ? median(samples.reference) : null,
      },
      perCall: { calls, viaProdmcpP50: median(viaProdmcp), directP50: median(direct), overheadP50: median(viaProdmcp) - median(direct) },
      meetsTargets: { coldStart: false, overhead: false },
    };
    result.meetsTargets = {
      coldStart: result.coldStart.prodmcp <= PRODMCP_TARGETS.coldStartMs,
      overhead: result.perCall.overheadP50 <= PRODMCP_TARGETS.overheadP50Ms,
    };
    return result;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The result as a short table. */
export function formatProdmcpBench(r: ProdmcpBenchResult): string {
  const ms = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(1)} ms`);
  return [
    `prodmcp cold start (median of ${r.spawns} spawns, spawn → initialize answer; node ${r.node}, load ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}):`,
    `  prodmcp (code cache warm)   ${ms(r.coldStart.prodmcp)}   target ≤ ${PRODMCP_TARGETS.coldStartMs} ms: ${r.meetsTargets.coldStart ? 'met' : 'MISSED'}`,
    `  prodmcp (no code cache)     ${ms(r.coldStart.prodmcpNoCodeCache)}`,
    `  node -e '' (spawn → exit)   ${ms(r.coldStart.nodeE)}`,
    `  reference client (python3)  ${ms(r.coldStart.reference)}`,
    `prodmcp per-call overhead (p50 of ${r.perCall.calls} card_get calls):`,
    `  through prodmcp ${ms(r.perCall.viaProdmcpP50)}, direct HTTP ${ms(r.perCall.directP50)}, overhead ${ms(r.perCall.overheadP50)}   target ≤ ${PRODMCP_TARGETS.overheadP50Ms} ms: ${r.meetsTargets.overhead ? 'met' : 'MISSED'}`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`prodmcp bench: ${cpus().length} × ${cpus()[0]?.model ?? '?'}`);
  const result = await runProdmcpBench({ log: (line) => console.log(`  ${line}`) });
  console.log(formatProdmcpBench(result));
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'prodmcp.json'), `${JSON.stringify(result, null, 2)}\n`);
}
