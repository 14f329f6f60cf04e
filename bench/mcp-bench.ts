/**
 * Remote MCP throughput: `tools/call card_get` on /mcp beside `GET /xapi2/data/card/{id}` for the
 * same card, both under autocannon against one real `prodboard serve` (SQLite) in the same run,
 * interleaved per round so load on the machine hits both alike. Target: /mcp at least half the
 * API's requests per second (issue 11).
 *
 * The MCP request is the one the official SDK client sends (2026-07-28: one stateless POST with
 * the protocol envelope), recorded from a real client call and replayed.
 *
 * Standalone: `npm run build && node --import tsx bench/mcp-bench.ts`; or call runMcpBench().
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (10), BENCH_ROUNDS (3),
 * BENCH_MCP_SDK_PATH (1; 0 skips measuring this build a second time with PRODBOARD_MCP_DIRECT_CALLS=0, every call through the SDK),
 * BENCH_MCP_BASELINE (another build's packages/server/bin/prodboard.js, e.g. a copy of the tree
 * before a change: measured in the same rounds, beside this build, so a before/after comparison
 * does not span two runs on a noisy machine).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { cpuMeter } from './cpu.js';
import { PRODBOARD, load, spawnServer, type LoadResult, type RequestSpec } from './load.js';

/** The reference toolset: its card_get {id} is what this benchmark has measured since issue 11 (the default card_get takes {card}). */
const MCP_BENCH_PATH = '/mcp?toolsets=reference';

/** The target of issue 11: /mcp's card_get at least this share of the API's GET. */
export const MCP_TARGET_SHARE = 0.5;

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** One server's figures: both endpoints each round, their medians and the ratio. */
export interface McpBenchFigures {
  api: LoadResult[];
  mcp: LoadResult[];
  /** Median requests per second of each. */
  apiRps: number;
  mcpRps: number;
  /** mcpRps / apiRps. */
  ratio: number;
  /** mcp ÷ api of each round (the two ran back to back, so a round's ratio is the fairest pair). */
  roundRatios: number[];
  /**
   * The server process's CPU time per request, µs, median of the rounds (Linux; empty elsewhere):
   * what the endpoint itself costs, which others' jobs on a shared machine disturb far less than
   * requests per second.
   */
  apiCpuUs: number[];
  mcpCpuUs: number[];
  meetsTarget: boolean;
}

/** What runMcpBench measures. */
export interface McpBenchResult extends McpBenchFigures {
  node: string;
  loadAverage: number[];
  settings: { duration_s: number; connections: number; rounds: number };
  /**
   * The same build with PRODBOARD_MCP_DIRECT_CALLS=0 (every call through the SDK's per-request
   * pipeline), measured in the same rounds: what the direct path gains. BENCH_MCP_SDK_PATH=0 skips it.
   */
  sdkPath?: McpBenchFigures;
  /** The same figures from another build (BENCH_MCP_BASELINE), measured in the same rounds. */
  baseline?: McpBenchFigures & { prodboard: string };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The request the SDK client sends for `tools/call card_get {id}`, recorded off the wire. */
async function recordToolCall(url: string, token: string, id: string): Promise<{ headers: Record<string, string>; body: string }> {
  let recorded: { headers: Record<string, string>; body: string } | undefined;
  const recording: typeof fetch = async (input, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes('"tools/call"')) recorded = { headers: Object.fromEntries(new Headers(init?.headers).entries()), body };
    return fetch(input, init);
  };
  const client = new Client({ name: 'mcp-bench', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(MCP_BENCH_PATH, url), { requestInit: { headers: { authorization: `Bearer ${token}` } }, fetch: recording }));
  const result = await client.callTool({ name: 'card_get', arguments: { id } });
  await client.close();
  if (result.isError || !recorded) throw new Error(`card_get over /mcp failed: ${JSON.stringify(result).slice(0, 500)}`);
  delete recorded.headers['content-length'];
  return recorded;
}

