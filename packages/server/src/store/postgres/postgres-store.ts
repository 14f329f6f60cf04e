/**
 * The PostgreSQL store: a pooled `pg` connection with limits and timeouts, `data` as jsonb, advisory
 * locks for columns and idempotency keys, and activity announced to every instance with
 * LISTEN/NOTIFY (a NOTIFY sent inside a transaction is delivered only when it commits).
 */
import pg from 'pg';
import { cardKey, foldForSearch, modelOf } from '@prodboard/shared';
import type {
  ActivityListener, ActivityRow, ColumnRef, ColumnRespace, CredentialRecord, JsonPage, ListPage, ObjectJson, NewActivity, ObjectListQuery, ObjectRow, Store, StoreTx,
} from '../types.js';
import type { PoolStats } from '../types.js';
import { OBJECT_COLUMNS, credentialSql, jsonPage, objectValues, toCredential, toObject, type Row } from '../sql/rows.js';
import { CredentialCache } from '../credential-cache.js';
import { PageCache } from '../page-cache.js';
import { cursorSql, pageSql, presentedJsonSql, searchText, searchTextUnchanged, unknownCursor, type SqlValue } from '../sql/list-builder.js';
import { pgDialect, pgField } from './dialect.js';
import { PG_MIGRATIONS } from './migrations.js';
import { ASSIGNEES_MIGRATION, migrateLegacyAssignees, type LegacyCard, type MemberIdentity } from '../assignee-migration.js';
import { emailKeysFor } from '../email.js';
import { numbered, type Executor, type ExecutorDialect } from '../sql/executor.js';
import { TAKE_CARD_NUMBER, backfillKeys } from '../sql/keys.js';
import { SqlStoreBase } from '../sql/sql-store.js';
import { PreparedStatements, clientQuery, poolQuery } from './statements.js';
import { currentTransaction, gateMethods, insideOwnTransaction, lockKeyOutsideTransaction, runInTransaction, transactionEnded, type TxMark } from '../transaction-guard.js';
import { STATEMENT_CACHE_SIZE } from '../lru.js';



type Queryable = pg.Pool | pg.PoolClient;

/** The NOTIFY channel activity is announced on. */
const CHANNEL = 'prodboard_activity';
/** The NOTIFY channel on which a change to tokens, sessions, users or memberships is announced. */
const CREDENTIALS_CHANNEL = 'prodboard_credentials';
/** Serialisation failures and deadlocks are retried this many times before they surface. */
const MAX_TX_ATTEMPTS = 5;
const RETRYABLE = new Set(['40001', '40P01']);
/** The advisory lock key migrations take so instances starting together migrate once. */
const MIGRATION_LOCK = 4747_0001;

// int8 (counts, BIGSERIAL) as numbers: our sequences stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

/** Pool limits and timeouts; defaults suit one instance of a small cluster. */
export interface PostgresOptions {
  max?: number;
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** A schema to create and use (tests isolate themselves this way). */
  schema?: string;
  /** Memory for cached list pages (default 32 MiB; 0: off). */
  pageCacheBytes?: number;
  /** Named statements kept per connection (default STATEMENT_CACHE_SIZE). */
  statementCacheSize?: number;
}

interface Shared {
  pool: pg.Pool;
  /** The connections batched reads by id go out on (see openPostgresStore). */
  readPool: pg.Pool;
  url: string;
  schema?: string;
  listeners: Set<ActivityListener>;
  listener?: pg.Client;
  /** The LISTEN connection was asked for (by a live stream or the credential cache); it then reconnects by itself. */
  listenStarted: boolean;
  /** The LISTEN connection is up: other instances' changes reach the credential cache. */
  listening: boolean;
  credentials: CredentialCache;
  pages: PageCache;
  /** The main pool's named statements, bounded per connection. */
  statements: PreparedStatements;
  /** getObject calls outside transactions, batched (see getObject). */
  objectReads: { waiting: ObjectRead[]; scheduled: boolean; inFlight: number };
  closed: boolean;
}

interface ObjectRead {
  /** A row to work with, or the presented JSON for a response. */
  shape: 'row' | 'json';
  workspaceId: string;
  type: string;
  id: string;
  resolve: (value: ObjectRow | ObjectJson | undefined) => void;
  reject: (err: unknown) => void;
}

/** Ids per batched read query. */
const MAX_BATCHED_READS = 500;
/** Batched read queries in flight at once; more reads wait for one to return and go in the next. */
const MAX_READ_BATCHES_IN_FLIGHT = 2;


const OBJECT_SELECT = `SELECT ${OBJECT_COLUMNS}, key FROM objects`;
const OBJECT_JSON_SELECT = `SELECT id, workspace_id, type, version, is_deleted, ${presentedJsonSql(pgDialect)} AS json FROM objects`;


/** The tsvector of an object, computed by PostgreSQL from the title ($a) and body ($b) parameters. */
const SEARCH_VECTOR = (a: string, b: string) => `setweight(to_tsvector('simple', ${a}), 'A') || setweight(to_tsvector('simple', ${b}), 'B')`;

