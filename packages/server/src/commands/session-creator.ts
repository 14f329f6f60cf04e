/** sessionCreator: opens a login session and returns its token (stored hashed). */
import { newId } from '../context.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import type { SessionRow, Store } from '../store/types.js';

/** Creates a session for the user in the workspace, valid for `ttlMs`. */
export async function sessionCreator(store: Store, userId: string, workspaceId: string, ttlMs: number): Promise<{ token: string; row: SessionRow }> {
  const token = generateToken('session');
  const now = Date.now();
  const row: SessionRow = {
    id: newId(),
    token_hash: hashToken(token),
    user_id: userId,
    workspace_id: workspaceId,
    created_at: new Date(now).toISOString(),
    expires_at: new Date(now + ttlMs).toISOString(),
  };
  await store.insertSession(row);
  return { token, row };
}
