/**
 * `npm run bench`: prodboard under autocannon beside a plain Fastify hello-world, on a database of
 * 100,000 cards, plus the list query timed in-process and its query plan.
 *
 *   get-by-id  GET  /xapi2/data/card/:id                  (random ids out of 5,000)
 *   list       GET  /xapi2/data/card?data__board_id=B&data__status=todo&sort=data__position&limit=50
 *                   (the first 50 of a 5,000-card column)
 *   create     POST /xapi2/data/card                       (at the end of a 1,203-card column)
 *
 * Each server runs in a child process of its own (the prodboard one is the real `prodboard serve`),
 * autocannon runs here. Targets: get-by-id ≥ 50 % of hello-world throughput; list p50 ≤ 5 ms.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (10),
 * BENCH_ROUNDS (2), BENCH_INPROCESS_N (500), BENCH_PROFILE=1 (CPU-profile the prodboard child:
 * bench/results/profiles/), BENCH_ONLY=get,list,list1,create (measure only those, for profiling one).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSeed, freshCopy, removeCopy, type SeedMeta } from './seed.js';
import { measureInProcess, type InProcessResult } from './inprocess.js';
import { load, spawnServer, type LoadResult, type RequestSpec, type Server } from './load.js';
import { summarizeProfile } from './profile.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RESULTS = join(ROOT, 'bench', 'results');
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const DURATION = env('BENCH_DURATION', 10);
const WARMUP = env('BENCH_WARMUP', 2);
const CONNECTIONS = env('BENCH_CONNECTIONS', 10);
const ROUNDS = env('BENCH_ROUNDS', 2);
const INPROCESS_N = env('BENCH_INPROCESS_N', 500);
const PROFILE = process.env.BENCH_PROFILE === '1';
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : undefined;
const wanted = (key: string) => !ONLY || ONLY.has(key);

const TARGET_GET_RATIO = 0.5;
const TARGET_LIST_P50_MS = 5;

const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Run extends LoadResult {
  name: string;
  round: number;
  connections: number;
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  console.log(`prodboard bench: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`autocannon: ${DURATION} s per measurement after ${WARMUP} s warm-up, ${CONNECTIONS} connections, ${ROUNDS} rounds\n`);

  const { meta, cached } = await ensureSeed(RESULTS, log);
  const db = freshCopy(RESULTS, `run-${process.pid}.db`);
  log(`fresh copy for this run: ${db}`);

  let servers: Server[] = [];
  try {
    log(`in-process: ${INPROCESS_N} calls of each store operation, no HTTP ...`);
    const inproc = await measureInProcess(db, meta, INPROCESS_N);
    printInProcess(inproc, meta);

    const profileDir = join(RESULTS, 'profiles');
    const nodeFlags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    if (PROFILE) rmSync(profileDir, { recursive: true, force: true });
    const hello = await spawnServer('hello-world', [join(ROOT, 'bench', 'hello-child.mjs')], /^READY (\S+)/, {}, nodeFlags);
    const board = await spawnServer(
      'prodboard',
      [join(ROOT, 'packages', 'server', 'bin', 'prodboard.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db],
      /Production Board is running at (\S+)/,
      {},
      nodeFlags,
    );
    servers = [hello, board];
    const boardPid = board.child.pid;
    log(`servers up: hello-world ${hello.url} (pid ${hello.child.pid}), prodboard ${board.url} (pid ${board.child.pid}${PROFILE ? ', CPU-profiled' : ''})`);

    const specs = requestSpecs(meta);
    await smokeTest(hello, board, specs);

    const runs: Run[] = [];
    const measure = async (name: string, server: Server, spec: RequestSpec, round: number, connections = CONNECTIONS) => {
      if (WARMUP > 0) await load(server.url, spec, WARMUP, connections);
      const r = await load(server.url, spec, DURATION, connections);
      if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
        throw new Error(`${name}: ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts`);
      }
      runs.push({ name, round, connections, ...r });
      log(`${name.padEnd(24)} round ${round}: ${String(r.rps).padStart(6)} req/s  p50 ${r.p50_ms.toFixed(2)} ms  p99 ${r.p99_ms.toFixed(2)} ms  (${connections} conn)`);
    };

    for (let round = 1; round <= ROUNDS; round++) {
      await measure('hello-world', hello, specs.hello, round);
      if (wanted('get')) await measure('get-by-id', board, specs.get, round);
      if (wanted('list')) await measure('list 50 of 5,000', board, specs.list, round);
    }
    if (wanted('list1')) await measure('list 50 of 5,000 @1conn', board, specs.list, 1, 1);
    if (wanted('create')) await measure('create', board, specs.create, 1);
    await measure('hello-world', hello, specs.hello, ROUNDS + 1);

    await Promise.all(servers.map((s) => s.stop()));
    servers = [];

    const summary = summarize(runs);
    printSummary(summary);
    printNotes(summary, inproc);

    let profile: ReturnType<typeof summarizeProfile> | undefined;
    if (PROFILE) {
      // V8 names profiles CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
      const name = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(boardPid));
      const file = name && join(profileDir, name);
      if (file) {
        profile = summarizeProfile(file, 25);
        const measured = [...new Set(runs.filter((r) => r.name !== 'hello-world').map((r) => r.name))].join(', ');
        console.log(`\nCPU profile of the prodboard child (whole run: ${measured}), ${file}:`);
        console.log(`  self time by function (top ${profile.top.length}; total sampled ${profile.total_ms.toFixed(0)} ms):`);
        for (const f of profile.top) console.log(`  ${f.self_pct.toFixed(1).padStart(5)} %  ${f.self_ms.toFixed(0).padStart(6)} ms  ${f.fn}  ${f.where}`);
        console.log('  self time by area:');
        for (const a of profile.areas) console.log(`  ${a.pct.toFixed(1).padStart(5)} %  ${a.area}`);
      }
    }

    const json = {
      when: new Date().toISOString(),
      machine: { node: process.version, cpus: cpus().length, model: cpus()[0]?.model, loadavg_end: loadavg() },
      settings: { duration_s: DURATION, warmup_s: WARMUP, connections: CONNECTIONS, rounds: ROUNDS, in_process_n: INPROCESS_N, profiled: PROFILE },
      seed: { version: meta.seedVersion, cached, seconds: meta.seedSeconds, cards: meta.cardCount, boards: meta.boardIds.length, list_column_cards: inproc.column_cards },
      in_process: inproc,
      runs,
      summary,
      profile,
      total_seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    log(`wrote ${join(RESULTS, 'latest.json')}; total ${json.total_seconds} s`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    removeCopy(db);
  }
}

function requestSpecs(meta: SeedMeta): Record<'hello' | 'get' | 'list' | 'create', RequestSpec> {
  const auth = { authorization: `Bearer ${meta.token}` };
  let nextId = 0;
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
    get: { method: 'GET', path: `/xapi2/data/card/${ids[0]}`, headers: auth, setup: () => ({ path: `/xapi2/data/card/${ids[nextId++ % ids.length]}` }) },
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

/** One request of each kind, checked, before any load. */
async function smokeTest(hello: Server, board: Server, specs: ReturnType<typeof requestSpecs>) {
  const call = async (server: Server, spec: RequestSpec, expected: number) => {
    const res = await fetch(new URL(spec.path, server.url), { method: spec.method, headers: spec.headers, body: spec.body });
    const body = (await res.json()) as { data?: unknown[]; meta?: { has_more: boolean } };
    if (res.status !== expected) throw new Error(`${spec.method} ${spec.path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };
  await call(hello, specs.hello, 200);
  await call(board, specs.get, 200);
  const list = await call(board, specs.list, 200);
  if (list.data?.length !== 50 || !list.meta?.has_more) throw new Error(`the list returned ${list.data?.length} cards; expected 50 and has_more`);
  await call(board, specs.create, 201);
}

function summarize(runs: Run[]) {
  // Each run is also compared with the hello-world run measured just before it (the machine is
  // noisy, and its background load drifts; a paired ratio cancels most of the drift).
  let lastHello: Run | undefined;
  const paired = new Map<Run, number>();
  for (const r of runs) {
    if (r.name === 'hello-world') lastHello = r;
    else if (lastHello) paired.set(r, r.rps / lastHello.rps);
  }
  const agg = (name: string) => {
    const rs = runs.filter((r) => r.name === name);
    return {
      samples: rs.length,
      connections: rs[0]?.connections,
      rps: Math.round(median(rs.map((r) => r.rps))),
      p50_ms: Number(median(rs.map((r) => r.p50_ms)).toFixed(2)),
      p99_ms: Number(median(rs.map((r) => r.p99_ms)).toFixed(2)),
      rps_all: rs.map((r) => r.rps),
      paired_ratios: rs.map((r) => Number((paired.get(r) ?? NaN).toFixed(3))),
    };
  };
  const hello = agg('hello-world');
  const rows = ['get-by-id', 'list 50 of 5,000', 'list 50 of 5,000 @1conn', 'create']
    .map((name) => ({ name, ...agg(name) }))
    .filter((a) => a.samples > 0)
    .map((a) => ({ ...a, ratio_to_hello: Number((a.rps / hello.rps).toFixed(3)), paired_ratio: Number(median(a.paired_ratios).toFixed(3)) }));
  const row = (name: string) => rows.find((r) => r.name === name);
  const targets: Array<{ target: string; value: string; pass: boolean }> = [];
  const get = row('get-by-id');
  if (get) {
    targets.push({
      target: `get-by-id ≥ ${TARGET_GET_RATIO * 100} % of hello-world req/s (median of per-round paired ratios; ratio of medians ${(get.ratio_to_hello * 100).toFixed(1)} %)`,
      value: `${(get.paired_ratio * 100).toFixed(1)} %`,
      pass: get.paired_ratio >= TARGET_GET_RATIO,
    });
  }
  const list = row('list 50 of 5,000');
  if (list) {
    targets.push({ target: `list (50 of a 5,000-card column) p50 ≤ ${TARGET_LIST_P50_MS} ms at ${list.connections} connections`, value: `${list.p50_ms} ms`, pass: list.p50_ms <= TARGET_LIST_P50_MS });
  }
  const list1 = row('list 50 of 5,000 @1conn');
  if (list1) {
    targets.push({ target: `list p50 ≤ ${TARGET_LIST_P50_MS} ms at 1 connection (unloaded latency; informative)`, value: `${list1.p50_ms} ms`, pass: list1.p50_ms <= TARGET_LIST_P50_MS });
  }
  return { hello, rows, targets };
}

function printInProcess(r: InProcessResult, meta: SeedMeta) {
  console.log(`\nSeeded database: ${meta.cardCount.toLocaleString('en')} cards on ${meta.boardIds.length} boards; the measured column holds ${r.column_cards.toLocaleString('en')} cards`);
  console.log('\nEXPLAIN QUERY PLAN of the SQL the store prepares:');
  for (const p of r.plans) {
    console.log(`  ${p.ok ? 'OK  ' : 'BAD '} ${p.name}: ${p.note}`);
    console.log(`       ${p.sql.replace(/\s+/g, ' ')}`);
    for (const d of p.plan) console.log(`       → ${d}`);
  }
  console.log(`\nIn-process timings (no HTTP), ${INPROCESS_N}+ calls each:`);
  console.log(`  ${'operation'.padEnd(52)} ${'median'.padStart(9)} ${'p99'.padStart(9)}`);
  for (const [name, t] of Object.entries(r.timings)) {
    console.log(`  ${name.padEnd(52)} ${t.median_ms.toFixed(3).padStart(6)} ms ${t.p99_ms.toFixed(3).padStart(6)} ms`);
  }
  console.log('');
}

function printSummary(s: ReturnType<typeof summarize>) {
  const head = `${'endpoint'.padEnd(26)}${'conn'.padStart(5)}${'req/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'÷ hello'.padStart(9)}${'paired'.padStart(8)}   req/s per run`;
  console.log(`\nResults (medians over runs; hello-world measured ${s.hello.samples}× in this run, interleaved):\n`);
  console.log(head);
  console.log('-'.repeat(head.length));
  const line = (name: string, r: { connections?: number; rps: number; p50_ms: number; p99_ms: number; rps_all: number[] }, ratio: string, pairedRatio: string) =>
    console.log(`${name.padEnd(26)}${String(r.connections).padStart(5)}${String(r.rps).padStart(9)}${r.p50_ms.toFixed(2).padStart(9)}${r.p99_ms.toFixed(2).padStart(9)}${ratio.padStart(9)}${pairedRatio.padStart(8)}   ${r.rps_all.join(', ')}`);
  line('hello-world (Fastify)', s.hello, '1.000', '');
  for (const r of s.rows) line(r.name, r, r.ratio_to_hello.toFixed(3), r.paired_ratio.toFixed(3));
  console.log('\n÷ hello: median req/s over the median hello-world req/s. paired: median over runs of req/s ÷ the hello-world run just before.');
  console.log('\nTargets:');
  for (const t of s.targets) console.log(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.target}: ${t.value}`);
}

/** What the figures mean together: SQL versus HTTP cost, and latency versus concurrency. */
function printNotes(s: ReturnType<typeof summarize>, inproc: InProcessResult) {
  const row = (name: string) => s.rows.find((r) => r.name === name);
  const t = (name: string) => Object.entries(inproc.timings).find(([k]) => k.startsWith(name))?.[1];
  const notes: string[] = [];
  const list = row('list 50 of 5,000');
  const list1 = row('list 50 of 5,000 @1conn');
  const sql = t('list: SQL only');
  const full = t('list: listObjects + present');
  if (sql && full) {
    notes.push(`list in-process: SQL ${sql.median_ms} ms, + row decoding, presenting and JSON ${full.median_ms} ms (medians)` +
      (list1 ? `; over HTTP at 1 connection p50 ${list1.p50_ms} ms, so HTTP + auth add about ${(list1.p50_ms - full.median_ms).toFixed(2)} ms` : ''));
  }
  const inlined = t('list: same SQL, values inlined');
  if (sql && inlined && sql.median_ms - inlined.median_ms > 0.05) {
    notes.push(`the list SQL costs ${sql.median_ms} ms with bound parameters but ${inlined.median_ms} ms with the same values inlined: ` +
      'SQLite recompiles a statement at every execution when its plan may depend on a bound value ' +
      '(a partial-index condition such as is_deleted = ?, or an index column with sqlite_stat4 samples)');
  }
  if (list) {
    notes.push(`at ${list.connections} connections a request waits behind the others (Little's law: latency ≈ connections ÷ throughput = ` +
      `${list.connections} ÷ ${list.rps} req/s = ${((1000 * (list.connections ?? 1)) / list.rps).toFixed(1)} ms); p50 ≤ ${TARGET_LIST_P50_MS} ms there needs ≥ ${Math.round(((list.connections ?? 1) * 1000) / TARGET_LIST_P50_MS)} req/s`);
  }
  const get = row('get-by-id');
  const getT = t('get: store.getObject');
  const auth = t('auth:');
  if (get && getT && auth) {
    notes.push(`get-by-id in-process: getObject ${getT.median_ms} ms + authenticate ${auth.median_ms} ms; over HTTP ${get.rps} req/s ≈ ${(1000 / get.rps).toFixed(3)} ms of server time per request (one core)`);
  }
  if (notes.length > 0) {
    console.log('\nNotes:');
    for (const n of notes) console.log(`  - ${n}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