/** A `prodboard serve` (the given build) on a fresh SQLite database with one card, and the two requests for it. */
async function startTarget(prodboard: string, env: NodeJS.ProcessEnv = {}): Promise<{ url: string; pid: number | undefined; specs: Record<'api' | 'mcp', RequestSpec>; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'prodboard-mcp-bench-'));
  const dbPath = join(dir, 'bench.db');
  const cli = (args: string[]) => {
    const run = spawnSync(process.execPath, [prodboard, ...args, '--db', dbPath], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`prodboard ${args[0]} failed: ${run.stderr || run.stdout}`);
    return run.stdout.trim();
  };
  cli(['user', 'create', '--email', 'bench@example.com', '--password', 'bench passphrase 1', '--role', 'owner', '--workspace', 'bench']);
  const token = cli(['token', 'create', '--email', 'bench@example.com', '--name', 'bench', '--scopes', 'board:write,card:write']).split('\n').pop()!.trim();
  const server = await spawnServer('prodboard', [prodboard, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', dbPath], /running at (http:\/\/\S+)/, env);
  try {
    const auth = { authorization: `Bearer ${token}` };
    const post = (path: string, body: unknown) => fetch(new URL(path, server.url), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const board = await post('/xapi2/data/board', { name: 'Bench', columns: 'To do, Done' });
    const card = await post('/xapi2/data/card', { title: 'The card both fetch', board_id: board.id, priority: 'high', tags: ['bench'], description: 'x'.repeat(200) });
    const call = await recordToolCall(server.url, token, card.id);
    return {
      url: server.url,
      pid: server.child.pid,
      specs: {
        api: { method: 'GET', path: `/xapi2/data/card/${card.id}`, headers: { ...auth, accept: 'application/json' } },
        mcp: { method: 'POST', path: MCP_BENCH_PATH, headers: call.headers, body: call.body },
      },
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

type Run = LoadResult & { cpuUs?: number };

function figures(api: Run[], mcp: Run[]): McpBenchFigures {
  const apiRps = median(api.map((r) => r.rps));
  const mcpRps = median(mcp.map((r) => r.rps));
  const ratio = Number((mcpRps / apiRps).toFixed(3));
  const roundRatios = api.map((r, i) => Number((mcp[i].rps / r.rps).toFixed(3)));
  const cpu = (runs: Run[]) => runs.flatMap((r) => (r.cpuUs === undefined ? [] : [r.cpuUs]));
  return { api, mcp, apiRps, mcpRps, ratio, roundRatios, apiCpuUs: cpu(api), mcpCpuUs: cpu(mcp), meetsTarget: ratio >= MCP_TARGET_SHARE };
}

/** Measures both (and the baseline build's, when BENCH_MCP_BASELINE names its bin/prodboard.js) and returns the figures. */
export async function runMcpBench(options: { log?: (line: string) => void } = {}): Promise<McpBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const duration = env('BENCH_DURATION', 10);
  const warmup = env('BENCH_WARMUP', 2);
  const connections = env('BENCH_CONNECTIONS', 10);
  const rounds = env('BENCH_ROUNDS', 3);
  const baselineBin = process.env.BENCH_MCP_BASELINE;
  const targets: Array<{ label: string; target: Awaited<ReturnType<typeof startTarget>>; runs: Record<'api' | 'mcp', Run[]> }> = [];
  try {
    targets.push({ label: '', target: await startTarget(PRODBOARD), runs: { api: [], mcp: [] } });
    if (process.env.BENCH_MCP_SDK_PATH !== '0') targets.push({ label: 'sdk path ', target: await startTarget(PRODBOARD, { PRODBOARD_MCP_DIRECT_CALLS: '0' }), runs: { api: [], mcp: [] } });
    if (baselineBin) targets.push({ label: 'baseline ', target: await startTarget(baselineBin), runs: { api: [], mcp: [] } });
    for (let round = 1; round <= rounds; round++) {
      // Interleaved: every round measures every server's both endpoints, so load on the machine hits all alike.
      for (const { label, target, runs } of targets) {
        for (const key of ['api', 'mcp'] as const) {
          if (warmup > 0) await load(target.url, target.specs[key], warmup, connections);
          const meter = cpuMeter(target.pid);
          const r: Run = await load(target.url, target.specs[key], duration, connections);
          const cpu = meter();
          if (cpu && r.requests > 0) r.cpuUs = Math.round((cpu.server * r.seconds * 1e6) / r.requests);
          if (r.non2xx > 0 || r.errors > 0) throw new Error(`${label}${key}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
          runs[key].push(r);
          log(`round ${round} ${label}${key === 'api' ? 'GET /xapi2/data/card/:id' : 'tools/call card_get   '}: ${r.rps} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms${r.cpuUs === undefined ? '' : `  server CPU ${r.cpuUs} µs/request`}`);
        }
      }
    }
  } finally {
    for (const { target } of targets) await target.stop();
  }
  const [current] = targets;
  const sdkPath = targets.find((t) => t.label === 'sdk path ');
  const baseline = targets.find((t) => t.label === 'baseline ');
  return {
    node: process.version, loadAverage: loadavg(), settings: { duration_s: duration, connections, rounds },
    ...figures(current.runs.api, current.runs.mcp),
    ...(sdkPath && { sdkPath: figures(sdkPath.runs.api, sdkPath.runs.mcp) }),
    ...(baseline && { baseline: { prodboard: baselineBin!, ...figures(baseline.runs.api, baseline.runs.mcp) } }),
  };
}

/** The figures as the bench prints them. */
export function formatMcpBench(r: McpBenchResult): string {
  const line = (label: string, runs: LoadResult[], rps: number, cpuUs: number[]) =>
    `  ${label.padEnd(37)} ${String(rps).padStart(6)} req/s (median of ${runs.length})  p50 ${median(runs.map((x) => x.p50_ms))} ms  p99 ${median(runs.map((x) => x.p99_ms))} ms` +
    (cpuUs.length > 0 ? `  server CPU ${median(cpuUs)} µs/request` : '');
  // Only this build's ratio names the target (bench/run.ts collects the lines that do into its summary).
  const block = (f: McpBenchFigures, prefix: string) => [
    line(`${prefix}GET /xapi2/data/card/:id`, f.api, f.apiRps, f.apiCpuUs),
    line(`${prefix}/mcp tools/call card_get`, f.mcp, f.mcpRps, f.mcpCpuUs),
    `  ${prefix}ratio /mcp ÷ API: ${f.ratio} of the medians; per round ${f.roundRatios.join(', ')}${prefix ? '' : ` (target ≥ ${MCP_TARGET_SHARE}: ${f.meetsTarget ? 'met' : 'MISSED'})`}`,
  ];
  return [
    `node ${r.node}, ${r.settings.connections} connections, ${r.settings.duration_s} s × ${r.settings.rounds} rounds, load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
    ...block(r, ''),
    ...(r.sdkPath ? ['  in the same rounds, this build with PRODBOARD_MCP_DIRECT_CALLS=0 (every call through the SDK):', ...block(r.sdkPath, 'sdk path ')] : []),
    ...(r.baseline ? [`  in the same rounds, the baseline build ${r.baseline.prodboard}:`, ...block(r.baseline, 'baseline ')] : []),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runMcpBench();
  console.log(formatMcpBench(result));
}
