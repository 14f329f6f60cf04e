/**
 * What the plain CRUD (the repositories beside this file) asks of a store: three async calls over
 * SQL written once, with `?` placeholders (PostgreSQL's executor numbers them `$1, $2, …`; see
 * `numbered`). Each store provides one per handle, so a repository call inside a transaction runs on
 * that transaction; statement caching stays inside each store.
 *
 * Rule for repositories: one statement per method (or, with more, only inside a transaction). The
 * SQLite store runs a statement at the call, in the tick its method was admitted (transaction-guard.ts);
 * an await between two statements outside a transaction could let a transaction start in between.
 */
import { Lru } from '../lru.js';
import type { SqlValue } from './list-builder.js';

export interface Executor {
  /** Every row. */
  all<T>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** The first row, if any. */
  get<T>(sql: string, params?: SqlValue[]): Promise<T | undefined>;
  /** Runs a write; the rows it changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
  /**
   * Runs a write to tokens, sessions, users or memberships; the rows it changed. The store then drops
   * cached credentials at commit (on PostgreSQL every instance's, through NOTIFY in the same
   * transaction): the one path by which repositories change what authentication reads.
   */
  changeCredentials(sql: string, params?: SqlValue[]): Promise<number>;
  /** The column naming a row physically, for "delete one of the equal rows": SQLite `rowid`, PostgreSQL `ctid`. */
  readonly rowId: string;
  /** The scalar smaller of two values: SQLite `min`, PostgreSQL `least`. */
  readonly least: string;
  /** `column` is one of the rows `subquery` picks (a batch: SQLite `IN (…)`, PostgreSQL `= ANY(ARRAY(…))`, a TID scan for ctid). */
  inBatch(column: string, subquery: string): string;
  /**
   * Transactions never overlap (SQLite: each begins with BEGIN IMMEDIATE, which holds the database's
   * write lock, also against a second process sharing the file): a value read in a transaction is
   * still current when the same transaction writes, so a read can stand in for a lock (see keys.ts).
   */
  readonly serialWrites: boolean;
}

/** The parts of an Executor that describe its database rather than run statements. */
export type ExecutorDialect = Pick<Executor, 'rowId' | 'least' | 'inBatch' | 'serialWrites'>;

const rewritten = new Lru<string, string>(1024);

/** `?` placeholders as PostgreSQL's `$1, $2, …` (repositories' SQL has no `?` in literals). */
export function numbered(sql: string): string {
  let out = rewritten.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    rewritten.set(sql, out);
  }
  return out;
}
