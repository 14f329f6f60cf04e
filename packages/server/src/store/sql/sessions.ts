/**
 * Session chains, written once: each write runs in a transaction that first takes the user's session
 * lock, so a renewal, a logout and a password change of one user are ordered (on SQLite, whose
 * transactions are serial already, the lock only checks that a transaction is held).
 * Each function is the Store method of its name (documented in types.ts).
 */
import type { SessionRow, StoreTx } from '../types.js';
import type { Executor } from './executor.js';

/** A transaction's handle with its executor. */
export interface SessionTx {
  tx: StoreTx;
  x: Executor;
}

const sessionLock = (userId: string) => `sessions:${userId}`;

export async function expireSession(x: Executor, id: string, expiresAt: string): Promise<void> {
  await x.changeCredentials(`UPDATE sessions SET expires_at = ${x.least}(expires_at, ?) WHERE id = ?`, [expiresAt, id]);
}

export async function renewSession({ tx, x }: SessionTx, parent: SessionRow, successor: SessionRow, at: string): Promise<'renewed' | 'already' | 'ended'> {
  // The user's session lock orders this with a logout or a password change: a successor is either
  // inserted before they read the sessions (and ended with them), or sees its parent ended and is not inserted.
  await tx.lockKey(sessionLock(parent.user_id));
  // Cached copies of the parent learn that it has its successor (and skip this next time).
  const claimed = await x.changeCredentials('UPDATE sessions SET renewed_at = ? WHERE id = ? AND renewed_at IS NULL AND expires_at > ?', [at, parent.id, at]);
  if (claimed === 1) {
    await tx.insertSession(successor);
    return 'renewed';
  }
  const row = await x.get<{ expires_at: string }>('SELECT expires_at FROM sessions WHERE id = ?', [parent.id]);
  return row && row.expires_at > at ? 'already' : 'ended';
}

export async function retireParentSession({ x }: SessionTx, id: string, graceUntil: string): Promise<void> {
  await x.changeCredentials(`UPDATE sessions SET expires_at = ${x.least}(expires_at, ?) WHERE id = (SELECT parent_id FROM sessions WHERE id = ?)`, [graceUntil, id]);
  await x.run('UPDATE sessions SET parent_id = NULL WHERE id = ?', [id]);
}

export async function endSessionChain({ tx, x }: SessionTx, id: string, at: string): Promise<void> {
  const row = await x.get<{ family_id: string; user_id: string }>('SELECT family_id, user_id FROM sessions WHERE id = ?', [id]);
  if (!row) return;
  await tx.lockKey(sessionLock(row.user_id));
  await x.changeCredentials(`UPDATE sessions SET expires_at = ${x.least}(expires_at, ?) WHERE family_id = ?`, [at, row.family_id]);
}

export async function deleteSessions({ tx, x }: SessionTx, userId: string): Promise<void> {
  await tx.lockKey(sessionLock(userId));
  await x.changeCredentials('DELETE FROM sessions WHERE user_id = ?', [userId]);
}

export async function endMemberCredentials({ tx, x }: SessionTx, userId: string, workspaceId: string, at: string): Promise<void> {
  await tx.lockKey(sessionLock(userId));
  await x.changeCredentials('DELETE FROM sessions WHERE user_id = ? AND workspace_id = ?', [userId, workspaceId]);
  await x.changeCredentials('UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE user_id = ? AND workspace_id = ?', [at, userId, workspaceId]);
  await x.run(
    'UPDATE oauth_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE grant_id IN (SELECT id FROM oauth_grants WHERE user_id = ? AND workspace_id = ?)',
    [at, userId, workspaceId],
  );
  await x.run('UPDATE oauth_grants SET revoked_at = coalesce(revoked_at, ?) WHERE user_id = ? AND workspace_id = ?', [at, userId, workspaceId]);
}
