/**
 * "moves into a 3,000-card column": one client moves cards, one request at a time, from another
 * column into the middle of a 3,000-card column, each just before the same card, so the gap there
 * halves until the server must respace the column (about every 30 moves): the p99 is the respace.
 * Timed over HTTP against a real `prodboard serve` per store, on a small database of its own (the
 * 1,000,000-card seed's measured column must stay as the list measurements expect it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Json } from '@prodboard/shared';
import type { ObjectRow, Store } from '../packages/server/dist/store/types.js';
import { spawnServer, type Server } from './load.js';
import { analyzeDatabase, databaseUrl, PG_URL } from './pg-seed.js';

/** This checkout (whose build the bench measures unless told another's). */
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The modules the seed needs, from the build under `root` (this checkout, or a baseline's such as
 * BENCH_BASELINE_DIR): each build seeds with its own store and migrations, so its server finds the
 * schema it knows. The shapes used here (rows, userCreator, accessTokenCreator) are the same in both.
 */
async function buildModules(root: string) {
  const load = (path: string) => import(pathToFileURL(join(root, path)).href);
  const [shared, sqlite, postgres, users, tokens, placement] = await Promise.all([
    load('packages/shared/dist/index.js'),
    load('packages/server/dist/store/sqlite/sqlite-store.js'),
    load('packages/server/dist/store/postgres/postgres-store.js'),
    load('packages/server/dist/commands/user-creator.js'),
    load('packages/server/dist/commands/access-token-creator.js'),
    load('packages/server/dist/commands/card-placement.js'),
  ]);
  return {
    DEFAULT_COLUMNS: shared.DEFAULT_COLUMNS as Array<Record<string, Json>>,
    parseScopes: shared.parseScopes as (raw: undefined) => unknown,
    openSqliteStore: sqlite.openSqliteStore as (file: string) => SeedStore,
    openPostgresStore: postgres.openPostgresStore as (url: string) => SeedStore,
    userCreator: users.userCreator as (store: SeedStore, input: Record<string, unknown>) => Promise<{ user: { id: string }; workspace: { id: string } }>,
    accessTokenCreator: tokens.accessTokenCreator as (store: SeedStore, input: Record<string, unknown>) => Promise<{ token: string }>,
    POSITION_STEP: placement.POSITION_STEP as number,
  };
}
type SeedStore = Pick<Store, 'migrate'> & { transaction<T>(fn: (tx: { insertObject(row: ObjectRow): Promise<void> }) => Promise<T>): Promise<T>; close(): Promise<void> };
type Modules = Awaited<ReturnType<typeof buildModules>>;

/** Cards in the column moved into. */
export const MOVES_COLUMN = 3_000;

/** What one store measured. */
export interface MovesResult {
  moves: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Respaces the moves caused, and the activity events all the moves recorded. */
  respaces: number;
  events: number;
}

/** Seeds a board: MOVES_COLUMN cards in `todo`, `moves` cards in `done`; returns the token and ids. */
async function seed(m: Modules, store: SeedStore, moves: number) {
  const { DEFAULT_COLUMNS, POSITION_STEP, accessTokenCreator, parseScopes, userCreator } = m;
  await store.migrate();
  const { user, workspace } = await userCreator(store, { email: 'moves@example.com', password: 'bench password 123', role: 'owner', workspace: 'moves' });
  const { token } = await accessTokenCreator(store, { userId: user.id, workspaceId: workspace.id, name: 'moves', scopes: parseScopes(undefined), expiresAt: null });
  const now = new Date().toISOString();
  const row = (type: string, data: Record<string, Json>): ObjectRow => ({
    id: uuidv7(), workspace_id: workspace.id, type, status: 'active', owned_by: user.id, created_by: user.id, updated_by: user.id,
    is_archived: false, is_deleted: false, created_at: now, updated_at: now, version: 1, deleted_at: null, deleted_with: null, data,
  });
  const board = row('board', { name: 'Moves', columns: DEFAULT_COLUMNS.map((c) => ({ ...c })) as unknown as Json });
  const column = Array.from({ length: MOVES_COLUMN }, (_, i) => row('card', { title: `card ${i}`, board_id: board.id, status: 'todo', position: (i + 1) * POSITION_STEP }));
  const incoming = Array.from({ length: moves }, (_, i) => row('card', { title: `incoming ${i}`, board_id: board.id, status: 'done', position: (i + 1) * POSITION_STEP }));
  await store.transaction(async (tx) => {
    for (const r of [board, ...column, ...incoming]) await tx.insertObject(r);
  });
  await store.close();
  return { token, target: column[MOVES_COLUMN / 2].id, incoming: incoming.map((r) => r.id) };
}

async function call(url: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(new URL(path, url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

/**
 * Moves `moves` cards into the column on a fresh database of the store, timing each PATCH, against
 * the build under `root` (default: this checkout): its server, seeded by its own store code.
 */
export async function measureMoves(store: 'sqlite' | 'postgres', moves: number, root = ROOT): Promise<MovesResult> {
  const m = await buildModules(root);
  const prodboard = join(root, 'packages', 'server', 'bin', 'prodboard.js');
  const dir = mkdtempSync(join(tmpdir(), 'prodboard-moves-'));
  const database = `prodboard_bench_moves_${process.pid}`;
  const admin = store === 'postgres' ? new pg.Client({ connectionString: PG_URL }) : undefined;
  let server: Server | undefined;
  try {
    let where: string[];
    let seeded: Awaited<ReturnType<typeof seed>>;
    if (admin) {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${database}`);
      seeded = await seed(m, m.openPostgresStore(databaseUrl(database)), moves);
      await analyzeDatabase(database);
      where = ['--database-url', databaseUrl(database)];
    } else {
      seeded = await seed(m, m.openSqliteStore(join(dir, 'moves.db')), moves);
      where = ['--db', join(dir, 'moves.db')];
    }
    server = await spawnServer(`prodboard (${store}, moves)`, [prodboard, 'serve', '--host', '127.0.0.1', '--port', '0', ...where], /Production Board is running at (\S+)/, {});
    const { url } = server;
    const since = (await call(url, seeded.token, 'GET', '/xapi2/activity?limit=1')).meta.next_cursor as string;
    const samples: number[] = [];
    for (const id of seeded.incoming) {
      const position = (await call(url, seeded.token, 'GET', `/xapi2/data/card/${seeded.target}`)).data.position;
      const t = performance.now();
      await call(url, seeded.token, 'PATCH', `/xapi2/data/card/${id}`, { status: 'todo', position });
      samples.push(performance.now() - t);
    }
    let events = 0;
    let respaces = 0;
    for (let cursor = since; ;) {
      const page = await call(url, seeded.token, 'GET', `/xapi2/activity?since=${cursor}&limit=500`);
      events += page.data.length;
      respaces += page.data.filter((e: { action: string }) => e.action === 'respace').length;
      cursor = page.meta.next_cursor;
      if (!page.meta.has_more) break;
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))].toFixed(2));
    return { moves, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: Number(sorted[sorted.length - 1].toFixed(2)), respaces, events };
  } finally {
    await server?.stop();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
