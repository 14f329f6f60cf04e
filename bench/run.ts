/**
 * `npm run bench`: prodboard under autocannon on SQLite and on PostgreSQL, beside a plain Fastify
 * hello-world measured in the same run, on a database of 1,000,000 cards (BENCH_CARDS); the store
 * calls timed in-process; the query plans of the SQL each store runs; then the prodmcp, remote MCP
 * (/mcp beside the API), assistant task (bench/tasks.ts: ours beside the reference client) and
 * web-app benchmarks when their modules are present.
 *
 *   get-by-id  GET  /xapi2/data/card/:id                  (random ids out of 5,000)
 *   list       GET  /xapi2/data/card?data__board_id=B&data__status=todo&sort=data__position&limit=50
 *                   (the first 50 of a 5,000-card column; the page comes from the page cache after a
 *                   seq check, as it does in use while the workspace does not change)
 *   list (cache off)  the same list on a second server started with PRODBOARD_PAGE_CACHE_MB=0: the
 *                   cost of a page the cache cannot serve (a workspace that changes between reads)
 *   get-by-id, Unix socket  PostgreSQL only: the same gets through PostgreSQL's Unix socket instead
 *                   of TCP on 127.0.0.1 (informative: what a co-located database gains)
 *   create     POST /xapi2/data/card                       (at the end of a ~1,000-card column)
 *   moves into a 3,000-card column  PATCH /xapi2/data/card/:id {status, position}, one client, each
 *                   move just before the same card so the column is respaced every ~30 moves
 *                   (bench/moves.ts: a small database of its own per store, not the seed)
 *
 * Each server runs in a child process of its own (the prodboard ones are the real `prodboard serve`,
 * with --db FILE and with --database-url URL), autocannon runs here. Measurements are interleaved
 * (hello-world, then each store's get and list, per round) so drift in the machine's load hits all.
 * Targets: list p50 ≤ 5 ms on both stores; get-by-id ≥ 50 % of hello-world on SQLite (issue 2) and
 * ≥ 30 % on PostgreSQL (issue 5).
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (10),
 * BENCH_ROUNDS (3), BENCH_INPROCESS_N (500), BENCH_CARDS (1000000), BENCH_STORES (sqlite,postgres),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres: the server the bench databases go on),
 * BENCH_QUIET_WAIT (s, 60: before each round, wait up to this long for other jobs on the machine to
 * leave it idle; 0 never waits),
 * BENCH_PG_SOCKET (the directory of PostgreSQL's Unix socket, default /var/run/postgresql when the
 * socket is there; "" skips it): get-by-id is measured a second time on a third server that reaches
 * the same database through the socket, as a deployment with PostgreSQL on the same machine would,
 * BENCH_PROFILE=1 (CPU-profile the prodboard children: bench/results/profiles/),
 * BENCH_MOVES (200: moves timed per store),
 * BENCH_BASELINE_DIR (a checkout of an earlier commit, built: its moves are measured in the same run,
 * alternating with this build's, BENCH_MOVES_RUNS times (3) per store, each seeded by that build's own
 * store code; the store endpoints need that build's own seed, so run its bench/run.ts back to back),
 * BENCH_ONLY=get,getsock,list,list1,listnc,create,moves,prodmcp,mcp,tasks,web (run only those).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSeed, freshCopy, removeCopy, type SeedMeta } from './seed.js';
import { backendPids, createRunDatabase, databaseSize, databaseUrl, dropRunDatabase, ensurePgSeed, PG_URL } from './pg-seed.js';
import { measureInProcess, type InProcessResult } from './inprocess.js';
import { measurePgInProcess } from './pg-inprocess.js';
import { load, spawnServer, type LoadResult, type RequestSpec, type Server } from './load.js';
import { cpuMeter, waitForQuiet, type CpuShare } from './cpu.js';
import { summarizeProfile } from './profile.js';
import { runOptionalBench, type OptionalBench } from './optional.js';
import { measureMoves, MOVES_COLUMN, type MovesResult } from './moves.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RESULTS = join(ROOT, 'bench', 'results');
const PRODBOARD = join(ROOT, 'packages', 'server', 'bin', 'prodboard.js');
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const DURATION = env('BENCH_DURATION', 10);
const WARMUP = env('BENCH_WARMUP', 2);
const CONNECTIONS = env('BENCH_CONNECTIONS', 10);
const ROUNDS = env('BENCH_ROUNDS', 3);
const INPROCESS_N = env('BENCH_INPROCESS_N', 500);
const MOVES = env('BENCH_MOVES', 200);
const QUIET_WAIT = env('BENCH_QUIET_WAIT', 60);
/** Another build (a checkout of an earlier commit, built) whose moves are measured beside this one's. */
const BASELINE_DIR = process.env.BENCH_BASELINE_DIR || undefined;
const MOVES_RUNS = env('BENCH_MOVES_RUNS', 3);
const PROFILE = process.env.BENCH_PROFILE === '1';
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : undefined;
const wanted = (key: string) => !ONLY || ONLY.has(key);