/** A card's comments' folded text, each on a line of its own ('' for none): a card is also found by its comments. */
const CARD_COMMENTS_TEXT = "coalesce((SELECT string_agg(E'\\n' || search_text, '') FROM comments WHERE card_id = $1), '')";

function searchParams(row: ObjectRow): [string, string] {
  const model = modelOf(row.type);
  const { title, body } = model ? searchText(model.search_fields, row.data) : { title: '', body: '' };
  return [title, body];
}

/** An object's row written over its version $16 (parameters: objectValues), its search vector left as it is. */
const UPDATE_OBJECT_KEEPING_SEARCH = `UPDATE objects SET workspace_id = $2, type = $3, status = $4, owned_by = $5, created_by = $6, updated_by = $7,
    is_archived = $8, is_deleted = $9, created_at = $10, updated_at = $11, version = $12, deleted_at = $13, deleted_with = $14, data = $15
  WHERE id = $1 AND version = $16`;

/** The same with the search vector rebuilt from the title $16 and body $17 (and a card's comments); the version is $18. */
const UPDATE_OBJECT = `UPDATE objects SET workspace_id = $2, type = $3, status = $4, owned_by = $5, created_by = $6, updated_by = $7,
    is_archived = $8, is_deleted = $9, created_at = $10, updated_at = $11, version = $12, deleted_at = $13, deleted_with = $14,
    data = $15, search = ${SEARCH_VECTOR('$16', `$17::text || ${CARD_COMMENTS_TEXT}`)}
  WHERE id = $1 AND version = $18`;

/**
 * The position reads of a placement, given a column's WHERE (columnWhere); $1 is the card to leave
 * out, $2 (neighbours) the position asked for. PostgreSQL answers max() and min() here by reading
 * the whole column range (its min/max rewrite does not take the column index, whose positions sort
 * NULLS FIRST): 5 ms for a 3,000-card column, on every create and move. ORDER BY in the index's own
 * order (backward: DESC NULLS LAST) with LIMIT 1 reads one entry (0.1 ms).
 */
export const POSITION_SQL = {
  /** The column's last position (p), none when it is empty. */
  last: (where: string) => {
    const pos = pgField('position', true);
    return `SELECT ${pos} AS p FROM objects WHERE ${where} AND id IS DISTINCT FROM $1 AND ${pos} IS NOT NULL ORDER BY ${pos} DESC NULLS LAST LIMIT 1`;
  },
  /** The positions just below $2 and at or above it. */
  neighbours: (where: string) => {
    const pos = pgField('position', true);
    return `SELECT (SELECT ${pos} FROM objects WHERE ${where} AND id IS DISTINCT FROM $1 AND ${pos} < $2 ORDER BY ${pos} DESC NULLS LAST LIMIT 1) AS below,
      (SELECT ${pos} FROM objects WHERE ${where} AND id IS DISTINCT FROM $1 AND ${pos} >= $2 ORDER BY ${pos} ASC NULLS FIRST LIMIT 1) AS above`;
  },
};

/** "WHERE" for one card column; NULL board or status compared with IS NULL so the index still serves. */
export function columnWhere(column: ColumnRef, first: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [column.workspaceId];
  let sql = `workspace_id = $${first} AND type = 'card' AND NOT is_deleted`;
  for (const [name, value] of [['board_id', column.boardId], ['status', column.status]] as const) {
    if (value === null || value === undefined) sql += ` AND ${pgField(name)} IS NULL`;
    else {
      params.push(value);
      sql += ` AND ${pgField(name)} = $${first + params.length - 1}`;
    }
  }
  return { sql, params };
}

const ignore = () => undefined;

/** What the repositories' SQL needs to know of PostgreSQL (sql/executor.ts): transactions overlap. */
const POSTGRES_EXECUTOR: ExecutorDialect = {
  rowId: 'ctid',
  least: 'least',
  inBatch: (column, subquery) => `${column} = ANY(ARRAY(${subquery}))`,
  serialWrites: false,
};

/** Hides the password of a connection URL for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

/** Opens a pool on the database (nothing connects until the first query). */
export function openPostgresStore(url: string, options: PostgresOptions = {}): PostgresStore {
  const settings = options.schema ? [`-c search_path=${options.schema}`] : [];
  const open = (max: number, extra: string[] = []) => {
    const pool = new pg.Pool({
      connectionString: url,
      max,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      application_name: 'prodboard',
      options: [...settings, ...extra].join(' ') || undefined,
    });
    // An idle client's error (the server restarted) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    return pool;
  };
  const pool = open(options.max ?? 10);
  const statements = new PreparedStatements(options.statementCacheSize ?? STATEMENT_CACHE_SIZE);
  pool.on('remove', (client) => statements.forget(client));
  // Batched reads by primary key get connections of their own (so they never queue behind slow
  // transactions), set to plan their statement once: left to choose, PostgreSQL re-plans
  // `id = ANY($1)` at every run while batches are small (it guesses 10 ids for the generic plan);
  // on one connection at 5 ids that planning was 285 → 205 µs of its CPU per batch. The only plan
  // for a primary-key lookup is the index.
  const readPool = open(MAX_READ_BATCHES_IN_FLIGHT, ['-c plan_cache_mode=force_generic_plan']);
  return new PostgresStore({
    pool, readPool, url, schema: options.schema, listeners: new Set(), listenStarted: false, listening: false, credentials: new CredentialCache(),
    pages: new PageCache(options.pageCacheBytes), statements, objectReads: { waiting: [], scheduled: false, inFlight: 0 }, closed: false,
  }, pool, `postgres:${redactUrl(url)}`);
}

