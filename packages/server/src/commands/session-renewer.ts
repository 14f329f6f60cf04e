/**
 * sessionRenewer: replaces an old session by its one successor. However often, and however
 * concurrently, the old token is used, it hands out the same successor (its token is derived from
 * the old one, see `successorToken`) and never creates a second: a chain never forks.
 */
import { successorToken } from '../auth/tokens.js';
import type { CredentialsRepo, SessionRow } from '../store/types.js';
import { newSessionRow } from './session-creator.js';

/** The successor's token, or undefined when the session ended meanwhile (a logout raced this request). */
export async function sessionRenewer(store: CredentialsRepo, session: SessionRow, token: string, ttlMs: number, now: number): Promise<string | undefined> {
  const successor = successorToken(token, session.renewal_salt);
  if (session.renewed_at) return successor;
  const row = newSessionRow(successor, session.user_id, session.workspace_id, ttlMs, now, session);
  const outcome = await store.renewSession(session, row, new Date(now).toISOString());
  return outcome === 'ended' ? undefined : successor;
}
