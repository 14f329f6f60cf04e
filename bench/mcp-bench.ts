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
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (10), BENCH_ROUNDS (3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { PRODBOARD, load, prodboardCli, spawnServer, type LoadResult, type RequestSpec } from './load.js';

/** The target of issue 11: /mcp's card_get at least this share of the API's GET. */
export const MCP_TARGET_SHARE = 0.5;

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** What runMcpBench measures. */
export interface McpBenchResult {
  node: string;
  loadAverage: number[];
  settings: { duration_s: number; connections: number; rounds: number };
  api: LoadResult[];
  mcp: LoadResult[];
  /** Median requests per second of each. */
  apiRps: number;
  mcpRps: number;
  /** mcpRps / apiRps. */
  ratio: number;
  meetsTarget: boolean;
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
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', url), { requestInit: { headers: { authorization: `Bearer ${token}` } }, fetch: recording }));
  const result = await client.callTool({ name: 'card_get', arguments: { id } });
  await client.close();
  if (result.isError || !recorded) throw new Error(`card_get over /mcp failed: ${JSON.stringify(result).slice(0, 500)}`);
  delete recorded.headers['content-length'];
  return recorded;
}

/** Measures both and returns the figures. */
export async function runMcpBench(options: { log?: (line: string) => void } = {}): Promise<McpBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const duration = env('BENCH_DURATION', 10);
  const warmup = env('BENCH_WARMUP', 2);
  const connections = env('BENCH_CONNECTIONS', 10);
  const rounds = env('BENCH_ROUNDS', 3);
  const dir = mkdtempSync(join(tmpdir(), 'prodboard-mcp-bench-'));
  const dbPath = join(dir, 'bench.db');
  prodboardCli(['user', 'create', '--email', 'bench@example.com', '--password', 'bench passphrase 1', '--role', 'owner', '--workspace', 'bench'], dbPath);
  const token = prodboardCli(['token', 'create', '--email', 'bench@example.com', '--name', 'bench', '--scopes', 'board:write,card:write'], dbPath).split('\n').pop()!.trim();
  const server = await spawnServer('prodboard', [PRODBOARD, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', dbPath], /running at (http:\/\/\S+)/, {});
  try {
    const auth = { authorization: `Bearer ${token}` };
    const post = (path: string, body: unknown) => fetch(new URL(path, server.url), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const board = await post('/xapi2/data/board', { name: 'Bench', columns: 'To do, Done' });
    const card = await post('/xapi2/data/card', { title: 'The card both fetch', board_id: board.id, priority: 'high', tags: ['bench'], description: 'x'.repeat(200) });
    const call = await recordToolCall(server.url, token, card.id);
    const specs: Record<'api' | 'mcp', RequestSpec> = {
      api: { method: 'GET', path: `/xapi2/data/card/${card.id}`, headers: { ...auth, accept: 'application/json' } },
      mcp: { method: 'POST', path: '/mcp', headers: call.headers, body: call.body },
    };
    const runs: Record<'api' | 'mcp', LoadResult[]> = { api: [], mcp: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const key of ['api', 'mcp'] as const) {
        if (warmup > 0) await load(server.url, specs[key], warmup, connections);
        const r = await load(server.url, specs[key], duration, connections);
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${key}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
        runs[key].push(r);
        log(`round ${round} ${key === 'api' ? 'GET /xapi2/data/card/:id' : 'tools/call card_get   '}: ${r.rps} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms`);
      }
    }
    const apiRps = median(runs.api.map((r) => r.rps));
    const mcpRps = median(runs.mcp.map((r) => r.rps));
    const ratio = Number((mcpRps / apiRps).toFixed(3));
    return {
      node: process.version, loadAverage: loadavg(), settings: { duration_s: duration, connections, rounds },
      api: runs.api, mcp: runs.mcp, apiRps, mcpRps, ratio, meetsTarget: ratio >= MCP_TARGET_SHARE,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as the bench prints them. */
export function formatMcpBench(r: McpBenchResult): string {
  const line = (label: string, runs: LoadResult[], rps: number) =>
    `  ${label.padEnd(28)} ${String(rps).padStart(6)} req/s (median of ${runs.length})  p50 ${median(runs.map((x) => x.p50_ms))} ms  p99 ${median(runs.map((x) => x.p99_ms))} ms`;
  return [
    `node ${r.node}, ${r.settings.connections} connections, ${r.settings.duration_s} s × ${r.settings.rounds} rounds, load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}`,
    line('GET /xapi2/data/card/:id', r.api, r.apiRps),
    line('/mcp tools/call card_get', r.mcp, r.mcpRps),
    `  ratio /mcp ÷ API: ${r.ratio} (medians ${r.mcpRps} ÷ ${r.apiRps} req/s; target ≥ ${MCP_TARGET_SHARE}: ${r.meetsTarget ? 'met' : 'MISSED'})`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runMcpBench();
  console.log(formatMcpBench(result));
}
