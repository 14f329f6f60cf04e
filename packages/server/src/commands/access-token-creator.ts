/** accessTokenCreator: mints a personal access token; the secret is returned once and stored hashed. */
import { AppError, type Scopes } from '@prodboard/shared';
import { newId } from '../context.js';
import { generateToken, hashToken, tokenPrefix } from '../auth/tokens.js';
import type { AccessTokenRow, ActivityRepo, CredentialsRepo } from '../store/types.js';
import { recordAccountEvent } from './activity-recorder.js';

export interface NewAccessToken {
  userId: string;
  workspaceId: string;
  name: string;
  scopes: Scopes;
  expiresAt: string | null;
}

/**
 * Creates the token and records it (name, scopes, expiry: never the secret) as made by its owner,
 * in `store`'s transaction; `token` is the only copy of the secret there will ever be.
 */
export async function accessTokenCreator(store: CredentialsRepo & ActivityRepo, input: NewAccessToken, tokenId: string | null = null): Promise<{ token: string; row: AccessTokenRow }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100 || name.includes('\u0000')) {
    throw new AppError('validation_failed', 'name must be 1 to 100 characters, e.g. "Claude Desktop on my laptop"', { errors: [{ field: 'name', message: 'must be 1 to 100 characters' }] });
  }
  const token = generateToken('pat');
  const row: AccessTokenRow = {
    id: newId(),
    token_hash: hashToken(token),
    prefix: tokenPrefix(token),
    name,
    user_id: input.userId,
    workspace_id: input.workspaceId,
    scopes: input.scopes,
    created_at: new Date().toISOString(),
    expires_at: input.expiresAt,
    last_used_at: null,
    revoked_at: null,
  };
  await store.insertAccessToken(row);
  await recordAccountEvent(store, { workspaceId: row.workspace_id, actorId: row.user_id, tokenId, at: row.created_at }, 'create', 'access_token', row.id, {
    name: [null, row.name], scopes: [null, row.scopes], expires_at: [null, row.expires_at],
  });
  return { token, row };
}
