/**
 * The SQLite store: one better-sqlite3 connection in WAL mode, prepared statements cached by SQL.
 *
 * better-sqlite3 is synchronous; the async interface exists for PostgreSQL. Transactions take a
 * lock and run one at a time, each an async function that, by the store's rule, only awaits store
 * calls, so it completes within one turn of the event loop.
 *
 * Group commit: the transactions that queue up while one runs share its COMMIT. Each runs in a
 * SAVEPOINT of one open BEGIN IMMEDIATE (a failing one rolls back to its savepoint, alone); the
 * group commits once no transaction is waiting any more (checked after the event loop's current
 * turn, so requests that arrived together join), once GROUP_MAX have joined, or at once when a call
 * from outside is waiting for the connection (it runs before the next transaction begins, as it
 * always did). A COMMIT writes each page it changed to the WAL, and the creates of a busy board
 * change the same index pages: ten creates committed together write a fraction of the pages ten
 * commits write (a card create writes about 30). Nothing is acknowledged early:
 * each transaction's promise settles only after the COMMIT that holds it (or its failure), and calls
 * on the store from outside wait until then, as they wait for any open transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { foldForSearch, modelOf } from '@prodboard/shared';
import type {
  ActivityListener, ActivityRow, ColumnRef, ColumnRespace, CredentialRecord, JsonPage, ListPage, NewActivity, ObjectListQuery, ObjectRow, Store, StoreTx,
} from '../types.js';
import type { PoolStats } from '../types.js';
import { OBJECT_COLUMNS, credentialSql, jsonPage, objectValues, toCredential, toObject, type Row } from '../sql/rows.js';
import { CredentialCache } from '../credential-cache.js';
import { Lru, STATEMENT_CACHE_SIZE } from '../lru.js';
import { PageCache } from '../page-cache.js';
import { currentTransaction, gateMethods, insideOwnTransaction, lockKeyOutsideTransaction, runInTransaction, transactionEnded, type TxMark } from '../transaction-guard.js';
import { cursorSql, pageSql, presentedJsonSql, searchText, searchTextUnchanged, unknownCursor, type SqlValue } from '../sql/list-builder.js';
import { named, sqliteDialect, sqliteField as fieldExpr } from './dialect.js';
import { MIGRATIONS } from './migrations.js';
import { ASSIGNEES_MIGRATION, migrateLegacyAssignees, type MemberIdentity } from '../assignee-migration.js';
import { emailKeysFor } from '../email.js';
import { backfillKeys } from '../sql/keys.js';
import type { Executor, ExecutorDialect } from '../sql/executor.js';
import { SqlStoreBase } from '../sql/sql-store.js';

/** One object as presentObject presents it, as JSON written by SQLite (built once: it is asked for on every GET by id). */
const OBJECT_JSON_SELECT = `SELECT version, is_deleted, ${presentedJsonSql(sqliteDialect)} AS json FROM objects WHERE id = ? AND workspace_id = ? AND type = ?`;




/** A transaction that holds the connection: calls from outside it wait for `done`. */
interface OpenTransaction extends TxMark {
  done: Promise<void>;
}

/** Transactions committed together (see the module comment): the open BEGIN and who waits for its COMMIT. */
interface Group {
  /** The connection's open transaction, as calls from outside see it (`shared.active`). */
  open: OpenTransaction;
  /** Ends `open`: calls waiting on the store run. */
  finish: () => void;
  /** Transactions done and released, waiting for the COMMIT. */
  members: Array<{ tx: SqliteStore; resolve: () => void; reject: (err: unknown) => void }>;
  /** Whether a member ran in a savepoint (the first runs without one: its failure rolls back the group, empty till then). */
  savepoints: boolean;
  /** A commit is queued behind the transactions waiting now. */
  scheduled: boolean;
}

const endedEarly = () => new Error('SQLite ended the transaction before its COMMIT (an I/O error, a full disk, an interrupt); none of its writes were kept');

/** WAL pages between automatic checkpoints (SQLite's default: 1,000); see openSqliteStore. */
export const WAL_CHECKPOINT_PAGES = 4000;

/** Transactions committed together at most: bounds how long a member and calls from outside wait. */
const GROUP_MAX = 32;

