/**
 * Moving up: copies a whole SQLite database into an empty PostgreSQL one, table by table in batches,
 * reporting progress, then checks that every table holds the same number of rows on both sides.
 */
import { modelOf } from '@prodboard/shared';
import type { PostgresStore } from './postgres/postgres-store.js';
import type { SqliteStore } from './sqlite/sqlite-store.js';
import { searchText } from './sql/list-builder.js';

type Row = Record<string, unknown>;

/** One table to copy: its columns, and how a SQLite row becomes PostgreSQL values. */
interface TableCopy {
  name: string;
  /** Column order for reading (SQLite) and the primary key or sequence to order by. */
  orderBy: string;
  columns: string[];
  /** SQL expressions for the INSERT's values, `$n` style positions filled per row. */
  values?: (placeholders: string[]) => string;
  convert?: (row: Row) => unknown[];
  /** SQL run on the target once the table is copied. */
  after?: string;
  /** A BIGSERIAL whose sequence must continue after the copied ids. */
  sequence?: { column: string };
}

const bool = (v: unknown) => v === 1 || v === true;

function objectValues(row: Row): unknown[] {
  const data = JSON.parse(row.data as string) as Record<string, unknown>;
  const model = modelOf(row.type as string);
  const { title, body } = model ? searchText(model.search_fields, data) : { title: '', body: '' };
  return [
    row.id, row.workspace_id, row.type, row.status, row.owned_by, row.created_by, row.updated_by, bool(row.is_archived), bool(row.is_deleted),
    row.created_at, row.updated_at, row.version, row.deleted_at, row.deleted_with, row.data, title, body, row.key ?? null,
  ];
}