const ACTIVITY_INTO = 'INSERT INTO activity (workspace_id, actor_id, token_id, object_type, object_id, action, changes, created_at)';
const ACTIVITY_NOTIFY = 'SELECT seq, pg_notify($9, $10 || seq::text) FROM a';
/** An activity row and its NOTIFY (see insertActivity). */
const INSERT_ACTIVITY = `WITH a AS (${ACTIVITY_INTO} VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq) ${ACTIVITY_NOTIFY}`;
/** The same, taking the workspace's activity lock ($11) first: the row is read from the lock's CTE. */
const INSERT_ACTIVITY_LOCKING = `WITH l AS (SELECT pg_advisory_xact_lock(hashtextextended($11, 0))),
  a AS (${ACTIVITY_INTO} SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, $8 FROM l RETURNING seq) ${ACTIVITY_NOTIFY}`;

/** The PostgreSQL implementation of the store. */
export class PostgresStore extends SqlStoreBase implements Store {
  private readonly pending: Array<[string, number]> = [];
  /** Workspaces whose activity lock this transaction holds. */
  private readonly activityLocked = new Set<string>();
  /** Names this transaction has locked with lockKey. */
  private readonly locksHeld = new Set<string>();
  /** This transaction changed a token, session, user or membership (and has announced it). */
  private credentialsChanged = false;

  constructor(
    private readonly shared: Shared,
    private readonly db: Queryable,
    readonly description: string,
    /** The transaction this handle belongs to; undefined for the store itself. */
    private readonly tx?: TxMark,
  ) {
    super();
  }

  /** The repositories' executor (sql/executor.ts): their `?` placeholders numbered, statements named. */
  protected readonly sql: Executor = {
    all: (sql, params = []) => this.rows(numbered(sql), params),
    get: (sql, params = []) => this.one(numbered(sql), params),
    run: (sql, params = []) => this.exec(numbered(sql), params),
    changeCredentials: (sql, params = []) => this.credentialWrite(numbered(sql), params),
    ...POSTGRES_EXECUTOR,
  };

  /**
   * Whether a call may run now (see transaction-guard.ts): a handle only while its transaction is
   * open; the store itself at once (on a connection of its own), but never from inside one of its
   * transactions.
   */
  admit(method: string): undefined {
    if (this.tx !== undefined) {
      if (this.tx.ended) throw transactionEnded(method);
      return undefined;
    }
    if (currentTransaction(this.shared)) throw insideOwnTransaction(method);
    return undefined;
  }

  /** Calls waiting for another request's transaction to end (tests and diagnostics). */
  get waitingForTransaction(): number {
    // Calls of the store run on other connections: none waits here.
    return 0;
  }

  /** Named statements kept per connection of the main pool (tests and diagnostics). */
  get statementCacheLimit(): number {
    return this.shared.statements.max;
  }

  /** Named statements prepared on each connection of the main pool. */
  statementCacheSizes(): number[] {
    return this.shared.statements.sizes();
  }

  private get inTransaction(): boolean {
    return this.db !== this.shared.pool;
  }

  /**
   * Runs one statement, named (see statements.ts). Outside a transaction it takes a pooled
   * connection as pool.query would (one that fails a query is discarded), idle and so free to
   * drop statements beyond its bound first.
   */
  private async query(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    const { statements } = this.shared;
    if (this.tx?.ended) throw transactionEnded('query');
    if (this.inTransaction) {
      const client = this.db as pg.PoolClient;
      return clientQuery(client, statements.name(client, sql, false) as string | undefined, sql, params);
    }
    const client = await this.shared.pool.connect();
    // As pool.query does: a connection lost mid-query fails the query rather than the process.
    client.on('error', ignore);
    try {
      const name = statements.name(client, sql, true);
      const result = await clientQuery(client, name instanceof Promise ? await name : name, sql, params);
      client.removeListener('error', ignore);
      client.release();
      return result;
    } catch (err) {
      client.removeListener('error', ignore);
      client.release(err as Error);
      throw err;
    }
  }

