/** sessionCreator: opens a login session (a new chain) and returns its token (stored hashed). */
import { randomBytes } from 'node:crypto';
import { newId } from '../context.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import type { CredentialsRepo, SessionRow } from '../store/types.js';

/** A session row for `token`, valid for `ttlMs` from `now`; the first of its chain unless `parent` is given. */
export function newSessionRow(token: string, userId: string, workspaceId: string, ttlMs: number, now: number, parent?: SessionRow): SessionRow {
  const id = newId();
  return {
    id,
    token_hash: hashToken(token),
    user_id: userId,
    workspace_id: workspaceId,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + ttlMs).toISOString(),
    family_id: parent?.family_id ?? id,
    parent_id: parent?.id ?? null,
    renewed_at: null,
    renewal_salt: randomBytes(16).toString('hex'),
  };
}

/** Creates a session for the user in the workspace, valid for `ttlMs`. */
export async function sessionCreator(store: CredentialsRepo, userId: string, workspaceId: string, ttlMs: number, now = Date.now()): Promise<{ token: string; row: SessionRow }> {
  const token = generateToken('session');
  const row = newSessionRow(token, userId, workspaceId, ttlMs, now);
  await store.insertSession(row);
  return { token, row };
}