interface Shared {
  db: Database.Database;
  /** Prepared statements by SQL, least recently used evicted (list SQL varies with the query's shape). */
  statements: Lru<string, Database.Statement>;
  /** Tail of the queue of transactions waiting for the connection. */
  lock: Promise<void>;
  /** The transaction holding the connection now. */
  active?: OpenTransaction;
  /** The transactions waiting for one COMMIT, while its BEGIN is open. */
  group?: Group;
  /** Calls on the store waiting for `active` to end. */
  waiting: number;
  /** Transactions queued on `lock`, and whether one holds the connection (for /metrics). */
  queue: { waiting: number; running: boolean };
  listeners: Set<ActivityListener>;
  credentials: CredentialCache;
  pages: PageCache;
}




/** Whether `row` differs from `previous` only in its data, updated_by, updated_at and version (an edit, a move). */
function contentOnly(row: ObjectRow, previous: ObjectRow): boolean {
  return row.id === previous.id && row.workspace_id === previous.workspace_id && row.type === previous.type && row.status === previous.status
    && row.owned_by === previous.owned_by && row.created_by === previous.created_by && row.is_archived === previous.is_archived
    && row.is_deleted === previous.is_deleted && row.created_at === previous.created_at && row.deleted_at === previous.deleted_at
    && row.deleted_with === previous.deleted_with;
}

/** What the repositories' SQL needs to know of SQLite (sql/executor.ts); one connection writes, in turn. */
const SQLITE_EXECUTOR: ExecutorDialect = {
  rowId: 'rowid',
  least: 'min',
  inBatch: (column, subquery) => `${column} IN (${subquery})`,
  serialWrites: true,
};

const columnWhere = `workspace_id = ? AND type = 'card' AND is_deleted = 0
  AND ${fieldExpr('board_id')} IS ? AND ${fieldExpr('status')} IS ?`;

/** Opens (creating if needed) the SQLite database file and returns the store. */
export function openSqliteStore(file: string, options: { pageCacheBytes?: number; statementCacheSize?: number } = {}): SqliteStore {
  const path = file === ':memory:' ? file : resolve(file);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Checkpoint the WAL into the database every WAL_CHECKPOINT_PAGES pages rather than SQLite's 1,000:
  // each checkpoint syncs the file and writes every page changed since the last once, so rarer ones
  // write a busy board's index pages once for many commits (measured: a lone client's card create
  // 1,226 → 1,035 µs of server CPU). The WAL file grows to about 16 MiB; as at every setting of
  // synchronous = NORMAL, a crash of the process loses nothing, a power cut the writes since the last checkpoint.
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A 64 MiB page cache and memory-mapped reads (the default cache is 2 MiB): large boards stay in memory.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  return new SqliteStore({ db, statements: new Lru(options.statementCacheSize ?? STATEMENT_CACHE_SIZE), lock: Promise.resolve(), waiting: 0, queue: { waiting: 0, running: false }, listeners: new Set(), credentials: new CredentialCache(), pages: new PageCache(options.pageCacheBytes) }, undefined, `sqlite:${path}`);
}

/** The SQLite implementation of the store. */
export class SqliteStore extends SqlStoreBase implements Store {
  /** Activity recorded in this transaction, announced after COMMIT. */
  private readonly pending: Array<[string, number]> = [];
  /** This transaction changed a token, session, user or membership: cached credentials go at commit. */
  private credentialsChanged = false;

  constructor(
    private readonly shared: Shared,
    /** The transaction this handle belongs to; undefined for the store itself. */
    private readonly tx: TxMark | undefined,
    readonly description: string,
  ) {
    super();
  }

  private get inTransaction(): boolean {
    return this.tx !== undefined;
  }

  /** The repositories' executor (sql/executor.ts): each statement runs at the call, synchronously. */
  protected readonly sql: Executor = {
    all: async (sql, params = []) => this.all(sql, ...params),
    get: async (sql, params = []) => this.get(sql, ...params),
    run: async (sql, params = []) => this.run(sql, ...params).changes,
    changeCredentials: async (sql, params = []) => {
      const changes = this.run(sql, ...params).changes;
      // Nothing changed, nothing to forget (a sweep that found no expired session keeps the cache).
      if (changes > 0) this.credentialWrite();
      return changes;
    },
    ...SQLITE_EXECUTOR,
  };