const TARGET_LIST_P50_MS = 5;

/** The stores under test, and each one's get-by-id target (share of hello-world req/s). */
const STORES = {
  sqlite: { label: 'SQLite', getTarget: 0.5, getTargetFrom: 'issue 2' },
  postgres: { label: 'PostgreSQL', getTarget: 0.3, getTargetFrom: 'issue 5' },
} as const;
type StoreKey = keyof typeof STORES;
const STORE_KEYS = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',').map((s) => s.trim()) as StoreKey[];
for (const key of STORE_KEYS) if (!(key in STORES)) throw new Error(`BENCH_STORES: unknown store ${key} (sqlite, postgres)`);

const ENDPOINTS = ['get-by-id', 'get-by-id, Unix socket', 'list 50 of 5,000', 'list 50 of 5,000 @1conn', 'list, page cache off', 'create'] as const;

/** PostgreSQL's Unix socket directory, when the get-by-id through it is to be measured too. */
const PG_SOCKET = process.env.BENCH_PG_SOCKET ?? (existsSync(`/var/run/postgresql/.s.PGSQL.${new URL(PG_URL).port || 5432}`) ? '/var/run/postgresql' : '');

/** The URL of a database through the Unix socket in `dir` (same user and database as `url`). */
function socketUrl(url: string, dir: string): string {
  const u = new URL(url);
  u.hostname = 'localhost';
  u.searchParams.set('host', dir);
  return u.toString();
}
type Endpoint = (typeof ENDPOINTS)[number] | 'hello-world';

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Run extends LoadResult {
  endpoint: Endpoint;
  store?: StoreKey;
  round: number;
  connections: number;
  cpu?: CpuShare;
}

/** One store's server and the data it was started on. */
interface Target {
  key: StoreKey;
  label: string;
  server: Server;
  /** PostgreSQL: the run's database, whose backends' CPU is counted. */
  database?: string;
  /** The same store served with the page cache turned off. */
  uncached?: Server;
  /** PostgreSQL: the same database reached through its Unix socket. */
  socket?: Server;
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  console.log(
    `prodboard bench: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, ` +
      `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
  console.log(`autocannon: ${DURATION} s per measurement after ${WARMUP} s warm-up, ${CONNECTIONS} connections, ${ROUNDS} rounds; stores: ${STORE_KEYS.join(', ')}\n`);

  const measuring = ENDPOINTS.some((e) => wanted(endpointKey(e)));
  const verdicts: string[] = [];
  const json: Record<string, unknown> = {
    when: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length, model: cpus()[0]?.model, loadavg_start: loadavg() },
    settings: { duration_s: DURATION, warmup_s: WARMUP, connections: CONNECTIONS, rounds: ROUNDS, in_process_n: INPROCESS_N, profiled: PROFILE, stores: STORE_KEYS },
  };
  if (measuring) {
    const stores = await measureStores();
    Object.assign(json, stores);
    for (const t of stores.summary.targets) verdicts.push(verdictLine(t));
  } else log('BENCH_ONLY names no store measurement: skipping the stores');

  if (wanted('moves')) {
    await waitForQuiet(QUIET_WAIT);
    // Beside the baseline build when one is given: per store, alternately baseline then this build,
    // BENCH_MOVES_RUNS times, each on a fresh database; medians over the runs.
    const moves: Partial<Record<StoreKey, MovesResult>> = {};
    const baselineMoves: Partial<Record<StoreKey, MovesResult>> = {};
    const movesLine = (r: MovesResult) => `p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms  max ${r.max_ms} ms  (${r.moves} moves, ${r.respaces} respaces, ${r.events} events)`;
    for (const key of STORE_KEYS) {
      const ours: MovesResult[] = [];
      const theirs: MovesResult[] = [];
      for (let run = 0; run < (BASELINE_DIR ? MOVES_RUNS : 1); run++) {
        if (BASELINE_DIR) theirs.push(await measureMoves(key, MOVES, BASELINE_DIR));
        ours.push(await measureMoves(key, MOVES));
      }
      const r = (moves[key] = medianMoves(ours));
      const line = `moves into a ${MOVES_COLUMN.toLocaleString('en')}-card column ${STORES[key].label}: ${movesLine(r)}`;
      log(line);
      verdicts.push(line);
      if (BASELINE_DIR) {
        const b = (baselineMoves[key] = medianMoves(theirs));
        const base = `  ${STORES[key].label} baseline ${BASELINE_DIR} (same run, ${theirs.length} runs alternating, medians): ${movesLine(b)}; ratio this ÷ baseline p50 ${(r.p50_ms / b.p50_ms).toFixed(2)}, p99 ${(r.p99_ms / b.p99_ms).toFixed(2)}` +
          ` (${r.p50_ms <= b.p50_ms && r.p99_ms <= b.p99_ms ? 'not slower' : 'SLOWER'})`;
        log(base);
        verdicts.push(base.trim());
      }
    }
    json.moves = moves;
    if (BASELINE_DIR) json.moves_baseline = { dir: BASELINE_DIR, runs: MOVES_RUNS, results: baselineMoves };
  }

  const extras: OptionalBench[] = [
    { key: 'prodmcp', file: './prodmcp-bench.js', run: 'runProdmcpBench', format: 'formatProdmcpBench' },
    { key: 'mcp', file: './mcp-bench.js', run: 'runMcpBench', format: 'formatMcpBench' },
    { key: 'tasks', file: './tasks.js', run: 'runTaskBench', format: 'formatTaskBench' },
    { key: 'web', file: './web-bench.js', run: 'runWebBench', format: 'formatWebBench' },
  ];
  const extraResults: Record<string, unknown> = {};
  for (const extra of extras) {
    if (!wanted(extra.key)) continue;
    const outcome = await runOptionalBench(extra, import.meta.url, log);
    extraResults[extra.key] = outcome;
    if (outcome.status === 'failed') process.exitCode = 1;
    // Their own target lines ("target ≤ 180 ms: MISSED"), as they print them.
    if (outcome.status === 'done') for (const line of outcome.text.split('\n').filter((l) => /target/i.test(l))) verdicts.push(`${extra.key}: ${line.trim()}`);
    else verdicts.push(`${extra.key}: ${outcome.status === 'absent' ? `not run (${outcome.reason})` : 'FAILED (see above)'}`);
  }
  if (verdicts.length > 0) {
    console.log(`\n=== Summary: every target of this run (${new Date().toISOString()}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}) ===`);
    for (const v of verdicts) console.log(`  ${v}`);
  }
  json.extra = extraResults;
  json.total_seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  (json.machine as Record<string, unknown>).loadavg_end = loadavg();
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${join(RESULTS, 'latest.json')}; total ${json.total_seconds} s`);
}

