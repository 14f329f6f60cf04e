/**
 * The token and revocation endpoints: a code (with its PKCE verifier) or a refresh token becomes a
 * short-lived access token bound to /mcp and a new refresh token. Refresh tokens rotate: each works
 * once, and a second use (a stolen copy, or the client's own replay) revokes the whole grant.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { formatOAuthScope } from '@prodboard/shared';
import { newId } from '../context.js';
import { generateToken, hashToken, tokenKind } from '../auth/tokens.js';
import { oauthGrantEnder } from '../commands/oauth-grant-revoker.js';
import type { OAuthGrantRow, OAuthTokenRow, Store, StoreTx } from '../store/types.js';
import type { OAuthUrls } from './authorization.js';
import { OAuthError } from './errors.js';

/** An access token lives 15 minutes; a refresh token 30 days from its issue (each rotation starts anew). */
export const ACCESS_TTL_MS = 15 * 60_000;
export const REFRESH_TTL_MS = 30 * 24 * 60 * 60_000;

/** A form's parameters; a repeated one is refused (RFC 6749 §3.2). */
export type Form = Record<string, string | string[] | undefined>;

function field(form: Form, name: string, required: true): string;
function field(form: Form, name: string, required?: false): string | undefined;
function field(form: Form, name: string, required = false): string | undefined {
  const value = form[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `${name} appears more than once; send each parameter once`);
  if (required && !value) throw new OAuthError('invalid_request', `${name} is required`);
  return value || undefined;
}

/** True when `verifier` is the PKCE S256 preimage of `challenge` (RFC 7636 §4.6). */
function pkceMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** Mints an access and a refresh token for the grant, inside the caller's transaction. */
async function tokenIssuer(tx: StoreTx, grant: OAuthGrantRow, now: number) {
  const access = generateToken('oauth_access');
  const refresh = generateToken('oauth_refresh');
  const at = new Date(now).toISOString();
  const row = (kind: OAuthTokenRow['kind'], token: string, ttl: number): OAuthTokenRow => ({
    id: newId(), token_hash: hashToken(token), kind, grant_id: grant.id, created_at: at, expires_at: new Date(now + ttl).toISOString(), used_at: null, revoked_at: null,
  });
  await tx.insertOAuthToken(row('access', access, ACCESS_TTL_MS));
  await tx.insertOAuthToken(row('refresh', refresh, REFRESH_TTL_MS));
  await tx.touchOAuthGrant(grant.id, at);
  return { access_token: access, token_type: 'Bearer', expires_in: ACCESS_TTL_MS / 1000, refresh_token: refresh, scope: formatOAuthScope(grant.scopes) };
}

type Issued = Awaited<ReturnType<typeof tokenIssuer>>;

/** The token endpoint (RFC 6749 §3.2): dispatches on grant_type. */
export async function tokenEndpoint(store: Store, form: Form, urls: OAuthUrls, now: number): Promise<Issued> {
  const grantType = field(form, 'grant_type', true);
  const clientId = field(form, 'client_id', true);
  const resource = field(form, 'resource');
  if (resource !== undefined && resource.replace(/\/$/, '') !== urls.resource) {
    throw new OAuthError('invalid_target', `resource must be ${urls.resource}, the only resource this server issues tokens for`);
  }
  if (grantType === 'authorization_code') return codeExchanger(store, form, clientId, now);
  if (grantType === 'refresh_token') return tokenRefresher(store, form, clientId, now);
  throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
}

async function codeExchanger(store: Store, form: Form, clientId: string, now: number): Promise<Issued> {
  const code = field(form, 'code', true);
  const verifier = field(form, 'code_verifier', true);
  const redirectUri = field(form, 'redirect_uri', true);
  const invalid = (why: string) => new OAuthError('invalid_grant', `${why}; start the sign-in again`);
  const request = tokenKind(code) === 'oauth_code' ? await store.getOAuthRequestByCode(hashToken(code)) : undefined;
  if (!request || !request.grant_id || !request.code_expires_at) throw invalid('the code is not valid');
  if (request.client_id !== clientId) throw invalid('the code was issued to another client');
  if (request.redirect_uri !== redirectUri) throw invalid('redirect_uri differs from the one the authorization used');
  if (!pkceMatches(verifier, request.code_challenge)) throw invalid('code_verifier does not match the code_challenge');
  if (Date.parse(request.code_expires_at) <= now) throw invalid('the code expired (codes last 60 seconds)');
  const grantId = request.grant_id;
  const at = new Date(now).toISOString();
  const outcome = await store.transaction(async (tx) => {
    // A code works once; its replay means it leaked, so what it already bought is revoked (RFC 6749 §4.1.2).
    if (!(await tx.useOAuthCode(request.id, at))) {
      await oauthGrantEnder(tx, grantId, at, 'code replayed');
      return 'replayed' as const;
    }
    const grant = await tx.getOAuthGrant(grantId);
    if (!grant || grant.revoked_at) return 'revoked' as const;
    return tokenIssuer(tx, grant, now);
  });
  if (outcome === 'replayed') throw invalid('the code was already used, so the sign-in it began is revoked');
  if (outcome === 'revoked') throw invalid('this sign-in was revoked');
  return outcome;
}

async function tokenRefresher(store: Store, form: Form, clientId: string, now: number): Promise<Issued> {
  const token = field(form, 'refresh_token', true);
  const invalid = (why: string) => new OAuthError('invalid_grant', `${why}; sign in again from your MCP host`);
  const record = tokenKind(token) === 'oauth_refresh' ? await store.getOAuthToken(hashToken(token)) : undefined;
  if (!record || record.token.kind !== 'refresh') throw invalid('the refresh token is not valid');
  const { token: row, grant } = record;
  if (grant.client_id !== clientId) throw invalid('the refresh token was issued to another client');
  if (grant.revoked_at || row.revoked_at) throw invalid('this sign-in was revoked');
  if (Date.parse(row.expires_at) <= now) throw invalid('the refresh token expired');
  if (!record.member) throw invalid("the sign-in's user is no longer a member of its workspace");
  const at = new Date(now).toISOString();
  const outcome = await store.transaction(async (tx) => {
    if (!(await tx.useOAuthToken(row.id, at))) {
      await oauthGrantEnder(tx, grant.id, at, 'refresh token reused');
      return 'reused' as const;
    }
    return tokenIssuer(tx, grant, now);
  });
  if (outcome === 'reused') throw invalid('the refresh token was already used (each works once), so this sign-in is revoked');
  return outcome;
}

/**
 * The revocation endpoint (RFC 7009): a refresh token revokes its whole grant; an access token only
 * itself. An unknown token is not an error (§2.2), so the answer says nothing about which tokens exist.
 */
export async function tokenRevoker(store: Store, form: Form, now: number): Promise<void> {
  const token = field(form, 'token', true);
  const clientId = field(form, 'client_id', true);
  const kind = tokenKind(token);
  if (kind !== 'oauth_access' && kind !== 'oauth_refresh') return;
  const record = await store.getOAuthToken(hashToken(token));
  if (!record) return;
  if (record.grant.client_id !== clientId) throw new OAuthError('unauthorized_client', 'this token was issued to another client', 400);
  const at = new Date(now).toISOString();
  if (record.token.kind === 'refresh') await store.transaction((tx) => oauthGrantEnder(tx, record.grant.id, at, 'refresh token revoked by the app'));
  else await store.revokeOAuthToken(record.token.id, at);
}
