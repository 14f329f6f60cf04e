/**
 * Who a bearer token on /mcp stands for: the one place /mcp turns a token into an actor, so
 * another kind of token (OAuth access tokens) is added here and nowhere else.
 */
import type { Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { authenticateToken } from '../http/authenticate.js';
import { isOAuthAccessToken, verifyOAuthAccessToken } from '../oauth/verify.js';

/**
 * The actor of a bearer token presented on /mcp (the protected resource `resource`), or a 401
 * (AppError) saying how to get a good one. An OAuth access token issued for this resource, a
 * personal access token, or a login session (as on /xapi2; without a reply to carry a renewed
 * token, a session is not renewed here and simply ends when it expires).
 */
export async function verifyMcpToken({ store, config }: Pick<AppDeps, 'store' | 'config'>, token: string, resource: string): Promise<Actor> {
  if (isOAuthAccessToken(token)) return verifyOAuthAccessToken(store, token, resource, config.now());
  return authenticateToken(store, config, token);
}