/** Per-figure medians of several moves runs. */
function medianMoves(rs: MovesResult[]): MovesResult {
  const m = (pick: (r: MovesResult) => number) => Number(median(rs.map(pick)).toFixed(2));
  return { moves: rs[0].moves, p50_ms: m((r) => r.p50_ms), p99_ms: m((r) => r.p99_ms), max_ms: m((r) => r.max_ms), respaces: m((r) => r.respaces), events: m((r) => r.events) };
}

/** BENCH_ONLY's name for an endpoint. */
function endpointKey(e: (typeof ENDPOINTS)[number]): string {
  return { 'get-by-id': 'get', 'get-by-id, Unix socket': 'getsock', 'list 50 of 5,000': 'list', 'list 50 of 5,000 @1conn': 'list1', 'list, page cache off': 'listnc', create: 'create' }[e];
}

/** Seeds (or reuses) both databases, measures both stores in-process and over HTTP, and reports. */
async function measureStores() {
  const { meta, cached } = await ensureSeed(RESULTS, log);
  const usePg = STORE_KEYS.includes('postgres');
  const pgSeed = usePg ? await ensurePgSeed(RESULTS, meta, log) : undefined;

  const sqliteFile = STORE_KEYS.includes('sqlite') ? freshCopy(RESULTS, `run-${process.pid}.db`) : undefined;
  if (sqliteFile) log(`fresh SQLite copy for this run: ${sqliteFile}`);
  let pgDatabase: string | undefined;
  let servers: Server[] = [];
  try {
    if (pgSeed) {
      pgDatabase = await createRunDatabase(pgSeed.name);
      log(`fresh PostgreSQL copy for this run: database ${pgDatabase} (${await databaseSize(pgDatabase)})`);
    }
    const pgUrl = pgDatabase && databaseUrl(pgDatabase);

    const inproc: Partial<Record<StoreKey, InProcessResult>> = {};
    log(`in-process: ${INPROCESS_N}+ calls of each store operation, no HTTP ...`);
    if (sqliteFile) inproc.sqlite = await measureInProcess(sqliteFile, meta, INPROCESS_N);
    if (pgUrl) inproc.postgres = await measurePgInProcess(pgUrl, meta, INPROCESS_N);
    printInProcess(inproc, meta);

    const profileDir = join(RESULTS, 'profiles');
    const nodeFlags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    if (PROFILE) rmSync(profileDir, { recursive: true, force: true });
    const hello = await spawnServer('hello-world', [join(ROOT, 'bench', 'hello-child.mjs')], /^READY (\S+)/, {}, nodeFlags);
    servers.push(hello);
    const targets: Target[] = [];
    for (const key of STORE_KEYS) {
      const where = key === 'sqlite' ? ['--db', sqliteFile!] : ['--database-url', pgUrl!];
      const server = await spawnServer(`prodboard (${STORES[key].label})`, [PRODBOARD, 'serve', '--host', '127.0.0.1', '--port', '0', ...where], /Production Board is running at (\S+)/, {}, nodeFlags);
      servers.push(server);
      let uncached: Server | undefined;
      if (wanted('listnc')) {
        uncached = await spawnServer(`prodboard (${STORES[key].label}, page cache off)`, [PRODBOARD, 'serve', '--host', '127.0.0.1', '--port', '0', ...where], /Production Board is running at (\S+)/, { PRODBOARD_PAGE_CACHE_MB: '0', PRODBOARD_UNSAFE_SHARE_SQLITE: '1' }, nodeFlags);
        servers.push(uncached);
      }
      let socket: Server | undefined;
      if (key === 'postgres' && PG_SOCKET && wanted('getsock')) {
        socket = await spawnServer(`prodboard (${STORES[key].label}, Unix socket)`, [PRODBOARD, 'serve', '--host', '127.0.0.1', '--port', '0', '--database-url', socketUrl(pgUrl!, PG_SOCKET)], /Production Board is running at (\S+)/, {}, nodeFlags);
        servers.push(socket);
      }
      targets.push({ key, label: STORES[key].label, server, database: key === 'postgres' ? pgDatabase : undefined, uncached, socket });
    }
    log(`servers up: ${servers.map((s) => `${s.name} ${s.url} (pid ${s.child.pid})`).join(', ')}${PROFILE ? '; CPU-profiled' : ''}`);

    const specs = requestSpecs(meta);
    await smokeTest(hello, specs.hello, 200);
    const firstPages = new Set<string>();
    for (const t of targets) firstPages.add(await smokeTestStore(t, specs));
    if (firstPages.size > 1) throw new Error('the stores list different first pages for the same query');

    const runs: Run[] = [];
    const measure = async (endpoint: Endpoint, server: Server, spec: RequestSpec, round: number, target?: Target, connections = CONNECTIONS) => {
      const store = target?.key;
      if (WARMUP > 0) await load(server.url, spec, WARMUP, connections);
      const meter = cpuMeter(server.child.pid, target?.database ? await backendPids(target.database) : []);
      const r = await load(server.url, spec, DURATION, connections);
      const cpu = meter();
      if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
        throw new Error(`${endpoint} (${server.name}): ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts`);
      }
      runs.push({ endpoint, store, round, connections, ...r, cpu });
      const cpuText = cpu ? `  cpu: server ${cpu.server}, postgres ${cpu.postgres}, autocannon ${cpu.loadgen}, kernel ${cpu.kernel}, other ${cpu.other} (of ${cpu.cores} cores)` : '';
      log(`${`${endpoint}${store ? ` ${STORES[store].label}` : ''}`.padEnd(36)} r${round}: ${String(r.rps).padStart(6)} req/s  p50 ${r.p50_ms.toFixed(2).padStart(6)} ms  p99 ${r.p99_ms.toFixed(2).padStart(6)} ms  (${connections} conn)${cpuText}`);
    };

    const quiet = async () => {
      const q = await waitForQuiet(QUIET_WAIT);
      if (q && q.waited_s > 0) log(`waited ${q.waited_s} s for other jobs to leave the machine idle (now ${q.busy} cores busy)`);
    };
    for (let round = 1; round <= ROUNDS; round++) {
      await quiet();
      await measure('hello-world', hello, specs.hello, round);
      for (const t of targets) {
        if (wanted('get')) await measure('get-by-id', t.server, specs.get, round, t);
        if (t.socket) await measure('get-by-id, Unix socket', t.socket, specs.get, round, t);
        if (wanted('list')) await measure('list 50 of 5,000', t.server, specs.list, round, t);
        if (wanted('list1')) await measure('list 50 of 5,000 @1conn', t.server, specs.list, round, t, 1);
        if (t.uncached) await measure('list, page cache off', t.uncached, specs.list, round, t);
      }
    }
    if (wanted('create')) await quiet();
    for (const t of targets) if (wanted('create')) await measure('create', t.server, specs.create, 1, t);
    await measure('hello-world', hello, specs.hello, ROUNDS + 1);

    const pids = new Map(targets.map((t) => [t.key, t.server.child.pid]));
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];

    const summary = summarize(runs);
    printSummary(summary);
    const notes = printNotes(summary, inproc);
    const profiles = PROFILE ? printProfiles(profileDir, pids, runs) : undefined;

    return {
      seed: {
        version: meta.seedVersion, cached, seconds: meta.seedSeconds, cards: meta.cardCount, boards: meta.boardIds.length,
        list_column_cards: Object.fromEntries(Object.entries(inproc).map(([k, r]) => [k, r.column_cards])),
        postgres: pgSeed && { database: pgSeed.name, cached: pgSeed.cached, seconds: pgSeed.seconds },
      },
      in_process: inproc,
      runs,
      summary,
      notes,
      profiles,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    if (sqliteFile) removeCopy(sqliteFile);
    if (pgDatabase) await dropRunDatabase(pgDatabase);
  }
}