/** Tables in dependency order (references point backwards). */
const TABLES: TableCopy[] = [
  { name: 'settings', orderBy: 'key', columns: ['key', 'value'] },
  { name: 'workspaces', orderBy: 'id', columns: ['id', 'slug', 'name', 'created_at'] },
  { name: 'users', orderBy: 'id', columns: ['id', 'email', 'email_key', 'name', 'password_hash', 'created_at', 'updated_at'] },
  { name: 'memberships', orderBy: 'workspace_id, user_id', columns: ['workspace_id', 'user_id', 'role', 'created_at'] },
  {
    name: 'sessions',
    orderBy: 'id',
    columns: ['id', 'token_hash', 'user_id', 'workspace_id', 'created_at', 'expires_at', 'family_id', 'parent_id', 'renewed_at', 'renewal_salt'],
  },
  {
    name: 'access_tokens',
    orderBy: 'id',
    columns: ['id', 'token_hash', 'prefix', 'name', 'user_id', 'workspace_id', 'scopes', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'],
  },
  {
    name: 'invitations',
    orderBy: 'id',
    columns: ['id', 'workspace_id', 'token_hash', 'role', 'email', 'created_by', 'created_at', 'expires_at', 'accepted_at', 'accepted_by', 'revoked_at'],
  },
  {
    name: 'password_resets',
    orderBy: 'id',
    columns: ['id', 'token_hash', 'user_id', 'workspace_id', 'created_by', 'created_at', 'expires_at', 'used_at'],
  },
  { name: 'oauth_clients', orderBy: 'id', columns: ['id', 'kind', 'name', 'redirect_uris', 'created_at', 'updated_at'] },
  {
    name: 'oauth_grants',
    orderBy: 'id',
    columns: ['id', 'client_id', 'user_id', 'workspace_id', 'scopes', 'resource', 'created_at', 'last_used_at', 'revoked_at'],
  },
  {
    name: 'oauth_requests',
    orderBy: 'id',
    columns: [
      'id', 'client_id', 'redirect_uri', 'scopes', 'state', 'code_challenge', 'resource', 'created_at', 'expires_at', 'decided_at',
      'grant_id', 'code_hash', 'code_expires_at', 'code_used_at',
    ],
  },
  { name: 'oauth_tokens', orderBy: 'id', columns: ['id', 'token_hash', 'kind', 'grant_id', 'created_at', 'expires_at', 'used_at', 'revoked_at'] },
  {
    name: 'objects',
    orderBy: 'seq',
    columns: [
      'id', 'workspace_id', 'type', 'status', 'owned_by', 'created_by', 'updated_by', 'is_archived', 'is_deleted',
      'created_at', 'updated_at', 'version', 'deleted_at', 'deleted_with', 'data', 'search', 'key',
    ],
    values: (p) => `${p.slice(0, 15).join(', ')}, setweight(to_tsvector('simple', ${p[15]}), 'A') || setweight(to_tsvector('simple', ${p[16]}), 'B'), ${p[17]}`,
    convert: objectValues,
  },
  // Human keys: every key a board has had, and every number a card has had on each board.
  { name: 'board_keys', orderBy: 'workspace_id, key', columns: ['workspace_id', 'key', 'board_id'] },
  {
    name: 'card_numbers',
    orderBy: 'board_id, number',
    columns: ['board_id', 'number', 'card_id'],
    // SQLite reads a board's next number from card_numbers; PostgreSQL takes it from board_counters
    // (its row lock orders concurrent creates), which needs a row per board with a key, at the highest given.
    after: `INSERT INTO board_counters (board_id, last_number)
      SELECT o.id, coalesce((SELECT max(n.number) FROM card_numbers n WHERE n.board_id = o.id), 0) FROM objects o
      WHERE o.type = 'board' AND o.key IS NOT NULL`,
  },
  {
    name: 'comments',
    orderBy: 'id',
    columns: ['id', 'workspace_id', 'card_id', 'author_id', 'body', 'mentions', 'search_text', 'created_at', 'updated_at', 'version'],
    // Cards were indexed before their comments arrived: add the comments' text to their entries.
    after: `UPDATE objects SET search = search || setweight(to_tsvector('simple', c.text), 'B')
      FROM (SELECT card_id, string_agg(search_text, E'\\n') AS text FROM comments GROUP BY card_id) c WHERE objects.id = c.card_id`,
  },
  {
    name: 'activity',
    orderBy: 'seq',
    columns: ['seq', 'workspace_id', 'actor_id', 'token_id', 'object_type', 'object_id', 'action', 'changes', 'created_at'],
    sequence: { column: 'seq' },
  },
  {
    name: 'idempotency_keys',
    orderBy: 'workspace_id, user_id, key',
    columns: ['workspace_id', 'user_id', 'key', 'request_hash', 'status', 'response', 'created_at'],
  },
  { name: 'analytics_events', orderBy: 'id', columns: ['id', 'received_at', 'device_id', 'type', 'payload'], sequence: { column: 'id' } },
];

/** Rows of each table on either side after a copy. */
export interface CopyReport {
  tables: Array<{ name: string; source: number; target: number }>;
  ok: boolean;
}

/** Progress callback: rows copied so far of a table. */
export type CopyProgress = (table: string, done: number, total: number) => void;

const BATCH = 500;

/** Copies everything from `source` into `target` (migrated, and empty: it refuses otherwise). */
export async function copySqliteToPostgres(source: SqliteStore, target: PostgresStore, onProgress: CopyProgress): Promise<CopyReport> {
  const db = source.connection;
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
  const tables = TABLES.filter((t) => present.has(t.name));
  for (const table of tables) {
    const [{ n }] = await target.rawQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.name}`);
    if (n > 0) throw new Error(`the target already holds data (${n} rows in ${table.name}); copy into an empty database`);
  }
  await target.transaction(async (store) => {
    // One transaction: a copy that fails half way leaves the target as empty as it was.
    const tx = store as PostgresStore;
    for (const table of tables) {
      const total = (db.prepare(`SELECT count(*) AS n FROM ${table.name}`).get() as { n: number }).n;
      let done = 0;
      onProgress(table.name, 0, total);
      const read = db.prepare(`SELECT ${table.columns.filter((c) => c !== 'search').join(', ')} FROM ${table.name} ORDER BY ${table.orderBy}`);
      let batch: unknown[][] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const params: unknown[] = [];
        const tuples = batch.map((values) => {
          const placeholders = values.map((v) => {
            params.push(v);
            return `$${params.length}`;
          });
          return `(${table.values ? table.values(placeholders) : placeholders.join(', ')})`;
        });
        await tx.rawQuery(`INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
        done += batch.length;
        batch = [];
        onProgress(table.name, done, total);
      };
      for (const row of read.iterate() as Iterable<Row>) {
        batch.push(table.convert ? table.convert(row) : table.columns.map((c) => row[c]));
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      if (table.after) await tx.rawQuery(table.after);
      if (table.sequence) {
        await tx.rawQuery(
          `SELECT setval(pg_get_serial_sequence('${table.name}', '${table.sequence.column}'), coalesce((SELECT max(${table.sequence.column}) FROM ${table.name}), 0) + 1, false)`,
        );
      }
    }
  });
  await target.analyze();
  const report: CopyReport = { tables: [], ok: true };
  for (const table of tables) {
    const source = (db.prepare(`SELECT count(*) AS n FROM ${table.name}`).get() as { n: number }).n;
    const [{ n: copied }] = await target.rawQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.name}`);
    report.tables.push({ name: table.name, source, target: copied });
    if (source !== copied) report.ok = false;
  }
  return report;
}