  /**
   * Whether a call may run now (see transaction-guard.ts): a handle only while its transaction is
   * open; the store itself at once when no transaction holds the connection, after it otherwise,
   * and never from inside that transaction.
   */
  admit(method: string): Promise<void> | undefined {
    if (this.tx !== undefined) {
      if (this.tx.ended) throw transactionEnded(method);
      return undefined;
    }
    const active = this.shared.active;
    if (active === undefined) return undefined;
    if (currentTransaction(this.shared) !== undefined) throw insideOwnTransaction(method);
    this.shared.waiting++;
    void active.done.then(() => {
      this.shared.waiting--;
    });
    // `done` itself, so the call runs right when it resolves, ahead of the next transaction.
    return active.done;
  }

  private announce(events: Array<[string, number]>): void {
    for (const listener of this.shared.listeners) {
      for (const [workspaceId, seq] of events) {
        try {
          listener(workspaceId, seq);
        } catch {
          // A listener's failure must not undo or block a committed write.
        }
      }
    }
  }

  subscribeActivity(listener: ActivityListener): () => void {
    this.shared.listeners.add(listener);
    return () => this.shared.listeners.delete(listener);
  }

  /** Called after any write to credentials or memberships (after commit when outside a transaction). */
  private credentialWrite(): void {
    if (this.inTransaction) this.credentialsChanged = true;
    else this.shared.credentials.invalidate();
  }

  /** Calls waiting for another request's transaction to end (tests and diagnostics). */
  get waitingForTransaction(): number {
    return this.shared.waiting;
  }

  /** Prepared statements kept at most (tests and diagnostics). */
  get statementCacheLimit(): number {
    return this.shared.statements.max;
  }

  /** Prepared statements held (one cache: the one connection). */
  statementCacheSizes(): number[] {
    return [this.shared.statements.size];
  }

  private stmt(sql: string): Database.Statement {
    // Every call of the store itself was admitted (it waited for any open transaction); SQL of the
    // store running while one is open anyway would join it: refuse rather than corrupt it.
    if (this.tx === undefined ? this.shared.active !== undefined : this.tx.ended) {
      throw new Error('the SQLite store ran SQL outside the open transaction (a store method awaited between its statements); it was refused so it cannot join that transaction');
    }
    let s = this.shared.statements.get(sql);
    if (!s) {
      s = this.shared.db.prepare(sql);
      this.shared.statements.set(sql, s);
    }
    return s;
  }

  private get<T = Row>(sql: string, ...params: Array<SqlValue | undefined>): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  private all<T = Row>(sql: string, ...params: SqlValue[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  private run(sql: string, ...params: SqlValue[]): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.tx !== undefined) {
      if (this.tx.ended) throw transactionEnded('transaction');
      return fn(this);
    }
    // From inside its own transaction this would wait for itself forever.
    if (currentTransaction(this.shared)) throw insideOwnTransaction('transaction');
    const release = await this.takeConnection();
    const { db } = this.shared;
    let committed: Promise<void> | undefined;
    let result!: T;
    try {
      // A group whose transaction SQLite has ended (an I/O error, a full disk) takes no one more: a
      // SAVEPOINT would begin, and its RELEASE commit, a transaction of its own.
      if (this.shared.group !== undefined && !db.inTransaction) this.abandonGroup(this.shared.group, endedEarly());
      const group = this.shared.group ?? this.openGroup();
      const savepoint = group.members.length > 0 || group.savepoints;
      if (savepoint) {
        group.savepoints = true;
        db.exec('SAVEPOINT tx');
      }
      const mark: TxMark = { owner: this.shared, ended: false };
      const tx = new SqliteStore(this.shared, mark, this.description);
      try {
        result = await runInTransaction(mark, () => fn(tx));
      } catch (err) {
        mark.ended = true;
        this.undoMember(group, savepoint, err);
        throw err;
      }
      mark.ended = true;
      if (!db.inTransaction) {
        // fn caught an error that made SQLite roll back the whole transaction: its writes are gone too.
        const err = endedEarly();
        this.abandonGroup(group, err);
        throw err;
      }
      if (savepoint) db.exec('RELEASE tx');
      // Forgotten now as well as at the COMMIT: a credential read meanwhile misses the cache and
      // waits for the COMMIT, rather than a revoked token being vouched for from the cache.
      if (tx.credentialsChanged) this.shared.credentials.invalidate();
      committed = new Promise<void>((resolve, reject) => group.members.push({ tx, resolve, reject }));
    } finally {
      try {
        this.shared.queue.running = false;
        // Calls from outside waiting for the connection go first: the group commits now, before the
        // next transaction (they never wait behind a whole group of later ones).
        const group = this.shared.group;
        if (group !== undefined && (group.members.length >= GROUP_MAX || this.shared.waiting > 0)) this.commitGroup(group);
        else this.scheduleCommit();
      } finally {
        release();
      }
    }
    await committed;
    return result;
  }