function requestSpecs(meta: SeedMeta): Record<'hello' | 'get' | 'list' | 'create', RequestSpec> {
  const auth = { authorization: `Bearer ${meta.token}` };
  let nextCard = 0;
  const ids = meta.sampleCardIds;
  const listPath = `/xapi2/data/card?data__board_id=${meta.list.boardId}&data__status=${meta.list.status}&sort=data__position&limit=50`;
  const createBody = (n: number) =>
    JSON.stringify({
      title: `bench card ${n}`,
      description: 'Created by the benchmark: a short description of a few words, like most cards have.',
      board_id: meta.create.boardId,
      status: meta.create.status,
      priority: 'medium',
      tags: ['bench', 'perf'],
      assignee: 'ada',
    });
  return {
    hello: { method: 'GET', path: '/' },
    get: { method: 'GET', path: `/xapi2/data/card/${ids[0]}`, paths: ids.map((id) => `/xapi2/data/card/${id}`), headers: auth },
    list: { method: 'GET', path: listPath, headers: auth },
    create: {
      method: 'POST',
      path: '/xapi2/data/card',
      headers: { ...auth, 'content-type': 'application/json' },
      body: createBody(0),
      setup: (req) => ({ path: req.path, body: createBody(++nextCard) }),
    },
  };
}

