/**
 * Authentication: the Bearer token of a request → the actor. Session tokens slide (a renewed token
 * comes back in `x-auth-refresh-token`); personal access tokens never do, and their `last_used_at`
 * is written at most once a minute.
 */
import { AppError } from '@prodboard/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Credential } from '../context.js';
import type { ServerConfig } from '../config.js';
import { hashToken, tokenKind } from '../auth/tokens.js';
import { sessionRenewer } from '../commands/session-renewer.js';
import type { Store } from '../store/types.js';

/** The response header that carries a renewed session token. */
export const REFRESH_HEADER = 'x-auth-refresh-token';
/** How long a replaced session stays valid once its successor is used, for requests already in flight with it. */
export const ROTATION_GRACE_MS = 60_000;
const TOUCH_INTERVAL_MS = 60_000;

const HOW_TO_SIGN_IN =
  'create a personal access token on the Integrations page (or run prodboard token create) and send it as Authorization: Bearer pat_..., or log in with POST /xapi2/auth/login';

/** The token of an `Authorization: Bearer <token>` header, or a 401 ending with how to sign in. */
export function bearerToken(header: string | undefined, howToSignIn = HOW_TO_SIGN_IN): string {
  if (!header) throw new AppError('unauthenticated', `this call needs a token; ${howToSignIn}`);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AppError('unauthenticated', `the Authorization header must read "Bearer <token>"; ${howToSignIn}`);
  return m[1];
}

const invalid = () => new AppError('unauthenticated', `this token is not valid (mistyped, revoked or from another server); ${HOW_TO_SIGN_IN}`);

/** Authenticates the request or throws 401. */
export async function authenticate(store: Store, config: ServerConfig, request: FastifyRequest, reply: FastifyReply): Promise<Actor> {
  return authenticateToken(store, config, bearerToken(request.headers.authorization), reply);
}

/**
 * Authenticates a token or throws 401. Without a reply to carry `x-auth-refresh-token` (a live
 * stream authenticated by query parameter), an old session is not renewed: its renewal would be lost.
 */
export async function authenticateToken(store: Store, config: ServerConfig, token: string, reply?: FastifyReply): Promise<Actor> {
  const kind = tokenKind(token);
  if (kind === 'oauth_access') {
    throw new AppError('unauthenticated', 'an OAuth access token works only at /mcp, the resource it was issued for; for the /xapi2 API, use a personal access token or a login session');
  }
  if (kind !== 'pat' && kind !== 'session') throw invalid();
  const record = await store.getCredential(kind, hashToken(token));
  if (!record) throw invalid();
  const now = config.now();
  let credential: Credential;

  if (record.kind === 'pat') {
    const pat = record.token;
    if (pat.revoked_at) throw invalid();
    if (pat.expires_at && Date.parse(pat.expires_at) <= now) {
      throw new AppError('token_expired', `this personal access token expired at ${pat.expires_at}; create a new one on the Integrations page and update your MCP host's PRODMCP_TOKEN`);
    }
    if (!pat.last_used_at || now - Date.parse(pat.last_used_at) >= TOUCH_INTERVAL_MS) {
      await store.touchAccessToken(pat.id, new Date(now).toISOString());
    }
    credential = { kind: 'pat', tokenId: pat.id, scopes: pat.scopes };
  } else {
    const session = record.token;
    if (Date.parse(session.expires_at) <= now) {
      throw new AppError('token_expired', 'your session has expired; log in again (prodmcp login, or the web app)');
    }
    credential = { kind: 'session', sessionId: session.id };
    // A successor's first use proves the client holds it: the session it replaced ends after a grace period.
    if (session.parent_id) await store.retireParentSession(session.id, new Date(now + ROTATION_GRACE_MS).toISOString());
    // An old session is replaced by its one successor. Used again before that successor is, or during
    // its grace period, it hands out the same successor and creates nothing: the reference client's
    // login saves the token it was given, not the renewal /auth/me returned, and must go on working.
    if (reply && now - Date.parse(session.created_at) >= config.sessionRefreshMs) {
      const successor = await sessionRenewer(store, session, token, config.sessionTtlMs, now);
      if (!successor) throw new AppError('token_expired', 'you signed out of this session; log in again (prodmcp login, or the web app)');
      reply.header(REFRESH_HEADER, successor);
    }
  }

  const member = record.member;
  if (!member) {
    throw new AppError('unauthenticated', `this token's user is no longer a member of its workspace; ${HOW_TO_SIGN_IN}`);
  }
  // A literal rather than a spread of member: on this Node, copying an object and adding a property costs microseconds per request.
  return { user: member.user, workspace: member.workspace, role: member.role, credential };
}