  /**
   * Undoes a failed member: back to its savepoint, the group going on without it; the whole group
   * when there was no savepoint (it was the first), when SQLite already ended the transaction, or
   * when the rollback to the savepoint fails (its writes must not reach the COMMIT).
   */
  private undoMember(group: Group, savepoint: boolean, err: unknown): void {
    const { db } = this.shared;
    if (savepoint && db.inTransaction) {
      try {
        db.exec('ROLLBACK TO tx; RELEASE tx');
        return;
      } catch {
        // Falls through: the group goes.
      }
    }
    this.abandonGroup(group, err);
  }

  /** Waits for the connection (transactions queue on `shared.lock`, in order); the function that gives it back. */
  private async takeConnection(): Promise<() => void> {
    const previous = this.shared.lock;
    let release!: () => void;
    this.shared.lock = new Promise<void>((r) => (release = r));
    this.shared.queue.waiting += 1;
    await previous;
    this.shared.queue.waiting -= 1;
    this.shared.queue.running = true;
    return release;
  }

  private openGroup(): Group {
    let finish!: () => void;
    const open: OpenTransaction = { owner: this.shared, ended: false, done: new Promise<void>((r) => (finish = r)) };
    this.shared.db.exec('BEGIN IMMEDIATE');
    const group: Group = { open, finish, members: [], savepoints: false, scheduled: false };
    this.shared.group = group;
    this.shared.active = open;
    return group;
  }

  /** Ends the group's transaction for everyone: calls waiting on the store go before the next transaction. */
  private endGroup(group: Group): void {
    if (this.shared.group === group) this.shared.group = undefined;
    if (this.shared.active === group.open) this.shared.active = undefined;
    group.open.ended = true;
    group.finish();
  }

  /** Commits the group (no member running) and settles its members; their announcements follow the COMMIT. */
  private commitGroup(group: Group): void {
    const { db } = this.shared;
    if (!db.inTransaction) {
      // Never acknowledge what SQLite has already rolled back.
      this.abandonGroup(group, endedEarly());
      return;
    }
    try {
      db.exec('COMMIT');
    } catch (err) {
      this.abandonGroup(group, err);
      return;
    }
    this.endGroup(group);
    if (group.members.some((m) => m.tx.credentialsChanged)) this.shared.credentials.invalidate();
    for (const m of group.members) this.announce(m.tx.pending);
    for (const m of group.members) m.resolve();
  }

