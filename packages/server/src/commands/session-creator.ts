/** sessionCreator: opens a login session (a new chain) and returns its token (stored hashed). */
import { randomBytes } from 'node:crypto';
import { newId } from '../context.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import type { ActivityRepo, CredentialsRepo, SessionRow } from '../store/types.js';
import { recordAccountEvent } from './activity-recorder.js';

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

/** How a session began, as its event records it. */
export type SessionOrigin = 'login' | 'setup' | 'invitation' | 'password reset' | 'workspace switch';

/** Creates a session for the user in the workspace, valid for `ttlMs`, and records the sign-in (never the token). */
export async function sessionCreator(
  store: CredentialsRepo & ActivityRepo,
  userId: string,
  workspaceId: string,
  ttlMs: number,
  now = Date.now(),
  origin: SessionOrigin = 'login',
): Promise<{ token: string; row: SessionRow }> {
  const token = generateToken('session');
  const row = newSessionRow(token, userId, workspaceId, ttlMs, now);
  await store.insertSession(row);
  await recordAccountEvent(store, { workspaceId, actorId: userId, tokenId: null, at: row.created_at }, 'create', 'session', row.id, {
    origin: [null, origin], expires_at: [null, row.expires_at],
  });
  return { token, row };
}
