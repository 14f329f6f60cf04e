/**
 * Paired measurement of this build against another (a baseline checkout), so that "nothing slower"
 * (issue 10) is judged inside one run on a shared, noisy machine rather than across two runs.
 *
 * Each build's `prodboard serve` (its packages/server/bin/prodboard.js) runs on a fresh database per
 * store (a SQLite file; a PostgreSQL database of its own), seeded alike through that build's own CLI
 * (`user create`, `token create`) and HTTP API (a board with a `todo` column of BENCH_PAIR_CARDS cards;
 * the creates go to a new board each round, so they never touch the listed column and each round's
 * creates start from an empty column, whichever build wrote more cards before). Then, round after
 * round, every endpoint is measured on both builds back to back, the order of the builds alternating
 * per round (A B, B A, ...), so drift in the machine's load falls on both alike:
 *
 *   get     GET  /xapi2/data/card/:id   (cycling through the seeded cards)
 *   list    GET  /xapi2/data/card?data__board_id=B&data__status=todo&sort=data__position&limit=50
 *   create  POST /xapi2/data/card
 *
 * The figure that matters is the server process's CPU time per request (from /proc/PID/stat: others'
 * jobs disturb it far less than req/s); req/s is printed beside it. PostgreSQL's backends' CPU per
 * request is printed too (informative: the statements a request sends cost there as well).
 * Printed: per endpoint and store, the medians of the rounds for each build and the ratio this ÷ baseline,
 * and the median (and range) of the rounds' own ratios: each round measures both builds back to back.
 *
 * Usage (build both first: `npm run build` here and in the baseline checkout):
 *   node --import tsx bench/pair.ts --baseline /work/wt/base90
 *   options: --stores sqlite,postgres  --only get,list,create  --rounds 5  --duration 5  --warmup 1
 *            --connections 10  --json FILE (the raw runs)
 *            --cpu-prof DIR (each server runs under node --cpu-prof, its profile written to DIR/<build>-<store>
 *            when it stops; summarise one with `node --import tsx bench/profile.ts FILE.cpuprofile`)
 *   PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres), the server the
 *   databases go on; they are named prodboard_pair_<pid>_<build>, and dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cpuMeter } from './cpu.js';
import { analyzeDatabase, databaseUrl, PG_URL, withPg } from './pg-seed.js';
import { load, PRODBOARD, spawnServer, type LoadResult, type RequestSpec, type Server } from './load.js';

const { values: opts } = parseArgs({
  options: {
    baseline: { type: 'string' },
    stores: { type: 'string', default: 'sqlite,postgres' },
    only: { type: 'string', default: 'get,list,create' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '10' },
    cards: { type: 'string', default: process.env.BENCH_PAIR_CARDS ?? '300' },
    json: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
if (!opts.baseline) {
  console.error('usage: node --import tsx bench/pair.ts --baseline DIR (another checkout, built) [--stores sqlite,postgres] [--only get,list,create] [--rounds N] [--duration S]');
  process.exit(2);
}
const BASELINE_BIN = join(resolve(opts.baseline), 'packages', 'server', 'bin', 'prodboard.js');
if (!existsSync(BASELINE_BIN)) throw new Error(`no ${BASELINE_BIN}`);
const STORES = opts.stores.split(',') as Array<'sqlite' | 'postgres'>;
const ENDPOINTS = opts.only.split(',') as Array<'get' | 'list' | 'create'>;
for (const s of STORES) if (s !== 'sqlite' && s !== 'postgres') throw new Error(`--stores: unknown store ${s}`);
for (const e of ENDPOINTS) if (!['get', 'list', 'create'].includes(e)) throw new Error(`--only: unknown endpoint ${e}`);
const ROUNDS = Number(opts.rounds);
const DURATION = Number(opts.duration);
const WARMUP = Number(opts.warmup);
const CONNECTIONS = Number(opts.connections);
const CARDS = Number(opts.cards);

const BUILDS = [
  { key: 'this', bin: PRODBOARD },
  { key: 'baseline', bin: BASELINE_BIN },
] as const;
type BuildKey = (typeof BUILDS)[number]['key'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const admin = <T>(fn: (client: pg.Client) => Promise<T>) => withPg(fn, PG_URL, 'prodboard-pair');
const pgName = (build: BuildKey) => `prodboard_pair_${process.pid}_${build}`;

interface Target {
  build: BuildKey;
  store: 'sqlite' | 'postgres';
  server: Server;
  database?: string;
  specs: Record<'get' | 'list' | 'create', RequestSpec>;
  /** Points the creates at a new, empty board (each round's creates start from an empty column). */
  freshCreateBoard(): Promise<void>;
  stop(): Promise<void>;
}