  /** Rolls the group back (a failed COMMIT, or SQLite ended the transaction): none of its members happened. */
  private abandonGroup(group: Group, err: unknown): void {
    const { db } = this.shared;
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } finally {
      // Even if ROLLBACK throws (the connection then rolls back when it closes): no member is
      // acknowledged, and no call waits for this group any more.
      this.endGroup(group);
      for (const m of group.members) m.reject(err);
    }
  }

  /** Queues the open group's COMMIT behind the transactions waiting now (after this turn of the event loop). */
  private scheduleCommit(): void {
    const group = this.shared.group;
    if (group === undefined || group.scheduled) return;
    group.scheduled = true;
    setImmediate(() => {
      void this.takeConnection().then((release) => {
        try {
          if (this.shared.group === group) this.commitGroup(group);
        } catch {
          // commitGroup settled every member (a throwing ROLLBACK included): nothing is left to tell.
        } finally {
          this.shared.queue.running = false;
          release();
        }
      });
    });
  }

  poolStats(): PoolStats[] {
    const { waiting, running } = this.shared.queue;
    return [{ pool: 'sqlite', total: 1, idle: running ? 0 : 1, waiting }];
  }

  async ping(): Promise<void> {
    this.get('SELECT 1');
  }

  async migrate(): Promise<number[]> {
    const { db } = this.shared;
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      // BEGIN … COMMIT by hand, not db.transaction(): the key backfill is async (shared SQL over an
      // executor), and nothing else uses the connection while the store migrates.
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(m.sql);
        if (m.name === 'email keys') {
          const users = db.prepare('SELECT id, email, created_at FROM users').all() as Array<{ id: string; email: string; created_at: string }>;
          const set = db.prepare('UPDATE users SET email_key = ? WHERE id = ?');
          for (const { id, key } of emailKeysFor(users)) set.run(key, id);
        }
        if (m.name === ASSIGNEES_MIGRATION) {
          const cards = db.prepare("SELECT id, workspace_id, data FROM objects WHERE type = 'card' AND json_extract(data, '$.assignee') IS NOT NULL").all() as Array<{ id: string; workspace_id: string; data: string }>;
          const members = db.prepare('SELECT m.workspace_id, u.id AS user_id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id').all() as MemberIdentity[];
          const update = db.prepare('UPDATE objects SET data = ?, version = version + 1 WHERE id = ?');
          for (const card of migrateLegacyAssignees(cards.map((c) => ({ ...c, data: JSON.parse(c.data) })), members)) update.run(JSON.stringify(card.data), card.id);
        }
        if (m.name === 'human keys') {
          await backfillKeys({
            all: async (sql, params = []) => db.prepare(sql).all(...params) as never[],
            get: async (sql, params = []) => db.prepare(sql).get(...params) as never,
            run: async (sql, params = []) => db.prepare(sql).run(...params).changes,
            changeCredentials: async () => 0,
            // board_counters exists until migration 12, which commits on its own: filled here, a
            // database whose upgrade stops before 12 still numbers cards under the release before.
            ...SQLITE_EXECUTOR,
            serialWrites: false,
          });
          // Search text now splits CJK runs into pairs (foldForSearch): comments are folded again, and
          // every object re-indexed (a card with its comments' text).
          const fold = db.prepare('UPDATE comments SET search_text = ? WHERE id = ?');
          for (const c of db.prepare('SELECT id, body FROM comments').all() as Array<{ id: string; body: string }>) fold.run(foldForSearch(c.body), c.id);
          this.rebuildSearchIndex();
        }
        if (m.name === 'fewer writes per card') this.rebuildSearchIndex();
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
      done.push(m.version);
    }
    if (done.length > 0) this.analyze();
    return done;
  }

  async close(): Promise<void> {
    // Transactions already done wait for their group's COMMIT (queued): closing first would roll them back.
    while (this.shared.group) await this.shared.group.open.done;
    if (!this.shared.db.open) return;
    this.shared.db.pragma('optimize');
    this.shared.db.close();
  }

  /** Refreshes the planner's statistics (after bulk loads). */
  analyze(): void {
    const { db } = this.shared;
    db.exec('ANALYZE');
    // With sqlite_stat4 samples a plan may depend on bound values, and SQLite then re-prepares every
    // statement on every run (about 0.1 ms each, measured): keep the per-index averages of stat1 only.
    const hasStat4 = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat4'").get();
    if (hasStat4) db.exec('DELETE FROM sqlite_stat4; ANALYZE sqlite_schema');
  }

  /** The raw connection, for benchmarks' bulk seeding only. */
  get connection(): Database.Database {
    return this.shared.db;
  }

  // Settings

  // Workspaces, users, memberships


  // Invitations

  // Sessions and tokens



  async getCredential(kind: CredentialRecord['kind'], tokenHash: string) {
    // One process owns the file, so the cache can always vouch for its generation.
    return this.shared.credentials.get(tokenHash, true, async () => toCredential(kind, this.get(credentialSql(kind, '?'), tokenHash)));
  }

  async touchAccessToken(id: string, at: string) {
    this.run('UPDATE access_tokens SET last_used_at = ? WHERE id = ?', at, id);
    this.shared.credentials.touched(id, at);
  }

  readonly serialWrites = true;

  async lockKey(_name: string | readonly string[]) {
    // Writes on one SQLite connection are serial already (transactions take the store's lock); what
    // is checked is that the caller holds a transaction, as PostgreSQL needs.
    if (!this.inTransaction) throw lockKeyOutsideTransaction();
  }

  // Objects

  async getObjectForUpdate(workspaceId: string, type: string, id: string) {
    return this.getObject(workspaceId, type, id);
  }

  async getObject(workspaceId: string, type: string, id: string) {
    const row = this.get('SELECT * FROM objects WHERE id = ? AND workspace_id = ? AND type = ?', id, workspaceId, type);
    return row && toObject(row);
  }

  async getCardAndBoard(workspaceId: string, cardId: string, boardId: string | null) {
    const card = await this.getObject(workspaceId, 'card', cardId);
    const of = boardId ?? (typeof card?.data.board_id === 'string' ? card.data.board_id : null);
    return { card, board: of === null ? undefined : await this.getObject(workspaceId, 'board', of) };
  }

  async getObjectJson(workspaceId: string, type: string, id: string) {
    const row = this.get<{ json: string; version: number; is_deleted: number }>(OBJECT_JSON_SELECT, id, workspaceId, type);
    return row && { json: row.json, version: row.version, is_deleted: row.is_deleted === 1 };
  }

  async listObjects(query: ObjectListQuery): Promise<JsonPage> {
    const { pages } = this.shared;
    if (this.inTransaction || !pages.enabled) return this.readPage(query);
    // The seq and the page are read in one go: awaiting between them would let a transaction begin
    // and this read run inside it.
    return pages.readAt(query, this.latestSeq(query.workspaceId), () => this.readPage(query));
  }

  private async readPage(query: ObjectListQuery): Promise<JsonPage> {
    let cursor: { value: SqlValue; id: string } | undefined;
    if (query.after !== undefined) {
      const c = cursorSql(sqliteDialect, query, query.after);
      const found = this.stmt(c.sql).get(named(c.params)) as { v: SqlValue; id: string } | undefined;
      if (!found) throw unknownCursor(query.after);
      cursor = { value: found.v, id: found.id };
    }
    const { sql, params } = pageSql(sqliteDialect, query, cursor);
    return jsonPage(this.stmt(sql).all(named(params)) as Array<{ id: string; json: string }>, query.limit);
  }

  async insertObject(row: ObjectRow) {
    const result = this.run(
      `INSERT INTO objects (${OBJECT_COLUMNS}, key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...(objectValues(row, (b) => (b ? 1 : 0)) as SqlValue[]),
      row.key ?? null,
    );
    // A row just inserted has no comments yet (they name an existing card), as on PostgreSQL.
    this.indexText(Number(result.lastInsertRowid), row, false, false);
  }

  async updateObject(row: ObjectRow, previous: ObjectRow) {
    // SQLite rewrites every index on a column its SET names, changed or not: an edit or a move, which
    // changes only these four, names only them, and objects_owner and objects_created stay as they are.
    const updated = contentOnly(row, previous)
      ? this.get<{ seq: number }>(
          'UPDATE objects SET updated_by = ?, updated_at = ?, version = ?, data = ? WHERE id = ? AND version = ? RETURNING seq',
          row.updated_by, row.updated_at, row.version, JSON.stringify(row.data), row.id, previous.version,
        )
      : this.get<{ seq: number }>(
          `UPDATE objects SET workspace_id = ?, type = ?, status = ?, owned_by = ?, created_by = ?, updated_by = ?,
             is_archived = ?, is_deleted = ?, created_at = ?, updated_at = ?, version = ?, deleted_at = ?, deleted_with = ?, data = ?
           WHERE id = ? AND version = ? RETURNING seq`,
          ...(objectValues(row, (b) => (b ? 1 : 0)) as SqlValue[]).slice(1), row.id, previous.version,
        );
    if (updated === undefined) return false;
    // A move or a field outside the search leaves the text: its FTS entry (about 8 WAL pages) stays.
    const model = modelOf(row.type);
    if (model && !searchTextUnchanged(model.search_fields, previous.data, row.data)) this.indexText(updated.seq, row, true);
    return true;
  }

  /** `withComments`: a card's comments are looked up for its text (false: it has none, being new). */
  private indexText(seq: number, row: ObjectRow, replace: boolean, withComments = true) {
    const model = modelOf(row.type);
    if (!model) return;
    if (replace) this.run('DELETE FROM objects_fts WHERE rowid = ?', seq);
    const { title, body } = searchText(model.search_fields, row.data);
    // A card is also found by its comments' text (already folded when each was written).
    const comments = withComments && row.type === 'card' ? this.get<{ t: string }>("SELECT coalesce(group_concat(search_text, char(10)), '') AS t FROM comments WHERE card_id = ?", row.id)!.t : '';
    this.run('INSERT INTO objects_fts (rowid, title, body) VALUES (?, ?, ?)', seq, title, comments ? `${body}\n${comments}` : body);
  }

  /** Indexes every object's search text afresh (migrations 9 and 12), a batch of rows in memory at a time. */
  private rebuildSearchIndex(): void {
    const { db } = this.shared;
    db.exec('DELETE FROM objects_fts');
    const batch = db.prepare('SELECT * FROM objects WHERE seq > ? ORDER BY seq LIMIT 500');
    for (let after = 0; ; ) {
      const rows = batch.all(after) as Array<Record<string, unknown>>;
      if (rows.length === 0) return;
      for (const row of rows) this.indexText(row.seq as number, toObject(row), false);
      after = rows[rows.length - 1].seq as number;
    }
  }

  async reindexCardSearch(workspaceId: string, cardId: string) {
    const row = this.get<Record<string, unknown>>("SELECT * FROM objects WHERE id = ? AND workspace_id = ? AND type = 'card'", cardId, workspaceId);
    if (row) this.indexText(row.seq as number, toObject(row), true);
  }

  async listObjectsByField(workspaceId: string, type: string, field: string, value: string) {
    return this.all(
      `SELECT * FROM objects WHERE workspace_id = ? AND type = ? AND is_deleted = 0 AND ${fieldExpr(field)} = ?`,
      workspaceId, type, value,
    ).map(toObject);
  }

  async listTrash(workspaceId: string, types: string[], limit: number, offset: number): Promise<ListPage> {
    if (types.length === 0) return { rows: [], hasMore: false };
    const rows = this.all(
      `SELECT * FROM objects WHERE workspace_id = ? AND is_deleted = 1 AND type IN (${types.map(() => '?').join(', ')})
       ORDER BY deleted_at DESC, id DESC LIMIT ? OFFSET ?`,
      workspaceId, ...types, limit + 1, offset,
    );
    return { rows: rows.slice(0, limit).map(toObject), hasMore: rows.length > limit };
  }

  async listDeletedWith(workspaceId: string, id: string) {
    return this.all('SELECT * FROM objects WHERE workspace_id = ? AND deleted_with = ? AND is_deleted = 1 AND id <> ?', workspaceId, id, id).map(toObject);
  }

  // Positions

  async maxPosition(column: ColumnRef, excludeId?: string) {
    const row = this.get<{ p: number | null }>(
      `SELECT max(${fieldExpr('position')}) AS p FROM objects WHERE ${columnWhere} AND id IS NOT ?`,
      column.workspaceId, column.boardId, column.status, excludeId ?? null,
    );
    return row?.p ?? undefined;
  }

  async neighbourPositions(column: ColumnRef, position: number, excludeId: string | undefined) {
    const params = [column.workspaceId, column.boardId, column.status, excludeId ?? null, position];
    const below = this.get<{ p: number | null }>(
      `SELECT max(${fieldExpr('position')}) AS p FROM objects WHERE ${columnWhere} AND id IS NOT ? AND ${fieldExpr('position')} < ?`,
      ...params,
    )?.p;
    const atOrAbove = this.get<{ p: number | null }>(
      `SELECT min(${fieldExpr('position')}) AS p FROM objects WHERE ${columnWhere} AND id IS NOT ? AND ${fieldExpr('position')} >= ?`,
      ...params,
    )?.p;
    return { below: below ?? undefined, atOrAbove: atOrAbove ?? undefined };
  }

  async respaceColumn(column: ColumnRef, moverId: string, before: number, step: number): Promise<ColumnRespace> {
    // One UPDATE ranks and writes the column (cards already at their rank's step are left alone). SQLite runs one writer at a time, so the ranked rows are
    // the column's when they are written (no re-check needed: with the column's terms repeated on
    // `objects` SQLite scanned the ranks once per row, 1.1 s for 3,000 cards), and the mover's slot,
    // counted first, is the one the ranks leave free.
    const pos = fieldExpr('position');
    const column3 = [column.workspaceId, column.boardId, column.status] as SqlValue[];
    const below = this.get<{ n: number }>(
      `SELECT count(*) AS n FROM objects WHERE ${columnWhere} AND id <> ? AND (${pos} IS NULL OR ${pos} < ?)`,
      ...column3, moverId, before,
    )!.n;
    const rows = this.all<{ id: string; version: number; position: number }>(
      `WITH ranked AS (
         SELECT id, row_number() OVER (ORDER BY pos NULLS FIRST, other, id) * ? AS position
         FROM (SELECT id, ${pos} AS pos, 1 AS other FROM objects WHERE ${columnWhere} AND id <> ?
               UNION ALL SELECT ?, ?, 0)
       )
       UPDATE objects SET data = json_set(data, '$.position', ranked.position)
       FROM ranked WHERE objects.id = ranked.id AND objects.id <> ? AND json_extract(objects.data, '$.position') IS NOT ranked.position
       RETURNING objects.id AS id, objects.version AS version, ${fieldExpr('position').replace('data', 'objects.data')} AS position`,
      step, ...column3, moverId, moverId, before, moverId,
    );
    rows.sort((x, y) => x.position - y.position);
    return { position: (below + 1) * step, ids: rows.map((r) => r.id), positions: rows.map((r) => r.position), versions: rows.map((r) => r.version) };
  }

  async countCardsInStatuses(workspaceId: string, boardId: string, statuses: string[]) {
    if (statuses.length === 0) return 0;
    return this.get<{ n: number }>(
      `SELECT count(*) AS n FROM objects WHERE workspace_id = ? AND type = 'card' AND is_deleted = 0
         AND ${fieldExpr('board_id')} = ? AND ${fieldExpr('status')} IN (${statuses.map(() => '?').join(', ')})`,
      workspaceId, boardId, ...statuses,
    )!.n;
  }

  // Activity

  async insertActivity(row: NewActivity) {
    // As on PostgreSQL: outside a transaction it is a transaction of its own.
    if (!this.inTransaction) return this.transaction((tx) => tx.insertActivity(row));
    const result = this.run(
      `INSERT INTO activity (workspace_id, actor_id, token_id, object_type, object_id, action, changes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      row.workspace_id, row.actor_id, row.token_id, row.object_type, row.object_id, row.action, JSON.stringify(row.changes), row.created_at,
    );
    const seq = Number(result.lastInsertRowid);
    this.pending.push([row.workspace_id, seq]);
    return seq;
  }

  async listActivity(workspaceId: string, sinceSeq: number, types: string[], limit: number) {
    if (types.length === 0) return [];
    return this.all(
      `SELECT * FROM activity WHERE workspace_id = ? AND seq > ? AND object_type IN (${types.map(() => '?').join(', ')})
       ORDER BY seq LIMIT ?`,
      workspaceId, sinceSeq, ...types, limit,
    ).map((row) => ({ ...(row as unknown as ActivityRow), changes: JSON.parse(row.changes as string) }));
  }

  async latestActivitySeq(workspaceId: string) {
    return this.latestSeq(workspaceId);
  }

  private latestSeq(workspaceId: string): number {
    return this.get<{ seq: number | null }>('SELECT max(seq) AS seq FROM activity WHERE workspace_id = ?', workspaceId)?.seq ?? 0;
  }

  // Idempotency

  // Login failures

  // Analytics

  async insertAnalytics(rows: Array<{ received_at: string; device_id: string | null; type: string; payload: string }>, keep: number) {
    for (const r of rows) {
      this.run('INSERT INTO analytics_events (received_at, device_id, type, payload) VALUES (?, ?, ?, ?)', r.received_at, r.device_id, r.type, r.payload);
    }
    this.run('DELETE FROM analytics_events WHERE id <= (SELECT max(id) FROM analytics_events) - ?', keep);
  }

  // Sweeping

}

gateMethods(SqliteStore.prototype);
