/**
 * The authorization endpoint's two halves: `authorizationStarter` checks a request at
 * /oauth/authorize and keeps it as a row for the consent page; `consentDecider` records the signed-in
 * member's answer and sends the browser back to the client, with a code on approval.
 *
 * Until the client and its redirect URI are known good, errors are shown here (a 400) and never
 * redirected: a bad request must not bounce the browser to an address nobody registered.
 */
import { AppError, capScopesToRole, parseOAuthScope, type Scopes } from '@prodboard/shared';
import { newId, type Actor } from '../context.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import { recordAccountEvent } from '../commands/activity-recorder.js';
import type { OAuthClientRow, OAuthGrantRow, OAuthRequestRow, Store } from '../store/types.js';
import { clientResolver } from './clients.js';
import { OAuthError } from './errors.js';
import { redirectUriMatches } from './redirect-uris.js';

/** How long the member has to answer the consent page, and the client to exchange its code. */
export const REQUEST_TTL_MS = 10 * 60_000;
export const CODE_TTL_MS = 60_000;

/** The endpoints and resource of this server, as written into metadata, redirects and grants. */
export interface OAuthUrls {
  issuer: string;
  /** The protected resource tokens are bound to: `<issuer>/mcp`. */
  resource: string;
}

/** `uri` with these query parameters added (undefined values left out). */
function withParams(uri: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null) url.searchParams.set(key, value);
  return url.href;
}

/** A single-valued parameter (OAuth forbids repeating one, RFC 6749 §3.1). */
function single(params: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) throw new OAuthError('invalid_request', `${name} appears more than once; send each parameter once`);
  return value === '' ? undefined : value;
}

/**
 * Checks an authorization request. Returns where to send the browser: the consent page for a good
 * request, or the client's redirect URI with an OAuth error once the client and URI are known good.
 * Throws a 400 (shown, not redirected) while they are not.
 */
export async function authorizationStarter(
  store: Store,
  params: Record<string, string | string[] | undefined>,
  urls: OAuthUrls,
  options: { allowLoopbackMetadata: boolean; now: number },
): Promise<string> {
  let client: OAuthClientRow;
  let redirectUri: string | undefined;
  try {
    const clientId = single(params, 'client_id');
    if (!clientId) throw new OAuthError('invalid_request', 'client_id is required: the id from /oauth/register, or the https URL of your client metadata document');
    if (clientId.length > 2000) throw new OAuthError('invalid_request', 'client_id is longer than 2000 characters');
    client = await clientResolver(store, clientId, { allowLoopback: options.allowLoopbackMetadata, now: options.now });
    redirectUri = single(params, 'redirect_uri');
    if (!redirectUri) throw new OAuthError('invalid_request', `redirect_uri is required; send one of the client's registered redirect URIs (${client.redirect_uris.slice(0, 3).join(', ')})`);
    if (!redirectUriMatches(client.redirect_uris, redirectUri)) {
      throw new OAuthError('invalid_request', `redirect_uri is not one of the client's registered redirect URIs (${client.redirect_uris.slice(0, 3).join(', ')}); send one of them exactly (on loopback, any port)`);
    }
  } catch (err) {
    if (err instanceof OAuthError) throw new AppError('validation_failed', `this sign-in link is not valid (${err.error}): ${err.description}`);
    throw err;
  }

  const state = typeof params.state === 'string' ? params.state : undefined;
  const fail = (error: string, description: string) => withParams(redirectUri, { error, error_description: description, state, iss: urls.issuer });
  try {
    if (single(params, 'response_type') !== 'code') throw new OAuthError('unsupported_response_type', 'response_type must be code');
    const challenge = single(params, 'code_challenge');
    const method = single(params, 'code_challenge_method');
    if (!challenge) throw new OAuthError('invalid_request', 'code_challenge is required: PKCE with S256 protects every code');
    if (method !== 'S256') throw new OAuthError('invalid_request', `code_challenge_method must be S256${method === 'plain' ? '; plain is not accepted' : ''}`);
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) throw new OAuthError('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier (43 characters)');
    if (state !== undefined && state.length > 1000) throw new OAuthError('invalid_request', 'state is longer than 1000 characters');
    if (Array.isArray(params.state)) throw new OAuthError('invalid_request', 'state appears more than once');
    const resource = single(params, 'resource');
    if (resource !== undefined && resource.replace(/\/$/, '') !== urls.resource) {
      throw new OAuthError('invalid_target', `resource must be ${urls.resource}, the only resource this server issues tokens for`);
    }
    let scopes: Scopes;
    try {
      scopes = parseOAuthScope(single(params, 'scope'));
    } catch (err) {
      throw new OAuthError('invalid_scope', err instanceof AppError ? err.message.replace('board:read,card:write', 'board:read card:write') : 'scope is not valid');
    }
    const at = new Date(options.now).toISOString();
    const row: OAuthRequestRow = {
      id: `oar_${generateToken('oauth_code').slice(4, 36)}`,
      client_id: client.id,
      redirect_uri: redirectUri,
      scopes,
      state: state ?? null,
      code_challenge: challenge,
      resource: urls.resource,
      created_at: at,
      expires_at: new Date(options.now + REQUEST_TTL_MS).toISOString(),
      decided_at: null,
      grant_id: null,
      code_hash: null,
      code_expires_at: null,
      code_used_at: null,
    };
    await store.insertOAuthRequest(row);
    return `${urls.issuer}/oauth/consent?request=${encodeURIComponent(row.id)}`;
  } catch (err) {
    if (err instanceof OAuthError) return fail(err.error, err.description);
    throw err;
  }
}

