/**
 * The benchmark database: one workspace, one owner with a PAT, 250 boards and 1,000,000 cards
 * (BENCH_CARDS), one column of which (board 0, `todo`) holds exactly 5,000 cards; the other 999
 * columns share the rest (about 1,000 each). Built once through the store, in transactions of
 * 50,000 cards with progress printed, and cached under bench/results/ keyed by SEED_VERSION, the
 * card count and the schema version; every run works on a fresh copy (creates write to it).
 * The PostgreSQL seed (pg-seed.ts) is this database moved with `prodboard copy`'s code.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { DEFAULT_COLUMNS, PRIORITIES, parseScopes, type Json } from '@prodboard/shared';
import { openSqliteStore } from '../packages/server/dist/store/sqlite/sqlite-store.js';
import { userCreator } from '../packages/server/dist/commands/user-creator.js';
import { accessTokenCreator } from '../packages/server/dist/commands/access-token-creator.js';
import { POSITION_STEP } from '../packages/server/dist/commands/card-placement.js';
import { MIGRATIONS } from '../packages/server/dist/store/sqlite/migrations.js';
import type { ObjectRow } from '../packages/server/dist/store/types.js';
import { prng } from '../packages/web/test/seed-board.js';

/** Bump when the seeded data or its layout changes: the cache is keyed by it (and by the schema version). */
export const SEED_VERSION = 2;
const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

export const SEED = {
  boards: 250,
  cards: process.env.BENCH_CARDS ? Number(process.env.BENCH_CARDS) : 1_000_000,
  /** Cards in the measured column (board 0, first column). */
  bigColumn: 5_000,
  sampleIds: 5_000,
} as const;

/** Cards per seeding transaction (and per progress line). */
const CHUNK = 50_000;

/** A progress printer: done/total, rate and time left, at most every 10 s and at the end. */
export function progressLog(what: string, total: number, log: (line: string) => void): (done: number) => void {
  const started = performance.now();
  let last = 0;
  return (done) => {
    const now = performance.now();
    if (done === 0 || (done < total && now - last < 10_000)) return;
    last = now;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const left = done < total ? `, about ${Math.ceil((total - done) / rate)} s left` : '';
    log(`  ${what}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${Math.round(rate).toLocaleString('en')}/s${left})`);
  };
}

/** What the benchmark needs to know about a seeded database. */
export interface SeedMeta {
  seedVersion: number;
  createdAt: string;
  seedSeconds: number;
  email: string;
  /** The PAT's secret (the database only holds its hash); bench data only. */
  token: string;
  userId: string;
  workspaceId: string;
  boardIds: string[];
  cardCount: number;
  /** The measured list: board 0's `todo` column with exactly SEED.bigColumn cards. */
  list: { boardId: string; status: string; cards: number };
  /** Where creates go: board 1's `todo` column (not the measured one). */
  create: { boardId: string; status: string; cards: number };
  /** Random live card ids, for get-by-id. */
  sampleCardIds: string[];
}


const WORDS = (
  'deploy review migrate refactor login billing invoice export search cache queue retry timeout webhook ' +
  'onboarding dashboard report mobile layout drag drop column board token scope audit upload avatar email ' +
  'notification locale date filter sort archive restore trash import csv pdf chart metric alert latency'
).split(' ');
const PEOPLE = ['ada', 'grace', 'linus', 'barbara', 'ken', 'margaret', 'dennis', 'frances'];
const TAGS = ['bug', 'feature', 'ui', 'api', 'infra', 'docs', 'security', 'perf', 'customer', 'tech-debt'];

export function seedPaths(resultsDir: string) {
  const base = join(resultsDir, `seed-v${SEED_VERSION}-${SEED.cards}cards-schema${SCHEMA_VERSION}`);
  return { db: `${base}.db`, meta: `${base}.json` };
}

