/**
 * A database as an older release left it, on the store under test: the migrations before a given
 * version applied, nothing after. Migration tests seed it through the raw connection (no store code
 * in between, as the old release would have written it), then run the store's migrate().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/types.js';
import { TEST_DATABASE_URL, TEST_STORE } from './helpers.js';

export interface LegacyDatabase {
  /** The store, opened on the old database (its migrate() brings it up to date). */
  store: Store;
  /** Runs one statement with `?` placeholders on the raw connection. */
  run(sql: string, params?: unknown[]): Promise<void>;
  /** Reads rows with `?` placeholders on the raw connection. */
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The versions migrate() must apply: every one from `version` on. */
  pending: number[];
}

/** Runs `body` against a fresh database holding the migrations before `version`, then removes it. */
export async function withDatabaseBefore(version: number, body: (db: LegacyDatabase) => Promise<void>, appliedAt = '2020-01-01T00:00:00.000Z'): Promise<void> {
  const schemaTable = 'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)';
  if (TEST_STORE === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'prodboard-legacy-'));
    const store = openSqliteStore(join(dir, 'legacy.db'));
    try {
      const db = store.connection;
      db.exec(schemaTable);
      for (const m of MIGRATIONS.filter((m) => m.version < version)) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, appliedAt);
      }
      await body({
        store,
        run: async (sql, params = []) => void db.prepare(sql).run(...params),
        all: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
        pending: MIGRATIONS.filter((m) => m.version >= version).map((m) => m.version),
      });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const schema = `pb_legacy_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const raw = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await raw.connect();
  const store = openPostgresStore(TEST_DATABASE_URL, { schema, max: 2 });
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  try {
    await raw.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
    await raw.query(schemaTable);
    for (const m of PG_MIGRATIONS.filter((m) => m.version < version)) {
      await raw.query(m.sql);
      await raw.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, appliedAt]);
    }
    await body({
      store,
      run: async (sql, params = []) => void (await raw.query(numbered(sql), params)),
      all: async <T>(sql: string, params: unknown[] = []) => (await raw.query(numbered(sql), params)).rows as T[],
      pending: PG_MIGRATIONS.filter((m) => m.version >= version).map((m) => m.version),
    });
  } finally {
    await store.dropSchema();
    await store.close();
    await raw.end();
  }
}
