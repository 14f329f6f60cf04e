/**
 * What keeps a transaction to itself, on both stores.
 *
 * Code inside `store.transaction(fn)` is told, through AsyncLocalStorage, which transaction it runs
 * in. Every store method that touches the database first asks the store to admit the call
 * (`gateMethods`):
 *
 * - on the handle `fn` received, once its transaction has ended: refused (the handle is dead; on
 *   PostgreSQL its connection already serves someone else);
 * - on the store itself, from code running inside one of that store's open transactions: refused,
 *   loudly (on SQLite it would wait for itself forever; on PostgreSQL it would run on a second
 *   connection, blind to the transaction's writes and blocked by its locks);
 * - on the store itself, from anywhere else, while a transaction is open: SQLite waits for it to end
 *   (one connection: the call would otherwise run inside it and roll back with it); PostgreSQL runs
 *   it at once on another connection.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store } from './types.js';

/** One transaction, as the code inside it sees it. */
export interface TxMark {
  /** The store (its shared state) the transaction belongs to. */
  readonly owner: object;
  ended: boolean;
}

const context = new AsyncLocalStorage<TxMark>();

/**
 * Whether code is told which transaction it runs in (the refusals of calls on the store itself from
 * inside its own transaction). Off by default: once an AsyncLocalStorage is in use, Node 20 tracks
 * every promise of the process, and `npm run bench` measured SQLite's get-by-id at 0.134 ms of server
 * CPU a request with it against 0.083 ms without. What production needs holds without it: on SQLite
 * a call on the store itself while a transaction is open waits for it, so it can never join it. The
 * test suite turns it on (test/helpers.ts), so a command that misuses the store fails there loudly
 * instead of waiting for itself; `PRODBOARD_STRICT_TRANSACTIONS=1` turns it on in a server.
 */
let strict = process.env.PRODBOARD_STRICT_TRANSACTIONS === '1';

/** Turns the transaction-context checks on or off for the whole process (see `strict`). */
export function checkTransactionContext(on: boolean): void {
  strict = on;
}

/** Runs `fn` as part of the transaction `mark`. */
export function runInTransaction<T>(mark: TxMark, fn: () => Promise<T>): Promise<T> {
  return strict ? context.run(mark, fn) : fn();
}

/** The still-open transaction of `owner` that the running code is part of, if any (strict mode only). */
export function currentTransaction(owner: object): TxMark | undefined {
  if (!strict) return undefined;
  const mark = context.getStore();
  return mark !== undefined && mark.owner === owner && !mark.ended ? mark : undefined;
}

export function insideOwnTransaction(method: string): Error {
  return new Error(
    `store.${method} was called on the store itself from inside store.transaction(fn); call tx.${method} on the handle fn received (or move the call out of the transaction)`,
  );
}

export function transactionEnded(method: string): Error {
  return new Error(`tx.${method} was called after its transaction has ended; use the store, or a new transaction, instead of a kept handle`);
}

export function lockKeyOutsideTransaction(): Error {
  return new Error('lockKey needs a transaction: a lock lasts until its transaction ends, so call tx.lockKey inside store.transaction(fn)');
}

type Method = { [K in keyof Store]-?: Store[K] extends (...args: never[]) => unknown ? K : never }[keyof Store];

/**
 * Every Store method that reaches the database. Typed as a record over the interface, so a method
 * added to Store fails the typecheck until it is listed here (or deliberately left out below).
 */
const GATED: Record<Exclude<Method, 'transaction' | 'subscribeActivity' | 'migrate' | 'close' | 'poolStats'>, true> = {
  ping: true, getSetting: true, setSetting: true, countUsers: true, insertWorkspace: true, getWorkspace: true, getWorkspaceBySlug: true,
  insertUser: true, getUser: true, getUserByEmail: true, updateUserPassword: true, upsertMembership: true, getMembership: true,
  listMemberships: true, listMembers: true, insertInvitation: true, getInvitation: true, getInvitationByHash: true,
  listPendingInvitations: true, acceptInvitation: true, revokeInvitation: true, insertSession: true, expireSession: true, renewSession: true, retireParentSession: true, endSessionChain: true,
  deleteSessions: true, endMemberCredentials: true, deleteMembership: true, updateUserProfile: true, insertPasswordReset: true, getPasswordResetByHash: true,
  consumePasswordReset: true, voidPasswordResets: true, insertAccessToken: true, getAccessToken: true, listAccessTokens: true, getCredential: true,
  touchAccessToken: true, revokeAccessToken: true, lockKey: true, getObject: true, getCardAndBoard: true, getObjectJson: true, getObjectForUpdate: true,
  listObjects: true, insertObject: true, updateObject: true, setBoardKey: true, setCardKey: true, newCardKey: true, renameBoardKey: true, resolveKey: true, listObjectsByField: true, listTrash: true, listDeletedWith: true,
  maxPosition: true, neighbourPositions: true, respaceColumn: true, countCardsInStatuses: true,
  insertActivity: true, listActivity: true, latestActivitySeq: true, activitySeqAt: true, getIdempotency: true,
  putIdempotency: true, pruneIdempotency: true, recordLoginFailure: true, countLoginFailures: true, clearLoginFailures: true, pruneLoginFailures: true,
  forgetLoginFailure: true, insertAnalytics: true, countAnalytics: true, sweep: true,
  insertComment: true, getComment: true, listComments: true, updateComment: true, deleteComment: true, reindexCardSearch: true,
  listObjectActivity: true,
  upsertOAuthClient: true, getOAuthClient: true, insertOAuthRequest: true, getOAuthRequest: true, getOAuthRequestByCode: true,
  decideOAuthRequest: true, setOAuthCode: true, useOAuthCode: true, insertOAuthGrant: true, getOAuthGrant: true, listOAuthGrants: true,
  revokeOAuthGrant: true, touchOAuthGrant: true, insertOAuthToken: true, getOAuthToken: true, useOAuthToken: true, revokeOAuthToken: true,
};

/** A store that can say whether a call may run now. */
export interface Admitting {
  /** Undefined: run now; a promise: ask again once it settles; throws: refused. */
  admit(method: string): Promise<unknown> | undefined;
}

/** Wraps the gated methods of a store class so each call is admitted first (see the module comment). */
export function gateMethods(proto: Admitting): void {
  const methods = proto as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(GATED)) {
    const method = methods[name];
    if (typeof method !== 'function') throw new Error(`store method ${name} is missing`);
    methods[name] = function gated(this: Admitting, ...args: unknown[]): Promise<unknown> {
      let wait: Promise<unknown> | undefined;
      try {
        wait = this.admit(name);
      } catch (err) {
        return Promise.reject(err);
      }
      if (wait === undefined) return method.apply(this, args);
      return wait.then(() => gated.apply(this, args));
    };
  }
}