/** The cached seed, when it exists and is of this version. */
export function cachedSeed(resultsDir: string): SeedMeta | undefined {
  const paths = seedPaths(resultsDir);
  if (!existsSync(paths.db) || !existsSync(paths.meta)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(paths.meta, 'utf8')) as SeedMeta;
    return meta.seedVersion === SEED_VERSION && meta.cardCount === SEED.cards ? meta : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the seed database (into a temporary file, renamed into place when complete). */
export async function buildSeed(resultsDir: string, log: (line: string) => void): Promise<SeedMeta> {
  mkdirSync(resultsDir, { recursive: true });
  const paths = seedPaths(resultsDir);
  const tmp = `${paths.db}.tmp`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const started = performance.now();
  const store = openSqliteStore(tmp);
  await store.migrate();
  // A big page cache keeps the 11 expression indexes in memory during the bulk load, and the
  // temporary file needs no journal: if the build fails it is thrown away and started again.
  store.connection.pragma('cache_size = -2097152');
  store.connection.pragma('journal_mode = OFF');
  store.connection.pragma('synchronous = OFF');

  const email = 'bench@example.com';
  const { user, workspace } = await userCreator(store, { email, password: 'bench password 123', role: 'owner', workspace: 'bench' });
  const { token } = await accessTokenCreator(store, {
    userId: user.id, workspaceId: workspace.id, name: 'bench', scopes: parseScopes(undefined), expiresAt: null,
  });

  const rand = prng(0xb0a7d);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const yearMs = 365 * 86_400_000;
  const t0 = Date.now() - yearMs;
  const at = (ms: number) => new Date(ms).toISOString();

  const base = (id: string, type: string, ms: number, data: Record<string, Json>): ObjectRow => ({
    id, workspace_id: workspace.id, type, status: 'active', owned_by: user.id, created_by: user.id, updated_by: user.id,
    is_archived: false, is_deleted: false, created_at: at(ms), updated_at: at(ms), version: 1,
    deleted_at: null, deleted_with: null, data,
  });

  // Columns: every (board, column key). Column 0 is the measured one; the rest share the other cards.
  const boardIds: string[] = [];
  const columns: Array<{ boardId: string; status: string }> = [];
  const boardRows: ObjectRow[] = [];
  for (let b = 0; b < SEED.boards; b++) {
    const ms = t0 + b * 60_000;
    const id = uuidv7({ msecs: ms });
    boardIds.push(id);
    boardRows.push(base(id, 'board', ms, {
      name: b === 0 ? 'Bench: the 5,000-card column' : `Bench board ${b}`,
      description: `Board ${b} of the prodboard benchmark`,
      accent: 'blue',
      tags: ['bench'],
      settings: {},
      columns: DEFAULT_COLUMNS.map((c) => ({ ...c })) as unknown as Json,
    }));
    for (const c of DEFAULT_COLUMNS) columns.push({ boardId: id, status: c.key });
  }

  // Which column each card goes to, in creation order: the big column gets exactly SEED.bigColumn,
  // the others share the rest evenly; shuffled so a column's rows are spread over the table as in life.
  const assignment = new Uint16Array(SEED.cards);
  for (let i = 0; i < SEED.cards; i++) assignment[i] = i < SEED.bigColumn ? 0 : 1 + ((i - SEED.bigColumn) % (columns.length - 1));
  for (let i = assignment.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [assignment[i], assignment[j]] = [assignment[j], assignment[i]];
  }
  const counts = new Array<number>(columns.length).fill(0);
  const cardIds: string[] = [];
  const firstCardMs = t0 + SEED.boards * 60_000;
  const spacing = Math.floor((yearMs - SEED.boards * 60_000 - 3_600_000) / SEED.cards);

  await store.transaction(async (tx) => {
    for (const row of boardRows) {
      await tx.insertObject(row);
      await tx.insertActivity(activity(row));
    }
  });
  const progress = progressLog('cards', SEED.cards, log);
  for (let from = 0; from < SEED.cards; from += CHUNK) {
    await store.transaction(async (tx) => {
      for (let i = from; i < Math.min(SEED.cards, from + CHUNK); i++) {
        const col = assignment[i];
        counts[col] += 1;
        const ms = firstCardMs + i * spacing;
        const id = uuidv7({ msecs: ms });
        cardIds.push(id);
        const words = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => pick(WORDS));
        const data: Record<string, Json> = {
          title: `${words.join(' ')} #${i}`,
          description: Array.from({ length: 10 + Math.floor(rand() * 30) }, () => pick(WORDS)).join(' '),
          board_id: columns[col].boardId,
          status: columns[col].status,
          // As the server places a card created at the end of its column: steps of POSITION_STEP.
          position: counts[col] * POSITION_STEP,
          priority: pick(PRIORITIES),
          tags: [...new Set([pick(TAGS), pick(TAGS)])],
        };
        if (rand() < 0.7) data.assignee = pick(PEOPLE);
        if (rand() < 0.3) data.due_date = at(ms + Math.floor(rand() * 60) * 86_400_000).slice(0, 10);
        const row = base(id, 'card', ms, data);
        await tx.insertObject(row);
        await tx.insertActivity(activity(row));
      }
    });
    progress(Math.min(SEED.cards, from + CHUNK));
  }

  function activity(row: ObjectRow) {
    return {
      workspace_id: workspace.id, actor_id: user.id, token_id: null, object_type: row.type, object_id: row.id,
      action: 'create' as const, changes: Object.fromEntries(Object.entries(row.data).map(([k, v]) => [k, [null, v] as [Json, Json]])),
      created_at: row.created_at,
    };
  }

  log('analyzing the seed ...');
  store.analyze();
  store.connection.pragma('journal_mode = WAL');
  await store.close();
  renameSync(tmp, paths.db);
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });

  const sample: string[] = [];
  for (let i = 0; i < SEED.sampleIds; i++) sample.push(cardIds[Math.floor(rand() * cardIds.length)]);
  const meta: SeedMeta = {
    seedVersion: SEED_VERSION,
    createdAt: new Date().toISOString(),
    seedSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    email,
    token,
    userId: user.id,
    workspaceId: workspace.id,
    boardIds,
    cardCount: SEED.cards,
    list: { boardId: columns[0].boardId, status: columns[0].status, cards: counts[0] },
    create: { boardId: columns[DEFAULT_COLUMNS.length].boardId, status: columns[DEFAULT_COLUMNS.length].status, cards: counts[DEFAULT_COLUMNS.length] },
    sampleCardIds: sample,
  };
  writeFileSync(paths.meta, JSON.stringify(meta, null, 2));
  log(`seeded ${SEED.cards.toLocaleString('en')} cards on ${SEED.boards} boards in ${meta.seedSeconds} s → ${paths.db}`);
  return meta;
}

