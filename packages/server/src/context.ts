/**
 * Who is acting and where: the actor every route authenticates and every command receives.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Role, Scopes } from '@prodboard/shared';
import type { StoreTx, WorkspaceRow } from './store/types.js';

/**
 * How the actor authenticated: a login session, a personal access token with scopes, or an OAuth
 * access token (valid only at /mcp) with its grant's scopes.
 */
export type Credential =
  | { kind: 'session'; sessionId: string }
  | { kind: 'pat'; tokenId: string; scopes: Scopes }
  | { kind: 'oauth'; grantId: string; scopes: Scopes };

/** The authenticated caller of a request. */
export interface Actor {
  user: { id: string; email: string; name: string };
  workspace: WorkspaceRow;
  role: Role;
  credential: Credential;
}

/** What a command needs: the transaction it writes in, the actor it writes for, and the time. */
export interface CommandContext {
  store: StoreTx;
  actor: Actor;
  /** One timestamp for the whole command, so every row it writes agrees. */
  now: string;
}

/** A command context over a transaction, at `now` (ms; the server's injected clock where time decides validity). */
export function commandContext(store: StoreTx, actor: Actor, now = Date.now()): CommandContext {
  return { store, actor, now: new Date(now).toISOString() };
}

/** A new time-ordered id (UUIDv7). */
export function newId(): string {
  return uuidv7();
}