/** One request, checked: its status, and its JSON body returned. */
async function smokeTest(server: Server, spec: RequestSpec, expected: number) {
  const res = await fetch(new URL(spec.path, server.url), { method: spec.method, headers: spec.headers, body: spec.body });
  const body = (await res.json()) as { data?: Array<{ id: string }>; meta?: { has_more: boolean } };
  if (res.status !== expected) throw new Error(`${server.name} ${spec.method} ${spec.path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** One request of each kind against a store's server, before any load; returns the listed ids. */
async function smokeTestStore(t: Target, specs: ReturnType<typeof requestSpecs>) {
  await smokeTest(t.server, specs.get, 200);
  if (t.socket) await smokeTest(t.socket, specs.get, 200);
  const list = await smokeTest(t.server, specs.list, 200);
  if (list.data?.length !== 50 || !list.meta?.has_more) throw new Error(`${t.server.name}: the list returned ${list.data?.length} cards; expected 50 and has_more`);
  await smokeTest(t.server, specs.create, 201);
  return list.data.map((c) => c.id).join();
}

type Summary = ReturnType<typeof summarize>;

function summarize(runs: Run[]) {
  // Each run is also compared with the hello-world run measured just before it in its round (the
  // machine is shared and its background load drifts; a paired ratio cancels most of the drift).
  let lastHello: Run | undefined;
  const paired = new Map<Run, number>();
  for (const r of runs) {
    if (r.endpoint === 'hello-world') lastHello = r;
    else if (lastHello) paired.set(r, r.rps / lastHello.rps);
  }
  const agg = (rs: Run[]) => ({
    samples: rs.length,
    connections: rs[0]?.connections,
    rps: Math.round(median(rs.map((r) => r.rps))),
    p50_ms: Number(median(rs.map((r) => r.p50_ms)).toFixed(2)),
    p99_ms: Number(median(rs.map((r) => r.p99_ms)).toFixed(2)),
    rps_all: rs.map((r) => r.rps),
    paired_ratios: rs.map((r) => Number((paired.get(r) ?? NaN).toFixed(3))),
    cpu: rs[0]?.cpu && {
      server: Number(median(rs.map((r) => r.cpu?.server ?? 0)).toFixed(2)),
      postgres: Number(median(rs.map((r) => r.cpu?.postgres ?? 0)).toFixed(2)),
      loadgen: Number(median(rs.map((r) => r.cpu?.loadgen ?? 0)).toFixed(2)),
      kernel: Number(median(rs.map((r) => r.cpu?.kernel ?? 0)).toFixed(2)),
      other: Number(median(rs.map((r) => r.cpu?.other ?? 0)).toFixed(2)),
    },
  });
  const hello = agg(runs.filter((r) => r.endpoint === 'hello-world'));
  const rows = ENDPOINTS.flatMap((endpoint) => STORE_KEYS.map((store) => ({ endpoint, store, ...agg(runs.filter((r) => r.endpoint === endpoint && r.store === store)) })))
    .filter((a) => a.samples > 0)
    .map((a) => ({
      ...a,
      ratio_to_hello: Number((a.rps / hello.rps).toFixed(3)),
      paired_ratio: Number(median(a.paired_ratios).toFixed(3)),
      // Hello-world's CPU per request over this one's (server + PostgreSQL): what the throughput
      // ratio would be if every request could use the whole machine; others' load barely moves it.
      cpu_ratio: a.cpu && hello.cpu ? Number((hello.cpu.server / hello.rps / ((a.cpu.server + a.cpu.postgres) / a.rps)).toFixed(3)) : undefined,
    }));
  const row = (endpoint: Endpoint, store: StoreKey) => rows.find((r) => r.endpoint === endpoint && r.store === store);

  const targets: Array<{ target: string; value: string; pass: boolean; informative?: boolean }> = [];
  for (const store of STORE_KEYS) {
    const { label, getTarget, getTargetFrom } = STORES[store];
    const get = row('get-by-id', store);
    if (get) {
      targets.push({
        target: `${label}: get-by-id ≥ ${getTarget * 100} % of hello-world req/s (${getTargetFrom}; median of per-round paired ratios, ratio of medians ${(get.ratio_to_hello * 100).toFixed(1)} %)`,
        value: `${(get.paired_ratio * 100).toFixed(1)} %`,
        pass: get.paired_ratio >= getTarget,
      });
      if (get.cpu_ratio !== undefined) {
        targets.push({
          target: `${label}: get-by-id's CPU per request (server${store === 'postgres' ? ' + PostgreSQL' : ''}) against hello-world's, the same ratio by cost (robust to others' load; informative)`,
          value: `${(get.cpu_ratio * 100).toFixed(1)} %`,
          pass: get.cpu_ratio >= getTarget,
          informative: true,
        });
      }
    }
    const viaSocket = row('get-by-id, Unix socket', store);
    if (viaSocket) {
      targets.push({
        target: `${label}: get-by-id through PostgreSQL's Unix socket instead of TCP (a database on the same machine; informative; ratio of medians ${(viaSocket.ratio_to_hello * 100).toFixed(1)} %)`,
        value: `${(viaSocket.paired_ratio * 100).toFixed(1)} %`,
        pass: viaSocket.paired_ratio >= getTarget,
        informative: true,
      });
    }
    const list = row('list 50 of 5,000', store);
    if (list) {
      targets.push({
        target: `${label}: list (50 of a 5,000-card column) p50 ≤ ${TARGET_LIST_P50_MS} ms at ${list.connections} connections (the bench's load)`,
        value: `${list.p50_ms} ms`,
        pass: list.p50_ms <= TARGET_LIST_P50_MS,
      });
    }
    const listOff = row('list, page cache off', store);
    if (listOff) {
      targets.push({
        target: `${label}: list p50 ≤ ${TARGET_LIST_P50_MS} ms at ${listOff.connections} connections with the page cache off (every page read from the database; informative)`,
        value: `${listOff.p50_ms} ms`,
        pass: listOff.p50_ms <= TARGET_LIST_P50_MS,
        informative: true,
      });
    }
    const list1 = row('list 50 of 5,000 @1conn', store);
    if (list1) {
      targets.push({
        target: `${label}: list p50 ≤ ${TARGET_LIST_P50_MS} ms at 1 connection (unloaded latency, no queueing; informative)`,
        value: `${list1.p50_ms} ms`,
        pass: list1.p50_ms <= TARGET_LIST_P50_MS,
        informative: true,
      });
    }
  }
  return { hello, rows, targets };
}