/**
 * Removes what earlier runs left in resultsDir: seeds of other versions or schemas (a few GB each
 * at a million cards), and run copies whose benchmark process is gone. Seeds of other sizes stay.
 */
export function removeStaleFiles(resultsDir: string, log: (line: string) => void): void {
  if (!existsSync(resultsDir)) return;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const file of readdirSync(resultsDir)) {
    const seed = /^seed-v(\d+)-.*?schema(\d+)\.(db|json)$/.exec(file) ?? (/^seed-/.test(file) ? [] : null);
    const copy = /^(?:run|pg-source)-(\d+)\.db(?:-wal|-shm)?$/.exec(file);
    const stale = seed ? Number(seed[1]) !== SEED_VERSION || Number(seed[2]) !== SCHEMA_VERSION : copy ? !alive(Number(copy[1])) : false;
    if (stale) {
      log(`removing stale ${file}`);
      rmSync(join(resultsDir, file), { force: true });
    }
  }
}

/** The cached seed, or a new one. */
export async function ensureSeed(resultsDir: string, log: (line: string) => void): Promise<{ meta: SeedMeta; cached: boolean }> {
  removeStaleFiles(resultsDir, log);
  const cached = cachedSeed(resultsDir);
  if (cached) {
    log(`using cached seed v${SEED_VERSION} (${cached.cardCount.toLocaleString('en')} cards, built in ${cached.seedSeconds} s): ${seedPaths(resultsDir).db}`);
    return { meta: cached, cached: true };
  }
  log(`building seed v${SEED_VERSION}: ${SEED.cards.toLocaleString('en')} cards on ${SEED.boards} boards ...`);
  return { meta: await buildSeed(resultsDir, log), cached: false };
}

/** A fresh copy of the seed for one run (creates write to it). */
export function freshCopy(resultsDir: string, name: string): string {
  const target = join(resultsDir, name);
  for (const f of [target, `${target}-wal`, `${target}-shm`]) rmSync(f, { force: true });
  copyFileSync(seedPaths(resultsDir).db, target);
  return target;
}

/** Removes a run's copy. */
export function removeCopy(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
}