/** One build's server on one store, on a fresh database seeded through the build's own CLI and API. */
async function startTarget(build: BuildKey, bin: string, store: 'sqlite' | 'postgres'): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'prodboard-pair-'));
  let database: string | undefined;
  let where: string[];
  if (store === 'sqlite') where = ['--db', join(dir, 'pair.db')];
  else {
    database = pgName(build);
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${database}"`);
    });
    where = ['--database-url', databaseUrl(database)];
  }
  const cli = (args: string[]) => {
    const run = spawnSync(process.execPath, [bin, ...args, ...where], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${build}: prodboard ${args.slice(0, 2).join(' ')} failed: ${run.stderr || run.stdout}`);
    return run.stdout.trim();
  };
  const cleanup = async () => {
    rmSync(dir, { recursive: true, force: true });
    if (database) await admin((c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  };
  let server: Server | undefined;
  try {
    cli(['user', 'create', '--email', 'pair@example.com', '--password', 'pair passphrase 1', '--role', 'owner', '--workspace', 'pair']);
    const token = cli(['token', 'create', '--email', 'pair@example.com', '--name', 'pair', '--scopes', 'board:write,card:write']).split('\n').pop()!.trim();
    const profile = opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${join(resolve(opts['cpu-prof']), `${build}-${store}`)}`] : [];
    server = await spawnServer(`${build} ${store}`, [bin, 'serve', '--host', '127.0.0.1', '--port', '0', ...where], /running at (http:\/\/\S+)/, {}, profile);
    const auth = { authorization: `Bearer ${token}` };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(new URL(path, server!.url), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as any;
      if (res.status !== 201) throw new Error(`${build} ${store}: POST ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      return json;
    };
    const board = await post('/xapi2/data/board', { name: 'Pair list', columns: 'To do, Doing, Done' });
    let createBoard = '';
    const freshCreateBoard = async () => {
      createBoard = (await post('/xapi2/data/board', { name: 'Pair create', columns: 'To do, Done' })).id;
    };
    const ids: string[] = [];
    let status = '';
    for (let i = 0; i < CARDS; i++) {
      const card = await post('/xapi2/data/card', {
        title: `pair card ${i}`,
        description: 'Seeded by bench/pair.ts: a short description of a few words, like most cards have.',
        board_id: board.id,
        priority: 'medium',
        tags: ['pair', 'perf'],
      });
      ids.push(card.id);
      status = card.status ?? card.data?.status;
    }
    if (!status) throw new Error(`${build} ${store}: the seeded cards show no status`);
    if (database) await analyzeDatabase(database);
    await freshCreateBoard();
    let next = 0;
    const createBody = (n: number) =>
      JSON.stringify({
        title: `pair created ${n}`,
        description: 'Created by bench/pair.ts: a short description of a few words, like most cards have.',
        board_id: createBoard,
        priority: 'medium',
        tags: ['pair', 'perf'],
      });
    const specs: Target['specs'] = {
      get: { method: 'GET', path: `/xapi2/data/card/${ids[0]}`, paths: ids.map((id) => `/xapi2/data/card/${id}`), headers: auth },
      list: { method: 'GET', path: `/xapi2/data/card?data__board_id=${board.id}&data__status=${status}&sort=data__position&limit=50`, headers: auth },
      create: {
        method: 'POST',
        path: '/xapi2/data/card',
        headers: { ...auth, 'content-type': 'application/json' },
        body: createBody(0),
        setup: (req) => ({ path: req.path, body: createBody(++next) }),
      },
    };
    const s = server;
    return {
      build, store, server: s, database, specs, freshCreateBoard,
      stop: async () => {
        await s.stop();
        await cleanup();
      },
    };
  } catch (err) {
    await server?.stop();
    await cleanup();
    throw err;
  }
}

async function backendPids(database: string | undefined): Promise<number[]> {
  if (!database) return [];
  return admin(async (c) => (await c.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'prodboard'", [database])).rows.map((r) => r.pid));
}

interface Run extends LoadResult {
  build: BuildKey;
  store: string;
  endpoint: string;
  round: number;
  cpuUs?: number;
  pgCpuUs?: number;
}

const runs: Run[] = [];
const targets: Target[] = [];
try {
  for (const store of STORES) for (const { key, bin } of BUILDS) {
    const t = await startTarget(key, bin, store);
    targets.push(t);
    console.log(`${key} ${store}: ${t.server.url} (pid ${t.server.child.pid}), seeded ${CARDS} cards`);
  }
  for (let round = 1; round <= ROUNDS; round++) {
    const order: BuildKey[] = round % 2 ? ['this', 'baseline'] : ['baseline', 'this'];
    for (const endpoint of ENDPOINTS) for (const store of STORES) for (const build of order) {
      const t = targets.find((x) => x.build === build && x.store === store)!;
      const spec = t.specs[endpoint];
      if (endpoint === 'create') await t.freshCreateBoard();
      if (WARMUP > 0) await load(t.server.url, spec, WARMUP, CONNECTIONS);
      const meter = cpuMeter(t.server.child.pid, await backendPids(t.database));
      const r: Run = { ...(await load(t.server.url, spec, DURATION, CONNECTIONS)), build, store, endpoint, round };
      const cpu = meter();
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${build} ${store} ${endpoint}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
      if (cpu && r.requests > 0) {
        r.cpuUs = Math.round((cpu.server * r.seconds * 1e6) / r.requests);
        if (t.database) r.pgCpuUs = Math.round((cpu.postgres * r.seconds * 1e6) / r.requests);
      }
      runs.push(r);
      console.log(`round ${round} ${endpoint.padEnd(6)} ${store.padEnd(8)} ${build.padEnd(8)} ${String(r.rps).padStart(6)} req/s  server CPU ${r.cpuUs} µs/req${r.pgCpuUs === undefined ? '' : `  postgres ${r.pgCpuUs} µs/req`}  p50 ${r.p50_ms} ms`);
    }
  }
} finally {
  for (const t of targets) await t.stop();
}

if (opts.json) writeFileSync(opts.json, JSON.stringify(runs, null, 1));
console.log(`\nmedians of ${ROUNDS} rounds (${DURATION} s, ${CONNECTIONS} connections); ratio = this ÷ baseline (CPU: < 1 is cheaper; req/s: > 1 is faster)`);
console.log('paired = the median of the rounds\' own CPU ratios (each round measures both builds back to back, so drift in the machine\'s load cancels), with their range');
console.log(`${'endpoint'.padEnd(8)} ${'store'.padEnd(9)} ${'CPU µs/req this'.padStart(16)} ${'baseline'.padStart(9)} ${'ratio'.padStart(6)} ${'paired'.padStart(6)} ${'range'.padStart(11)}   ${'req/s this'.padStart(10)} ${'baseline'.padStart(9)} ${'ratio'.padStart(6)}   pg µs/req this/baseline`);
for (const endpoint of ENDPOINTS) for (const store of STORES) {
  const pick = (build: BuildKey) => runs.filter((r) => r.build === build && r.store === store && r.endpoint === endpoint);
  const [a, b] = [pick('this'), pick('baseline')];
  const m = (rs: Run[], f: (r: Run) => number | undefined) => median(rs.flatMap((r) => (f(r) === undefined ? [] : [f(r)!])));
  const [cpuA, cpuB, rpsA, rpsB] = [m(a, (r) => r.cpuUs), m(b, (r) => r.cpuUs), m(a, (r) => r.rps), m(b, (r) => r.rps)];
  const pgText = store === 'postgres' ? `${m(a, (r) => r.pgCpuUs)}/${m(b, (r) => r.pgCpuUs)}` : '';
  const paired = a.flatMap((r) => {
    const other = b.find((o) => o.round === r.round);
    return other?.cpuUs && r.cpuUs !== undefined ? [r.cpuUs / other.cpuUs] : [];
  });
  const range = paired.length > 0 ? `${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)}` : '';
  console.log(
    `${endpoint.padEnd(8)} ${store.padEnd(9)} ${String(cpuA).padStart(16)} ${String(cpuB).padStart(9)} ${(cpuA / cpuB).toFixed(3).padStart(6)} ${median(paired).toFixed(3).padStart(6)} ${range.padStart(11)}   ` +
      `${String(rpsA).padStart(10)} ${String(rpsB).padStart(9)} ${(rpsA / rpsB).toFixed(3).padStart(6)}   ${pgText}`,
  );
}