function printInProcess(results: Partial<Record<StoreKey, InProcessResult>>, meta: SeedMeta) {
  const entries = Object.entries(results) as Array<[StoreKey, InProcessResult]>;
  console.log(`\nSeeded database: ${meta.cardCount.toLocaleString('en')} cards on ${meta.boardIds.length} boards (one workspace); the measured column holds ` +
    entries.map(([k, r]) => `${r.column_cards.toLocaleString('en')} cards on ${STORES[k].label}`).join(', '));
  for (const [key, r] of entries) {
    const pg = key === 'postgres';
    console.log(`\n${pg ? 'EXPLAIN (ANALYZE, BUFFERS)' : 'EXPLAIN QUERY PLAN'} of the SQL the ${STORES[key].label} store runs (captured from the store, with its parameters):`);
    for (const p of r.plans) {
      console.log(`  ${p.ok ? 'OK  ' : 'BAD '} ${p.name}: ${p.note}`);
      console.log(`       ${p.sql.replace(/\s+/g, ' ')}`);
      if (p.params !== undefined) console.log(`       parameters: ${JSON.stringify(p.params)}`);
      for (const d of p.plan) console.log(pg ? `       ${d}` : `       → ${d}`);
    }
    const settings = (r as { settings?: Record<string, string> }).settings;
    if (settings) console.log(`  server settings: ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  const names = [...new Set(entries.flatMap(([, r]) => Object.keys(r.timings)))];
  console.log(`\nIn-process timings (no HTTP), ${INPROCESS_N}+ calls each, median / p99 in ms:`);
  console.log(`  ${'operation'.padEnd(50)}${entries.map(([k]) => STORES[k].label.padStart(22)).join('')}`);
  for (const name of names) {
    const cells = entries.map(([, r]) => {
      const t = r.timings[name];
      return (t ? `${t.median_ms.toFixed(3)} / ${t.p99_ms.toFixed(3)}` : '—').padStart(22);
    });
    console.log(`  ${name.padEnd(50)}${cells.join('')}`);
  }
  console.log('');
}

function printSummary(s: Summary) {
  const head = `${'endpoint'.padEnd(26)}${'store'.padEnd(12)}${'conn'.padStart(5)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'÷ hello'.padStart(9)}${'paired'.padStart(8)}${'by cpu'.padStart(8)}   cpu: server/pg/autocannon/kernel/other   cpu ms/req: server+pg   req/s per run`;
  console.log(`\nResults at ${CONNECTIONS} connections unless stated (medians over runs; hello-world measured ${s.hello.samples}× in this run, interleaved):\n`);
  console.log(head);
  console.log('-'.repeat(head.length));
  const line = (name: string, store: string, r: Summary['hello'], ratio: string, pairedRatio: string, cpuRatio: string) => {
    const cpu = r.cpu ? `${r.cpu.server.toFixed(2)}/${r.cpu.postgres.toFixed(2)}/${r.cpu.loadgen.toFixed(2)}/${r.cpu.kernel.toFixed(2)}/${r.cpu.other.toFixed(2)}` : '';
    const perRequest = r.cpu ? `${((1000 * r.cpu.server) / r.rps).toFixed(3)}+${((1000 * r.cpu.postgres) / r.rps).toFixed(3)}` : '';
    console.log(`${name.padEnd(26)}${store.padEnd(12)}${String(r.connections).padStart(5)}${String(r.rps).padStart(9)}${r.p50_ms.toFixed(2).padStart(9)}${r.p99_ms.toFixed(2).padStart(9)}${ratio.padStart(9)}${pairedRatio.padStart(8)}${cpuRatio.padStart(8)}   ${cpu.padEnd(41)}${perRequest.padEnd(24)}${r.rps_all.join(', ')}`);
  };
  line('hello-world (Fastify)', '', s.hello, '1.000', '', '');
  for (const r of s.rows) line(r.endpoint, STORES[r.store].label, r, r.ratio_to_hello.toFixed(3), r.paired_ratio.toFixed(3), r.cpu_ratio?.toFixed(3) ?? '');
  console.log('\n÷ hello: median req/s over the median hello-world req/s. paired: median over rounds of req/s ÷ the hello-world run just before.');
  console.log('by cpu: hello-world\'s CPU per request ÷ this one\'s (server + PostgreSQL), the throughput ratio if CPU were the only limit.');
  console.log('cpu: cores busy during the measurement (median over runs): the server under test, the PostgreSQL backends serving it, autocannon (this process),');
  console.log('     the kernel\'s interrupt work (loopback TCP), and everything else on the machine (others\' jobs, hypervisor steal).');
  console.log('cpu ms/req: CPU time per request in the server process and in PostgreSQL (cores ÷ req/s).');
  console.log('\nTargets:');
  for (const t of s.targets) console.log(`  ${verdictLine(t)}`);
}

/** A target and its verdict; informative ones say ok/miss in lower case, not PASS/MISS. */
function verdictLine(t: Summary['targets'][number]): string {
  return `${t.informative ? (t.pass ? 'ok  ' : 'miss') : t.pass ? 'PASS' : 'MISS'}  ${t.target}: ${t.value}`;
}

/** What the figures mean together: SQL versus HTTP cost, and latency versus concurrency. */
function printNotes(s: Summary, inproc: Partial<Record<StoreKey, InProcessResult>>): string[] {
  const notes: string[] = [];
  for (const store of STORE_KEYS) {
    const label = STORES[store].label;
    const row = (endpoint: Endpoint) => s.rows.find((r) => r.endpoint === endpoint && r.store === store);
    const t = (name: string) => Object.entries(inproc[store]?.timings ?? {}).find(([k]) => k.startsWith(name))?.[1];
    const list = row('list 50 of 5,000');
    const list1 = row('list 50 of 5,000 @1conn');
    const sql = t('list: SQL only');
    const full = t('list: listObjects + the response');
    if (sql && full) {
      notes.push(`${label} list in-process: the page's SQL (objects as JSON) ${sql.median_ms} ms; through listObjects (a seq check, then the cached page) with the response body ${full.median_ms} ms (medians)` +
        (list1 ? `; over HTTP at 1 connection p50 ${list1.p50_ms} ms (${list1.rps} req/s), so HTTP, auth and routing add about ${(list1.p50_ms - full.median_ms).toFixed(2)} ms` : ''));
    }
    const inlined = t('list: same SQL, values inlined');
    if (sql && inlined && sql.median_ms - inlined.median_ms > 0.05) {
      notes.push(`${label}: the list SQL costs ${sql.median_ms} ms with bound parameters but ${inlined.median_ms} ms with the same values inlined ` +
        '(SQLite re-plans a statement at each run when its plan may depend on a bound value; the difference is small beside the rest)');
    }
    if (list) {
      const little = (1000 * (list.connections ?? 1)) / list.rps;
      const queueing = list1 ? little > 2 * list1.p50_ms : false;
      notes.push(`${label} list at ${list.connections} connections: ${list.rps} req/s, so by Little's law a request spends about ${list.connections} ÷ ${list.rps} req/s = ` +
        `${little.toFixed(1)} ms in the server (p50 measured ${list.p50_ms} ms)` +
        (list1 ? `; alone (1 connection) it takes ${list1.p50_ms} ms, so ${queueing ? `the p50 at ${list.connections} connections is mostly queueing behind the other ${(list.connections ?? 1) - 1} requests` : 'queueing is not the main part'}` : '') +
        `. p50 ≤ ${TARGET_LIST_P50_MS} ms at ${list.connections} connections needs ≥ ${Math.round(((list.connections ?? 1) * 1000) / TARGET_LIST_P50_MS)} req/s` +
        (list.cpu ? `. Each list request cost ${cpuPerRequest(list)}; during it the server used ${list.cpu.server} cores, PostgreSQL ${list.cpu.postgres}, ` +
          `autocannon ${list.cpu.loadgen}, the kernel ${list.cpu.kernel}, others ${list.cpu.other}` : ''));
    }
    const get = row('get-by-id');
    const getT = t('get: store.getObject');
    const auth = t('auth: authenticate');
    const trip = t('round trip:');
    if (get && getT && auth) {
      notes.push(`${label} get-by-id in-process: getObject ${getT.median_ms} ms + authenticate ${auth.median_ms} ms` +
        (trip ? ` (one PostgreSQL round trip alone: ${trip.median_ms} ms; a request makes 1, its card, while its credential is cached)` : '') +
        `; over HTTP ${get.rps} req/s` +
        (get.cpu ? `, each costing ${cpuPerRequest(get)} (server ${get.cpu.server} cores, PostgreSQL ${get.cpu.postgres}, autocannon ${get.cpu.loadgen}, ` +
          `the kernel ${get.cpu.kernel}, others ${get.cpu.other}; hello-world costs ${cpuPerRequest(s.hello)})` : ''));
    }
  }
  if (notes.length > 0) {
    console.log('\nNotes:');
    for (const n of notes) console.log(`  - ${n}`);
  }
  return notes;
}

