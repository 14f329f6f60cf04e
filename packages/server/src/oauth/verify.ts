/**
 * An OAuth access token → the actor it acts as, for /mcp (the one resource these tokens are for).
 * Every check reads the database, so a revocation takes effect on every instance at the next request.
 */
import { AppError } from '@prodboard/shared';
import type { Actor } from '../context.js';
import { hashToken, tokenKind } from '../auth/tokens.js';
import type { OAuthRepo } from '../store/types.js';

/** A grant's `last_used_at` is written at most this often. */
const TOUCH_INTERVAL_MS = 60_000;

const SIGN_IN_AGAIN = 'sign in again from your MCP host, or send a personal access token as Authorization: Bearer pat_...';

/** True when the token has the OAuth access token's form (`oat_...`), so /mcp knows which check applies. */
export function isOAuthAccessToken(token: string): boolean {
  return tokenKind(token) === 'oauth_access';
}

/**
 * Verifies an OAuth access token presented at `resource` (`<base>/mcp`) and returns its actor, with
 * credential kind 'oauth' and the grant's scopes; throws a 401 AppError otherwise.
 */
export async function verifyOAuthAccessToken(store: OAuthRepo, token: string, resource: string, now: number): Promise<Actor> {
  const invalid = (why: string) => new AppError('unauthenticated', `${why}; ${SIGN_IN_AGAIN}`);
  const record = isOAuthAccessToken(token) ? await store.getOAuthToken(hashToken(token)) : undefined;
  if (!record || record.token.kind !== 'access') throw invalid('this access token is not valid (mistyped, or from another server)');
  const { token: row, grant, member } = record;
  if (row.revoked_at || grant.revoked_at) throw invalid('this sign-in was revoked');
  if (Date.parse(row.expires_at) <= now) throw new AppError('token_expired', `this access token expired at ${row.expires_at}; use your refresh token, or ${SIGN_IN_AGAIN}`);
  if (grant.resource !== resource) throw invalid(`this access token is for ${grant.resource}, not ${resource}`);
  if (!member) throw invalid("this sign-in's user is no longer a member of its workspace");
  if (!grant.last_used_at || now - Date.parse(grant.last_used_at) >= TOUCH_INTERVAL_MS) await store.touchOAuthGrant(grant.id, new Date(now).toISOString());
  return { ...member, credential: { kind: 'oauth', grantId: grant.id, scopes: grant.scopes } };
}