  private async rows<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  private async one<T = Row>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.rows<T>(sql, params))[0];
  }

  private async exec(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.tx !== undefined) {
      if (this.tx.ended) throw transactionEnded('transaction');
      return fn(this);
    }
    // From inside its own transaction this would be a second, independent one.
    if (currentTransaction(this.shared)) throw insideOwnTransaction('transaction');
    for (let attempt = 1; ; attempt++) {
      const client = await this.shared.pool.connect();
      const mark: TxMark = { owner: this.shared, ended: false };
      try {
        await this.shared.statements.settle(client);
        await client.query('BEGIN');
        const tx = new PostgresStore(this.shared, client, this.description, mark);
        const result = await runInTransaction(mark, () => fn(tx));
        await client.query('COMMIT');
        if (tx.credentialsChanged) this.shared.credentials.invalidate();
        this.announce(tx.pending);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_TX_ATTEMPTS) continue;
        throw err;
      } finally {
        // The connection goes back to the pool: the handle must not reach it any more.
        mark.ended = true;
        client.release();
      }
    }
  }

  /** Local listeners hear this instance's commits at once; other instances hear them through NOTIFY. */
  private announce(events: Array<[string, number]>): void {
    for (const [workspaceId, seq] of events) this.emit(workspaceId, seq);
  }

  private emit(workspaceId: string, seq: number): void {
    for (const listener of this.shared.listeners) {
      try {
        listener(workspaceId, seq);
      } catch {
        // A listener's failure must not undo or block a committed write.
      }
    }
  }

  subscribeActivity(listener: ActivityListener): () => void {
    this.shared.listeners.add(listener);
    this.startListening();
    return () => this.shared.listeners.delete(listener);
  }

  /**
   * One dedicated connection LISTENs for every instance's activity and credential changes; it
   * reconnects when dropped. While it is down the credential cache is bypassed, and once it is back
   * the cache starts empty (announcements sent meanwhile were missed).
   */
  private startListening(): void {
    if (this.shared.listenStarted || this.shared.closed) return;
    this.shared.listenStarted = true;
    void this.listen();
  }

  private async listen(): Promise<void> {
    if (this.shared.closed) return;
    const client = new pg.Client({
      connectionString: this.shared.url,
      options: this.shared.schema ? `-c search_path=${this.shared.schema}` : undefined,
      keepAlive: true,
      application_name: 'prodboard-listener',
    });
    this.shared.listener = client;
    const retry = () => {
      if (this.shared.listener !== client) return;
      this.shared.listener = undefined;
      this.shared.listening = false;
      client.end().catch(() => undefined);
      // Once started, only this timer reconnects (never a request), so a database that is down gets one attempt a second.
      if (!this.shared.closed) setTimeout(() => void this.listen(), 1000).unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (msg) => {
      const payload = msg.payload ?? '';
      if (msg.channel === CREDENTIALS_CHANNEL) {
        if (payload === (this.shared.schema ?? '')) this.shared.credentials.invalidate();
        return;
      }
      const [schema, workspaceId, seq] = payload.split('|');
      if (schema === (this.shared.schema ?? '') && workspaceId && seq) this.emit(workspaceId, Number(seq));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}; LISTEN ${CREDENTIALS_CHANNEL}`);
      if (this.shared.listener !== client) return;
      this.shared.credentials.invalidate();
      this.shared.listening = true;
    } catch {
      retry();
    }
  }

  /** A write to tokens, sessions, users or memberships: every instance's credential cache forgets it once it commits. */
  private async credentialWrite(sql: string, params: unknown[]): Promise<number> {
    if (!this.inTransaction) return this.transaction((tx) => (tx as PostgresStore).credentialWrite(sql, params));
    const changed = await this.exec(sql, params);
    // A write that changed no row (a sweep with nothing expired, a renewal that lost its claim) leaves
    // every cache valid: announcing it would empty every instance's cache for nothing.
    if (changed > 0 && !this.credentialsChanged) {
      this.credentialsChanged = true;
      await this.exec('SELECT pg_notify($1, $2)', [CREDENTIALS_CHANNEL, this.shared.schema ?? '']);
    }
    return changed;
  }

  async migrate(): Promise<number[]> {
    const client = await this.shared.pool.connect();
    try {
      if (this.shared.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.shared.schema}`);
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
      const done: number[] = [];
      for (const m of PG_MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          if (m.name === 'email keys') {
            const users = (await client.query('SELECT id, email, created_at FROM users')).rows as Array<{ id: string; email: string; created_at: string }>;
            const keys = emailKeysFor(users);
            await client.query('UPDATE users u SET email_key = k.key FROM unnest($1::text[], $2::text[]) AS k(id, key) WHERE u.id = k.id', [
              keys.map((k) => k.id), keys.map((k) => k.key),
            ]);
          }
          if (m.name === ASSIGNEES_MIGRATION) {
            const cards = (await client.query("SELECT id, workspace_id, data FROM objects WHERE type = 'card' AND data ? 'assignee'")).rows as LegacyCard[];
            const members = (await client.query('SELECT m.workspace_id, u.id AS user_id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id')).rows as MemberIdentity[];
            const changed = migrateLegacyAssignees(cards, members);
            await client.query('UPDATE objects o SET data = c.data, version = o.version + 1 FROM unnest($1::text[], $2::jsonb[]) AS c(id, data) WHERE o.id = c.id', [
              changed.map((c) => c.id), changed.map((c) => JSON.stringify(c.data)),
            ]);
          }
          if (m.name === 'human keys') {
            await backfillKeys({
              all: async (sql, params = []) => (await client.query(numbered(sql), params)).rows,
              get: async (sql, params = []) => (await client.query(numbered(sql), params)).rows[0],
              run: async (sql, params = []) => (await client.query(numbered(sql), params)).rowCount ?? 0,
              changeCredentials: async () => 0,
              ...POSTGRES_EXECUTOR,
            });
            // Search text now splits CJK runs into pairs (foldForSearch): comments are folded again, and
            // every object re-indexed (a card with its comments' text).
            const comments = (await client.query('SELECT id, body FROM comments')).rows as Array<{ id: string; body: string }>;
            await client.query('UPDATE comments c SET search_text = f.t FROM unnest($1::text[], $2::text[]) AS f(id, t) WHERE c.id = f.id', [
              comments.map((c) => c.id), comments.map((c) => foldForSearch(c.body)),
            ]);
            const rows = (await client.query('SELECT id, type, data FROM objects')).rows as Array<{ id: string; type: string; data: Record<string, unknown> }>;
            const texts = rows.map((row) => searchParams({ type: row.type, data: row.data } as ObjectRow));
            await client.query(
              `UPDATE objects o SET search = ${SEARCH_VECTOR('k.title', `k.body || ${CARD_COMMENTS_TEXT.replace('$1', 'o.id')}`)} FROM unnest($1::text[], $2::text[], $3::text[]) AS k(id, title, body) WHERE o.id = k.id`,
              [rows.map((r) => r.id), texts.map((t) => t[0]), texts.map((t) => t[1])],
            );
          }
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        done.push(m.version);
      }
      if (done.length > 0) await client.query('ANALYZE');
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.shared.closed) return;
    this.shared.closed = true;
    await this.shared.listener?.end().catch(() => undefined);
    await Promise.all([this.shared.pool.end(), this.shared.readPool.end()]);
  }

  async ping(): Promise<void> {
    await this.exec('SELECT 1');
  }

  poolStats(): PoolStats[] {
    return ([['main', this.shared.pool], ['read', this.shared.readPool]] as const).map(([pool, p]) => ({ pool, total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount }));
  }

  /** Runs SQL directly (bulk copy and benchmarks only; routes go through the methods below). */
  async rawQuery<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.rows<T>(sql, params);
  }

  /** Refreshes the planner's statistics (after bulk loads). */
  async analyze(): Promise<void> {
    await this.exec('ANALYZE');
  }

  /** Drops the store's schema (tests only). */
  async dropSchema(): Promise<void> {
    if (this.shared.schema) await this.exec(`DROP SCHEMA IF EXISTS ${this.shared.schema} CASCADE`);
  }

  readonly serialWrites = false;

  async lockKey(name: string | readonly string[]) {
    if (!this.inTransaction) throw lockKeyOutsideTransaction();
    // A lock lasts until the transaction ends: one already held needs no round trip.
    const names = (typeof name === 'string' ? [name] : name).filter((n) => !this.locksHeld.has(n));
    if (names.length === 0) return;
    if (names.length === 1) await this.exec('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', names);
    // unnest yields the names in order, and each row's lock is taken as the row is produced.
    else await this.exec('SELECT pg_advisory_xact_lock(hashtextextended(n, 0)) FROM unnest($1::text[]) AS n', [names]);
    for (const n of names) this.locksHeld.add(n);
  }

  // Settings

  // Workspaces, users, memberships


  // Invitations

  // Sessions and tokens



  async getCredential(kind: CredentialRecord['kind'], tokenHash: string) {
    this.startListening();
    const usable = this.shared.listening && !this.inTransaction;
    return this.shared.credentials.get(tokenHash, usable, async () => toCredential(kind, await this.one(credentialSql(kind, '$1'), [tokenHash])));
  }

  async touchAccessToken(id: string, at: string) {
    await this.exec('UPDATE access_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
    this.shared.credentials.touched(id, at);
  }

  // Objects

  /**
   * Outside a transaction, reads are batched: every getObject made in one turn of the event loop
   * (the requests whose bytes arrived together) goes out as one query when the turn ends, so ten
   * concurrent reads cost PostgreSQL and the driver one statement instead of ten. A read still sees
   * every write committed before it was asked for.
   */
  async getObject(workspaceId: string, type: string, id: string): Promise<ObjectRow | undefined> {
    if (this.inTransaction) {
      const row = await this.one(`${OBJECT_SELECT} WHERE id = $1 AND workspace_id = $2 AND type = $3`, [id, workspaceId, type]);
      return row && toObject(row);
    }
    return this.batchRead<ObjectRow>('row', workspaceId, type, id);
  }

  async getCardAndBoard(workspaceId: string, cardId: string, boardId: string | null) {
    const rows = await this.rows(
      `WITH c AS (${OBJECT_SELECT} WHERE id = $1 AND workspace_id = $2 AND type = 'card')
       SELECT * FROM c
       UNION ALL
       ${OBJECT_SELECT} WHERE workspace_id = $2 AND type = 'board' AND id = COALESCE($3, (SELECT data->>'board_id' FROM c))`,
      [cardId, workspaceId, boardId],
    );
    const found = rows.map(toObject);
    return { card: found.find((r) => r.type === 'card'), board: found.find((r) => r.type === 'board') };
  }

  async getObjectJson(workspaceId: string, type: string, id: string): Promise<ObjectJson | undefined> {
    if (this.inTransaction) {
      const row = await this.one<ObjectJson>(`${OBJECT_JSON_SELECT} WHERE id = $1 AND workspace_id = $2 AND type = $3`, [id, workspaceId, type]);
      return row && { json: row.json, version: row.version, is_deleted: row.is_deleted };
    }
    return this.batchRead<ObjectJson>('json', workspaceId, type, id);
  }

  private batchRead<T>(shape: ObjectRead['shape'], workspaceId: string, type: string, id: string): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const reads = this.shared.objectReads;
      reads.waiting.push({ shape, workspaceId, type, id, resolve: resolve as ObjectRead['resolve'], reject });
      if (!reads.scheduled) {
        reads.scheduled = true;
        setImmediate(() => void this.readObjects());
      }
    });
  }

  /** Sends the waiting reads as one query (see getObject); each caller gets its own copy of its row. */
  private async readObjects(): Promise<void> {
    const reads = this.shared.objectReads;
    reads.scheduled = false;
    // While enough batches are in flight, reads keep gathering: the next batch leaves when one returns.
    if (reads.inFlight >= MAX_READ_BATCHES_IN_FLIGHT || reads.waiting.length === 0) return;
    const batch = reads.waiting;
    reads.waiting = [];
    reads.inFlight++;
    try {
      // One query per shape asked for (rows for commands and feeds, JSON for GET responses).
      const found = { row: new Map<string, Row>(), json: new Map<string, Row>() };
      for (const shape of ['row', 'json'] as const) {
        const ids = [...new Set(batch.filter((read) => read.shape === shape).map((read) => read.id))];
        const select = shape === 'row' ? OBJECT_SELECT : OBJECT_JSON_SELECT;
        for (let i = 0; i < ids.length; i += MAX_BATCHED_READS) {
          const chunk = ids.slice(i, i + MAX_BATCHED_READS);
          const { rows } = chunk.length === 1
            ? await poolQuery(this.shared.readPool, `${select} WHERE id = $1`, chunk)
            : await poolQuery(this.shared.readPool, `${select} WHERE id = ANY($1::text[])`, [chunk]);
          for (const row of rows as Row[]) found[shape].set(row.id as string, row);
        }
      }
      const handedOut = new Set<string>();
      for (const read of batch) {
        const row = found[read.shape].get(read.id);
        if (!row || row.workspace_id !== read.workspaceId || row.type !== read.type) {
          read.resolve(undefined);
        } else if (read.shape === 'json') {
          read.resolve({ json: row.json as string, version: row.version as number, is_deleted: row.is_deleted as boolean });
        } else {
          // Two reads of one object in a batch must not share its (mutable) data.
          read.resolve(toObject(handedOut.has(read.id) ? { ...row, data: structuredClone(row.data) } : row));
          handedOut.add(read.id);
        }
      }
    } catch (err) {
      for (const read of batch) read.reject(err);
    } finally {
      reads.inFlight--;
      if (reads.waiting.length > 0 && !reads.scheduled) void this.readObjects();
    }
  }

  async getObjectForUpdate(workspaceId: string, type: string, id: string) {
    const row = await this.one(`${OBJECT_SELECT} WHERE id = $1 AND workspace_id = $2 AND type = $3 FOR UPDATE`, [id, workspaceId, type]);
    return row && toObject(row);
  }

  async listObjects(query: ObjectListQuery): Promise<JsonPage> {
    if (this.inTransaction) return this.readPage(query);
    return this.shared.pages.read(query, () => this.latestActivitySeq(query.workspaceId), () => this.readPage(query));
  }

  private async readPage(query: ObjectListQuery): Promise<JsonPage> {
    let cursor: { value: SqlValue; id: string } | undefined;
    if (query.after !== undefined) {
      const c = cursorSql(pgDialect, query, query.after);
      const found = await this.one<{ v: SqlValue; id: string }>(c.sql, c.params);
      if (!found) throw unknownCursor(query.after);
      cursor = { value: found.v, id: found.id };
    }
    const { sql, params } = pageSql(pgDialect, query, cursor);
    return jsonPage(await this.rows<{ id: string; json: string }>(sql, params), query.limit);
  }

  async insertObject(row: ObjectRow) {
    await this.exec(
      `INSERT INTO objects (${OBJECT_COLUMNS}, search, key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, ${SEARCH_VECTOR('$16', '$17')}, $18)`,
      [...objectValues(row, (b) => b), ...searchParams(row), row.key ?? null],
    );
  }

  /** keys.ts's newCardKey in one statement (one round trip): the number is taken and recorded together. */
  override async newCardKey(workspaceId: string, cardId: string, boardId: string): Promise<string | null> {
    if (!this.inTransaction) return this.transaction((tx) => tx.newCardKey(workspaceId, cardId, boardId));
    const taken = await this.one<{ last_number: number; board_key: string }>(
      `WITH n AS (${numbered(TAKE_CARD_NUMBER)}),
       recorded AS (INSERT INTO card_numbers (board_id, number, card_id) SELECT board_id, last_number, $3 FROM n)
       SELECT last_number, board_key FROM n`,
      [boardId, workspaceId, cardId],
    );
    return taken ? cardKey(taken.board_key, Number(taken.last_number)) : null;
  }

  async updateObject(row: ObjectRow, previous: ObjectRow) {
    const params = objectValues(row, (b) => b);
    const model = modelOf(row.type);
    // A move or a field outside the search leaves the text: its vector (and the card's comments it reads) is not rebuilt.
    if (!model || searchTextUnchanged(model.search_fields, previous.data, row.data)) {
      return (await this.exec(UPDATE_OBJECT_KEEPING_SEARCH, [...params, previous.version])) > 0;
    }
    return (await this.exec(UPDATE_OBJECT, [...params, ...searchParams(row), previous.version])) > 0;
  }

  async reindexCardSearch(workspaceId: string, cardId: string) {
    const row = await this.getObject(workspaceId, 'card', cardId);
    if (!row) return;
    await this.exec(`UPDATE objects SET search = ${SEARCH_VECTOR('$2', `$3::text || ${CARD_COMMENTS_TEXT}`)} WHERE id = $1`, [cardId, ...searchParams(row)]);
  }

  async listObjectsByField(workspaceId: string, type: string, field: string, value: string) {
    return (await this.rows(`${OBJECT_SELECT} WHERE workspace_id = $1 AND type = $2 AND NOT is_deleted AND ${pgField(field)} = $3`, [workspaceId, type, value])).map(toObject);
  }

  async listTrash(workspaceId: string, types: string[], limit: number, offset: number): Promise<ListPage> {
    if (types.length === 0) return { rows: [], hasMore: false };
    const rows = await this.rows(
      `${OBJECT_SELECT} WHERE workspace_id = $1 AND is_deleted AND type = ANY($2) ORDER BY deleted_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [workspaceId, types, limit + 1, offset],
    );
    return { rows: rows.slice(0, limit).map(toObject), hasMore: rows.length > limit };
  }

  async listDeletedWith(workspaceId: string, id: string) {
    return (await this.rows(`${OBJECT_SELECT} WHERE workspace_id = $1 AND deleted_with = $2 AND is_deleted AND id <> $2 FOR UPDATE`, [workspaceId, id])).map(toObject);
  }

  // Positions

  async maxPosition(column: ColumnRef, excludeId?: string) {
    const where = columnWhere(column, 2);
    const row = await this.one<{ p: number }>(POSITION_SQL.last(where.sql), [excludeId ?? null, ...where.params]);
    return row?.p ?? undefined;
  }

  async neighbourPositions(column: ColumnRef, position: number, excludeId: string | undefined) {
    const where = columnWhere(column, 3);
    // Both neighbours in one round trip, each one entry of the column's index.
    const row = await this.one<{ below: number | null; above: number | null }>(POSITION_SQL.neighbours(where.sql), [excludeId ?? null, position, ...where.params]);
    return { below: row?.below ?? undefined, atOrAbove: row?.above ?? undefined };
  }

  async respaceColumn(column: ColumnRef, moverId: string, before: number, step: number): Promise<ColumnRespace> {
    // One statement, so the ranks and the writes agree; cards already at their rank's step are left
    // as they are (after a respace near the end of a column, most are). A card that leaves the column while this
    // waits for its row lock is re-checked against the WHERE after its move commits (READ COMMITTED
    // re-evaluates an updated row) and skipped: its rank just leaves a gap. Cards cannot enter the
    // column meanwhile: every placement into it holds the column's lock, as the caller does.
    // The re-check is spelled with IS NOT DISTINCT FROM, which no index serves, so the rows are found
    // by primary key from the ranks: with the column index on both sides the planner, estimating one
    // row each, joined them in a nested loop (3,000 × 3,000 comparisons: 5 s for 3,000 cards).
    const where = columnWhere(column, 4);
    const stillThere = `o.workspace_id IS NOT DISTINCT FROM $4 AND o.type IS NOT DISTINCT FROM 'card' AND o.is_deleted IS NOT DISTINCT FROM false
      AND (o.data->>'board_id') IS NOT DISTINCT FROM $${4 + where.params.length} AND (o.data->>'status') IS NOT DISTINCT FROM $${5 + where.params.length}`;
    const pos = pgField('position', true);
    const rows = await this.rows<{ id: string; version: number | null; position: number }>(
      `WITH ranked AS MATERIALIZED (
         SELECT c.id, (row_number() OVER (ORDER BY c.pos NULLS FIRST, c.other, c.id) * $3::float8) AS position
         FROM (SELECT id, ${pos} AS pos, 1 AS other FROM objects WHERE ${where.sql} AND id <> $1
               UNION ALL SELECT $1::text COLLATE "C", $2::float8, 0) c
       ), updated AS (
         UPDATE objects o SET data = jsonb_set(o.data, '{position}', to_jsonb(r.position))
         FROM ranked r WHERE o.id = r.id AND o.id <> $1 AND ((o.data->>'position')::float8) IS DISTINCT FROM r.position AND ${stillThere}
         RETURNING o.id, o.version, r.position
       )
       SELECT id, version, position FROM updated
       UNION ALL SELECT id, NULL, position FROM ranked WHERE id = $1`,
      [moverId, before, step, ...where.params, column.boardId, column.status],
    );
    rows.sort((x, y) => x.position - y.position);
    const respaced = rows.filter((r) => r.id !== moverId);
    return {
      position: rows.find((r) => r.id === moverId)!.position,
      ids: respaced.map((r) => r.id),
      positions: respaced.map((r) => r.position),
      versions: respaced.map((r) => r.version!),
    };
  }

  async countCardsInStatuses(workspaceId: string, boardId: string, statuses: string[]) {
    if (statuses.length === 0) return 0;
    const row = await this.one<{ n: number }>(
      `SELECT count(*) AS n FROM objects WHERE workspace_id = $1 AND type = 'card' AND NOT is_deleted AND ${pgField('board_id')} = $2 AND ${pgField('status')} = ANY($3)`,
      [workspaceId, boardId, statuses],
    );
    return Number(row!.n);
  }

  // Activity

  async insertActivity(row: NewActivity) {
    // Seqs must become visible in commit order, or a live feed reading "seq > cursor" could skip an
    // event whose transaction committed after a later seq's. Holding a per-workspace lock from the
    // seq's allocation to the commit makes allocation order the commit order (deadlocks this may
    // cause with row locks are retried by transaction()).
    if (!this.inTransaction) return this.transaction((tx) => tx.insertActivity(row));
    const values = [row.workspace_id, row.actor_id, row.token_id, row.object_type, row.object_id, row.action, JSON.stringify(row.changes), row.created_at,
      CHANNEL, `${this.shared.schema ?? ''}|${row.workspace_id}|`];
    // The NOTIFY (schema|workspace|seq) rides on the insert, delivered to every instance's LISTEN at
    // commit, never for a rolled-back write; so does the lock, the first time in a transaction: the
    // row the insert reads from `l` comes only once the lock is held, so the seq (the column's
    // default, computed for that row) is taken under it. One round trip.
    const first = !this.activityLocked.has(row.workspace_id);
    const inserted = await this.one<{ seq: number }>(first ? INSERT_ACTIVITY_LOCKING : INSERT_ACTIVITY, first ? [...values, `activity:${row.workspace_id}`] : values);
    if (first) this.activityLocked.add(row.workspace_id);
    const seq = Number(inserted!.seq);
    this.pending.push([row.workspace_id, seq]);
    return seq;
  }

  async listActivity(workspaceId: string, sinceSeq: number, types: string[], limit: number) {
    if (types.length === 0) return [];
    const rows = await this.rows<ActivityRow>(
      'SELECT * FROM activity WHERE workspace_id = $1 AND seq > $2 AND object_type = ANY($3) ORDER BY seq LIMIT $4',
      [workspaceId, sinceSeq, types, limit],
    );
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  async latestActivitySeq(workspaceId: string) {
    const row = await this.one<{ seq: number | null }>('SELECT max(seq) AS seq FROM activity WHERE workspace_id = $1', [workspaceId]);
    return row?.seq ?? 0;
  }

  // Idempotency

  // Login failures

  // Analytics

  async insertAnalytics(rows: Array<{ received_at: string; device_id: string | null; type: string; payload: string }>, keep: number) {
    if (rows.length === 0) return;
    await this.exec(
      'INSERT INTO analytics_events (received_at, device_id, type, payload) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])',
      [rows.map((r) => r.received_at), rows.map((r) => r.device_id), rows.map((r) => r.type), rows.map((r) => r.payload)],
    );
    await this.exec('DELETE FROM analytics_events WHERE id <= (SELECT max(id) FROM analytics_events) - $1', [keep]);
  }

  // Sweeping

}

gateMethods(PostgresStore.prototype);