/** An undecided, unexpired request with its client, or a 404/409 that says what to do. */
async function pendingRequest(store: Store, id: string, now: number): Promise<{ request: OAuthRequestRow; client: OAuthClientRow }> {
  const request = /^oar_[A-Za-z0-9_-]{1,64}$/.test(id) ? await store.getOAuthRequest(id) : undefined;
  const client = request && (await store.getOAuthClient(request.client_id));
  if (!request || !client) throw new AppError('not_found', 'this sign-in request does not exist; start the sign-in again from your MCP host');
  if (request.decided_at) throw new AppError('conflict', 'this sign-in request was already answered; start the sign-in again from your MCP host');
  if (Date.parse(request.expires_at) <= now) throw new AppError('conflict', 'this sign-in request expired; start the sign-in again from your MCP host');
  return { request, client };
}

/** What the consent page shows: the client, where it redirects, and the scopes the member would grant (capped by role). */
export async function consentReader(store: Store, actor: Actor, id: string, now: number) {
  const { request, client } = await pendingRequest(store, id, now);
  return {
    id: request.id,
    client: { id: client.id, name: client.name, kind: client.kind },
    redirect_uri: request.redirect_uri,
    scopes: capScopesToRole(request.scopes, actor.role),
    requested_scopes: request.scopes,
    role: actor.role,
    workspace: { id: actor.workspace.id, name: actor.workspace.name },
    expires_at: request.expires_at,
  };
}

/** Records the member's answer; returns where the browser goes next (the client's redirect URI). */
export async function consentDecider(store: Store, actor: Actor, id: string, approve: boolean, urls: OAuthUrls, now: number): Promise<string> {
  const { request } = await pendingRequest(store, id, now);
  const at = new Date(now).toISOString();
  const code = approve ? generateToken('oauth_code') : undefined;
  const decided = await store.transaction(async (tx) => {
    if (!(await tx.decideOAuthRequest(request.id, at))) return false;
    if (!code) return true;
    const grant: OAuthGrantRow = {
      id: newId(),
      client_id: request.client_id,
      user_id: actor.user.id,
      workspace_id: actor.workspace.id,
      scopes: capScopesToRole(request.scopes, actor.role),
      resource: request.resource,
      created_at: at,
      last_used_at: null,
      revoked_at: null,
    };
    await tx.insertOAuthGrant(grant);
    // The member let an app act as them: an account event, in the grant's transaction (never the code).
    const stamp = { workspaceId: grant.workspace_id, actorId: grant.user_id, tokenId: null, at };
    await recordAccountEvent(tx, stamp, 'create', 'oauth_grant', grant.id, { client_id: [null, grant.client_id], scopes: [null, grant.scopes] });
    await tx.setOAuthCode(request.id, grant.id, hashToken(code), new Date(now + CODE_TTL_MS).toISOString());
    return true;
  });
  if (!decided) throw new AppError('conflict', 'this sign-in request was already answered or expired; start the sign-in again from your MCP host');
  if (!code) return withParams(request.redirect_uri, { error: 'access_denied', error_description: 'the user denied access', state: request.state, iss: urls.issuer });
  return withParams(request.redirect_uri, { code, state: request.state, iss: urls.issuer });
}
