/**
 * The PostgreSQL benchmark database: the SQLite seed (seed.ts) moved with the server's own
 * `prodboard copy` code, so both stores hold the same rows (same ids, same PAT), in the shape the
 * API writes (jsonb data, tsvector search, activity with its sequence), then VACUUM ANALYZE.
 *
 * The seed database is cached between runs, named by the seed version, the card count and the number
 * of PostgreSQL migrations (prodboard_bench_v2_1000000_m2): it is built under a "_building" name and
 * renamed when complete, so a database of that name is always whole. Each run works on its own copy
 * (CREATE DATABASE ... TEMPLATE, a file copy), dropped at the end; creates write to it.
 * Only databases whose names start with "prodboard_bench_" are ever created or dropped.
 */
import pg from 'pg';
import { PG_MIGRATIONS } from '../packages/server/dist/store/postgres/migrations.js';
import { openPostgresStore } from '../packages/server/dist/store/postgres/postgres-store.js';
import { openSqliteStore } from '../packages/server/dist/store/sqlite/sqlite-store.js';
import { copySqliteToPostgres } from '../packages/server/dist/store/copy.js';
import { freshCopy, progressLog, removeCopy, SEED, SEED_VERSION, type SeedMeta } from './seed.js';

/** The server to use; any database on it serves for administration (CREATE/DROP DATABASE). */
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'prodboard_bench_';

/** The URL of another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The cached seed database's name: re-seeded when the seed version, size or migrations change. */
export function pgSeedName(): string {
  return `${PREFIX}v${SEED_VERSION}_${SEED.cards}_m${PG_MIGRATIONS.length}`;
}

/** Runs `fn` on a connection of its own, closed after: to the server's administration database unless told `url`. */
export async function withPg<T>(fn: (client: pg.Client) => Promise<T>, url = PG_URL, applicationName = 'prodboard-bench'): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const admin = <T>(fn: (client: pg.Client) => Promise<T>) => withPg(fn);

/**
 * Gives database `name` the planner statistics of what was seeded into it, as autovacuum keeps them
 * on a server that runs it (this machine's PostgreSQL does not). Left with those of the empty
 * database the migrations saw, the planner reads a board's column through another index, and a
 * create's or a move's cost then grows with the workspace, on every build alike.
 */
export async function analyzeDatabase(name: string): Promise<void> {
  await withPg((client) => client.query('ANALYZE'), databaseUrl(name));
}

const quote = (name: string) => {
  if (!name.startsWith(PREFIX) || !/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to touch database ${name}`);
  return `"${name}"`;
};

async function databases(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [PREFIX]);
  return rows.map((r) => r.datname);
}

async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The cached seed database, or a new one. Drops what earlier runs left behind: seeds of other
 * versions or migrations, half-built seeds, and run copies whose benchmark process is gone.
 */
export async function ensurePgSeed(resultsDir: string, meta: SeedMeta, log: (line: string) => void): Promise<{ name: string; cached: boolean; seconds?: number }> {
  const name = pgSeedName();
  const existing = await admin(async (client) => {
    const present = await databases(client);
    for (const db of present) {
      const run = /^prodboard_bench_run_(\d+)$/.exec(db);
      const seed = /^prodboard_bench_v(\d+)_\d+_m(\d+)$/.exec(db);
      const stale = run ? !alive(Number(run[1])) : !seed || Number(seed[1]) !== SEED_VERSION || Number(seed[2]) !== PG_MIGRATIONS.length;
      if (stale) {
        log(`dropping stale benchmark database ${db}`);
        await dropDatabase(client, db);
      }
    }
    return present.includes(name);
  });
  if (existing) {
    log(`using cached PostgreSQL seed ${name}`);
    return { name, cached: true };
  }

  const started = performance.now();
  const building = `${name}_building`;
  log(`building PostgreSQL seed ${name}: prodboard copy of the SQLite seed, then VACUUM ANALYZE ...`);
  await admin((client) => client.query(`CREATE DATABASE ${quote(building)}`));
  const source = freshCopy(resultsDir, `pg-source-${process.pid}.db`);
  const sqlite = openSqliteStore(source);
  const target = openPostgresStore(databaseUrl(building), { statementTimeoutMs: 0 });
  try {
    await target.migrate();
    const progress = new Map<string, (done: number) => void>();
    const report = await copySqliteToPostgres(sqlite, target, (table, done, total) => {
      if (total < 10_000) return;
      if (!progress.has(table)) progress.set(table, progressLog(`copy ${table}`, total, log));
      progress.get(table)!(done);
    });
    const objects = report.tables.find((t) => t.name === 'objects');
    if (!report.ok || objects?.target !== meta.cardCount + meta.boardIds.length) {
      throw new Error(`the copy is incomplete: ${JSON.stringify(report.tables)}`);
    }
    log('VACUUM ANALYZE ...');
    await target.rawQuery('VACUUM ANALYZE');
  } finally {
    await target.close();
    await sqlite.close();
    removeCopy(source);
  }
  await admin((client) => client.query(`ALTER DATABASE ${quote(building)} RENAME TO ${quote(name)}`));
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  log(`PostgreSQL seed ${name} built in ${seconds} s`);
  return { name, cached: false, seconds };
}

/** A copy of the seed database for this run (a file-level copy: a few seconds for a million cards). */
export async function createRunDatabase(seed: string): Promise<string> {
  const name = `${PREFIX}run_${process.pid}`;
  await admin(async (client) => {
    await dropDatabase(client, name);
    await client.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${quote(seed)} STRATEGY FILE_COPY`);
  });
  return name;
}

/** Drops this run's copy. */
export async function dropRunDatabase(name: string): Promise<void> {
  await admin((client) => dropDatabase(client, name));
}

/** The database's size on disk, for the report. */
export async function databaseSize(name: string): Promise<string> {
  return admin(async (client) => (await client.query<{ s: string }>('SELECT pg_size_pretty(pg_database_size($1)) AS s', [name])).rows[0].s);
}

/** The server processes of the connections prodboard holds open on a database (for CPU accounting). */
export async function backendPids(name: string): Promise<number[]> {
  return admin(async (client) =>
    (await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'prodboard'", [name])).rows.map((r) => r.pid),
  );
}