/** CPU per request from a row's shares: "0.250 ms of server CPU + 0.300 ms of PostgreSQL CPU". */
function cpuPerRequest(r: { rps: number; cpu?: { server: number; postgres: number } }): string {
  if (!r.cpu) return '?';
  const ms = (cores: number) => ((1000 * cores) / r.rps).toFixed(3);
  return `${ms(r.cpu.server)} ms of server CPU${r.cpu.postgres > 0 ? ` + ${ms(r.cpu.postgres)} ms of PostgreSQL CPU` : ''}`;
}

/** Each prodboard child's CPU profile (BENCH_PROFILE=1), summarised. */
function printProfiles(profileDir: string, pids: Map<StoreKey, number | undefined>, runs: Run[]) {
  const out: Record<string, ReturnType<typeof summarizeProfile>> = {};
  for (const [store, pid] of pids) {
    // V8 names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
    const name = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid));
    if (!name) continue;
    const file = join(profileDir, name);
    const profile = summarizeProfile(file, 25);
    out[store] = profile;
    const measured = [...new Set(runs.filter((r) => r.store === store).map((r) => r.endpoint))].join(', ');
    console.log(`\nCPU profile of the ${STORES[store].label} prodboard child (whole run: ${measured}), ${file}:`);
    console.log(`  self time by function (top ${profile.top.length}; total sampled ${profile.total_ms.toFixed(0)} ms busy, ${profile.idle_ms.toFixed(0)} ms idle):`);
    for (const f of profile.top) console.log(`  ${f.self_pct.toFixed(1).padStart(5)} %  ${f.self_ms.toFixed(0).padStart(6)} ms  ${f.fn}  ${f.where}`);
    console.log('  self time by area:');
    for (const a of profile.areas.filter((x) => x.pct >= 0.1)) console.log(`  ${a.pct.toFixed(1).padStart(5)} %  ${a.area}`);
    console.log('  inclusive time of prodboard functions (their synchronous part: time spent waiting for PostgreSQL is not in it):');
    for (const f of profile.inclusive.slice(0, 12)) console.log(`  ${f.total_pct.toFixed(1).padStart(5)} %  ${f.total_ms.toFixed(0).padStart(6)} ms  ${f.fn}  ${f.where}`);
  }
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
