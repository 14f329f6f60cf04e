/**
 * The OAuth 2.1 authorization server over real HTTP: discovery, registration, client metadata
 * documents, authorize → consent → code → token → refresh, rotation with reuse detection, revocation,
 * PKCE and redirect URI rules, resource binding, role caps and workspace isolation. The access
 * tokens are checked with verifyOAuthAccessToken, the function /mcp's authentication calls.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { fetchClientMetadata } from '../src/oauth/client-metadata.js';
import { verifyOAuthAccessToken } from '../src/oauth/verify.js';
import { ACCESS_TTL_MS } from '../src/oauth/token-endpoint.js';
import { databaseSnapshot, makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let clock = Date.now();
let resource: string;
const REDIRECT = 'http://127.0.0.1:43117/callback';

before(async () => {
  server = await startServer({ now: () => clock, oauthLoopbackClientMetadata: true });
  owner = await signUp(server);
  resource = `${server.url}/mcp`;
});
after(() => server.close());

/** A PKCE pair. */
function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function register(body: Record<string, unknown> = { client_name: 'Test Host', redirect_uris: [REDIRECT] }) {
  const res = await request(server, 'POST', '/oauth/register', { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { client_id: string };
}

/** GET /oauth/authorize without following the redirect. */
async function authorize(params: Record<string, string | undefined>) {
  const url = new URL('/oauth/authorize', server.url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  return { status: res.status, location: location ? new URL(location) : undefined, body: res.status >= 400 ? await res.json() : undefined };
}

async function form(path: string, params: Record<string, string>) {
  const res = await fetch(new URL(path, server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

/** The whole flow up to a code: authorize, consent as `who`, approve. */
async function codeFor(clientId: string, who = owner, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const started = await authorize({
    response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz', resource, ...extra,
  });
  assert.equal(started.status, 302, JSON.stringify(started.body));
  assert.equal(started.location?.pathname, '/oauth/consent');
  const requestId = started.location!.searchParams.get('request')!;
  const approved = await who.api.post(`/xapi2/oauth/requests/${requestId}/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  const back = new URL(approved.body.redirect_to);
  return { code: back.searchParams.get('code')!, back, verifier, requestId };
}

async function tokensFor(clientId: string, who = owner, extra: Record<string, string> = {}) {
  const { code, verifier } = await codeFor(clientId, who, extra);
  const res = await form('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { access_token: string; refresh_token: string; scope: string; expires_in: number };
}

const verify = (token: string, at = resource) => verifyOAuthAccessToken(server.store, token, at, clock);

describe('discovery', () => {
  test('protected resource and authorization server metadata name this server, its endpoints and scopes', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const prm = await request(server, 'GET', path);
      assert.equal(prm.status, 200);
      assert.equal(prm.body.resource, resource);
      assert.deepEqual(prm.body.authorization_servers, [server.url]);
    }
    const as = await request(server, 'GET', '/.well-known/oauth-authorization-server');
    assert.equal(as.body.issuer, server.url);
    for (const endpoint of ['authorization', 'token', 'registration', 'revocation']) assert.match(as.body[`${endpoint}_endpoint`], /^http:\/\/127\.0\.0\.1:\d+\/oauth\//);
    assert.deepEqual(as.body.code_challenge_methods_supported, ['S256']);
    assert.ok(as.body.scopes_supported.includes('card:write'));
    assert.equal(as.body.client_id_metadata_document_supported, true);
  });

  test('a forged Host header changes no address in the metadata', async () => {
    const res = await request(server, 'GET', '/.well-known/oauth-authorization-server', { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
    assert.ok(!JSON.stringify(res.body).includes('evil.example'));
  });
});

describe('the whole flow', () => {
  test('register → authorize → consent → code → token → refresh, the access token acting as the member at /mcp only', async () => {
    const { client_id } = await register();
    const { verifier, challenge } = pkce();
    const started = await authorize({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 's1', scope: 'board:read card:write' });
    const requestId = started.location!.searchParams.get('request')!;

    const shown = await owner.api.get(`/xapi2/oauth/requests/${requestId}`);
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.equal(shown.body.client.name, 'Test Host');
    assert.equal(shown.body.redirect_uri, REDIRECT);
    assert.deepEqual(shown.body.scopes, { board: 'read', card: 'write' });

    const approved = await owner.api.post(`/xapi2/oauth/requests/${requestId}/approve`);
    const back = new URL(approved.body.redirect_to);
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get('state'), 's1');
    assert.equal(back.searchParams.get('iss'), server.url);
    const code = back.searchParams.get('code')!;
    assert.match(code, /^oac_/);

    const issued = await form('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.equal(issued.headers.get('cache-control'), 'no-store');
    assert.equal(issued.body.token_type, 'Bearer');
    assert.equal(issued.body.scope, 'board:read card:write');
    assert.equal(issued.body.expires_in, ACCESS_TTL_MS / 1000);

    const actor = await verify(issued.body.access_token);
    assert.equal(actor.user.id, owner.user.id);
    assert.deepEqual(actor.credential, { kind: 'oauth', grantId: actor.credential.kind === 'oauth' ? actor.credential.grantId : '', scopes: { board: 'read', card: 'write' } });

    // Valid only at /mcp: the /xapi2 API refuses it, saying where it works.
    const me = await request(server, 'GET', '/xapi2/auth/me', { token: issued.body.access_token });
    assert.equal(me.status, 401);
    assert.match(me.body.detail, /only at \/mcp/);

    // Codes and tokens are stored only as hashes.
    const stored = JSON.stringify(await server.query('SELECT * FROM oauth_tokens'));
    const requests = JSON.stringify(await server.query('SELECT * FROM oauth_requests'));
    for (const secret of [issued.body.access_token, issued.body.refresh_token]) assert.ok(!stored.includes(secret));
    assert.ok(!requests.includes(code));

    const refreshed = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: issued.body.refresh_token, client_id });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.notEqual(refreshed.body.refresh_token, issued.body.refresh_token);
    assert.equal((await verify(refreshed.body.access_token)).user.id, owner.user.id);

    const grants = await owner.api.get('/xapi2/oauth/grants');
    const grant = grants.body.data.find((g: { client_id: string }) => g.client_id === client_id);
    assert.equal(grant.client_name, 'Test Host');
    assert.deepEqual(grant.scopes, { board: 'read', card: 'write' });
    assert.ok(grant.created_at && grant.last_used_at);
  });

  test('access tokens expire after 15 minutes of the server clock', async () => {
    const { client_id } = await register();
    const tokens = await tokensFor(client_id);
    clock += ACCESS_TTL_MS - 1000;
    await verify(tokens.access_token);
    clock += 2000;
    await assert.rejects(verify(tokens.access_token), (err: { code: string }) => err.code === 'token_expired');
  });

  test('denying sends the browser back with access_denied and creates no grant', async () => {
    const { client_id } = await register();
    const { challenge } = pkce();
    const started = await authorize({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'd' });
    const requestId = started.location!.searchParams.get('request')!;
    const denied = await owner.api.post(`/xapi2/oauth/requests/${requestId}/deny`);
    const back = new URL(denied.body.redirect_to);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'd');
    const again = await owner.api.post(`/xapi2/oauth/requests/${requestId}/approve`);
    assert.equal(again.status, 409, 'an answered request cannot be answered again');
    assert.ok(!(await owner.api.get('/xapi2/oauth/grants')).body.data.some((g: { client_id: string }) => g.client_id === client_id));
  });
});

describe('refresh rotation and revocation', () => {
  test('a refresh token used twice revokes the whole grant, including tokens already issued', async () => {
    const { client_id } = await register();
    const first = await tokensFor(client_id);
    const second = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id });
    assert.equal(second.status, 200);
    const reuse = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.error, 'invalid_grant');
    assert.match(reuse.body.error_description, /already used/);
    await assert.rejects(verify(second.body.access_token), /revoked/);
    const next = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: second.body.refresh_token, client_id });
    assert.equal(next.body.error, 'invalid_grant', 'the newest refresh token died with its grant');
  });

  test('two concurrent refreshes with one token: at most one succeeds, and the grant ends revoked', async () => {
    const { client_id } = await register();
    const tokens = await tokensFor(client_id);
    const results = await Promise.all([1, 2, 3].map(() => form('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id })));
    assert.ok(results.filter((r) => r.status === 200).length <= 1, JSON.stringify(results.map((r) => r.body)));
    await assert.rejects(verify(tokens.access_token), /revoked/);
    const [{ id: grantId }] = await server.query<{ id: string }>('SELECT id FROM oauth_grants WHERE client_id = ?', client_id);
    const events = (await owner.api.get('/xapi2/activity?limit=500')).body.data.filter((e: { object_type: string; object_id: string; action: string }) => e.object_type === 'oauth_grant' && e.object_id === grantId && e.action === 'delete');
    assert.equal(events.length, 1, 'the ending is recorded once, whichever replay ended it');
  });

  test('a code used twice revokes what the first use bought', async () => {
    const { client_id } = await register();
    const { code, verifier } = await codeFor(client_id);
    const params = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id };
    const first = await form('/oauth/token', params);
    assert.equal(first.status, 200);
    const replay = await form('/oauth/token', params);
    assert.equal(replay.body.error, 'invalid_grant');
    await assert.rejects(verify(first.body.access_token), /revoked/);
  });

  test('revoking an access token or a refresh token takes effect at once; unknown tokens are not an error', async () => {
    const { client_id } = await register();
    const tokens = await tokensFor(client_id);
    const refreshed = (await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id })).body;
    const revokedAccess = await form('/oauth/revoke', { token: tokens.access_token, client_id });
    assert.equal(revokedAccess.status, 200);
    await assert.rejects(verify(tokens.access_token), /revoked/);
    await verify(refreshed.access_token);

    assert.equal((await form('/oauth/revoke', { token: refreshed.refresh_token, client_id: 'pbc_someone_else' })).status, 400, "another client cannot revoke this client's token");
    await verify(refreshed.access_token);
    assert.equal((await form('/oauth/revoke', { token: refreshed.refresh_token, client_id })).status, 200);
    await assert.rejects(verify(refreshed.access_token), /revoked/, "a refresh token's revocation ends its grant");
    assert.equal((await form('/oauth/revoke', { token: 'ort_nonsense', client_id })).status, 200);
  });

  test('a grant revoked on the Integrations page stops its tokens at once', async () => {
    const { client_id } = await register();
    const tokens = await tokensFor(client_id);
    const grant = (await owner.api.get('/xapi2/oauth/grants')).body.data.find((g: { client_id: string }) => g.client_id === client_id);
    assert.equal((await owner.api.delete(`/xapi2/oauth/grants/${grant.id}`)).status, 200);
    await assert.rejects(verify(tokens.access_token), /revoked/);
    assert.equal((await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id })).body.error, 'invalid_grant');
    assert.ok(!(await owner.api.get('/xapi2/oauth/grants')).body.data.some((g: { id: string }) => g.id === grant.id));
  });

  test('approving a sign-in and revoking it are recorded in the activity, without the code or tokens; a refused revocation records nothing', async () => {
    const { client_id } = await register();
    const { code, verifier } = await codeFor(client_id);
    const exchanged = await form('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id });
    assert.equal(exchanged.status, 200);
    const grant = (await owner.api.get('/xapi2/oauth/grants')).body.data.find((g: { client_id: string }) => g.client_id === client_id);
    const cursor = (await owner.api.get('/xapi2/activity?limit=500')).body.meta.next_cursor;
    const stranger = await signUp(server);
    assert.equal((await stranger.api.delete(`/xapi2/oauth/grants/${grant.id}`)).status, 404);
    assert.deepEqual((await owner.api.get(`/xapi2/activity?since=${cursor}`)).body.data, [], "another workspace's refused revocation records nothing");
    assert.equal((await owner.api.delete(`/xapi2/oauth/grants/${grant.id}`)).status, 200);
    const events = (await owner.api.get('/xapi2/activity?limit=500')).body.data as Array<{ object_type: string; object_id: string; action: string; actor_id: string; changes: Record<string, unknown> }>;
    const mine = events.filter((e) => e.object_type === 'oauth_grant' && e.object_id === grant.id);
    assert.deepEqual(mine.map((e) => e.action), ['create', 'delete']);
    assert.ok(mine.every((e) => e.actor_id === owner.user.id));
    assert.deepEqual(mine[0].changes.client_id, [null, client_id]);
    assert.deepEqual(mine[1].changes.reason, [null, 'revoked by the member']);
    const text = JSON.stringify(mine);
    for (const secret of [code, exchanged.body.access_token, exchanged.body.refresh_token]) assert.ok(!text.includes(secret), 'no secret in the activity');
    const member = await signUp(server, { role: 'member', workspace: owner.workspace.slug });
    const seen = (await member.api.get('/xapi2/activity?limit=500')).body.data as Array<{ object_type: string }>;
    assert.ok(!seen.some((e) => e.object_type === 'oauth_grant'), 'members do not see account events');
  });

  test('a grant ended by the authorization server (refresh token reused or revoked, code replayed) is recorded once, with why', async () => {
    const endings = async (grantId: string) =>
      ((await owner.api.get('/xapi2/activity?limit=500')).body.data as Array<{ object_type: string; object_id: string; action: string; changes: Record<string, unknown> }>)
        .filter((e) => e.object_type === 'oauth_grant' && e.object_id === grantId && e.action === 'delete')
        .map((e) => e.changes.reason);
    const grantOf = async (clientId: string) => (await owner.api.get('/xapi2/oauth/grants')).body.data.find((g: { client_id: string }) => g.client_id === clientId).id as string;

    const reused = await register();
    const first = await tokensFor(reused.client_id);
    const reusedGrant = await grantOf(reused.client_id);
    assert.equal((await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: reused.client_id })).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: reused.client_id })).status, 400);
    assert.deepEqual(await endings(reusedGrant), [[null, 'refresh token reused']], 'recorded once, though reused twice');

    const revoked = await register();
    const tokens = await tokensFor(revoked.client_id);
    const revokedGrant = await grantOf(revoked.client_id);
    assert.equal((await form('/oauth/revoke', { token: tokens.access_token, client_id: revoked.client_id })).status, 200);
    assert.deepEqual(await endings(revokedGrant), [], 'revoking an access token ends only that token');
    assert.equal((await form('/oauth/revoke', { token: tokens.refresh_token, client_id: revoked.client_id })).status, 200);
    assert.deepEqual(await endings(revokedGrant), [[null, 'refresh token revoked by the app']]);

    const replayed = await register();
    const { code, verifier } = await codeFor(replayed.client_id);
    const params = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: replayed.client_id };
    assert.equal((await form('/oauth/token', params)).status, 200);
    const replayedGrant = await grantOf(replayed.client_id);
    assert.equal((await form('/oauth/token', params)).status, 400);
    assert.deepEqual(await endings(replayedGrant), [[null, 'code replayed']]);
  });
});

describe('refusals', () => {
  test('PKCE plain, a missing challenge and a wrong verifier are refused', async () => {
    const { client_id } = await register();
    const { challenge, verifier } = pkce();
    const base = { response_type: 'code', client_id, redirect_uri: REDIRECT, state: 'p' };
    const plain = await authorize({ ...base, code_challenge: verifier, code_challenge_method: 'plain' });
    assert.equal(plain.location?.searchParams.get('error'), 'invalid_request');
    assert.match(plain.location!.searchParams.get('error_description')!, /S256; plain is not accepted/);
    assert.equal(plain.location?.searchParams.get('state'), 'p');
    const none = await authorize(base);
    assert.match(none.location!.searchParams.get('error_description')!, /code_challenge is required/);
    const noMethod = await authorize({ ...base, code_challenge: challenge });
    assert.equal(noMethod.location?.searchParams.get('error'), 'invalid_request');

    const { code } = await codeFor(client_id);
    const wrong = await form('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: pkce().verifier, redirect_uri: REDIRECT, client_id });
    assert.equal(wrong.body.error, 'invalid_grant');
    assert.match(wrong.body.error_description, /code_verifier/);
  });

  test('redirect URIs match exactly, except for the port on loopback; an unknown one is never redirected to', async () => {
    const { client_id } = await register({ client_name: 'Exact', redirect_uris: [REDIRECT, 'https://app.example.com/cb'] });
    const { challenge } = pkce();
    const base = { response_type: 'code', client_id, code_challenge: challenge, code_challenge_method: 'S256' };
    for (const bad of ['https://evil.example/cb', 'https://app.example.com/cb/', 'https://app.example.com/cb?x=1', 'http://127.0.0.1:43117/other', 'http://evil.example:43117/callback']) {
      const res = await authorize({ ...base, redirect_uri: bad });
      assert.equal(res.status, 400, bad);
      assert.equal(res.location, undefined, `${bad} is not redirected to`);
      assert.match(res.body.detail, /redirect_uri is not one of the client's registered redirect URIs/);
    }
    const otherPort = await authorize({ ...base, redirect_uri: 'http://127.0.0.1:50999/callback' });
    assert.equal(otherPort.location?.pathname, '/oauth/consent', 'any port on loopback');

    const { code, verifier } = await codeFor(client_id);
    const swapped = await form('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:50999/callback', client_id });
    assert.equal(swapped.body.error, 'invalid_grant', 'the token request must repeat the redirect URI the authorization used');
  });

  test('unknown clients and bad registrations are refused and change nothing', async () => {
    const unknown = await authorize({ response_type: 'code', client_id: 'pbc_nope', redirect_uri: REDIRECT });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.detail, /register it at \/oauth\/register/);
    const before = await databaseSnapshot(server);
    for (const [body, error] of [
      [{ client_name: 'x' }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['http://evil.example/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://a.example/cb#frag'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: [REDIRECT], grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
      [{ redirect_uris: [REDIRECT], client_name: 42 }, 'invalid_client_metadata'],
      [[REDIRECT], 'invalid_client_metadata'],
    ] as const) {
      const res = await request(server, 'POST', '/oauth/register', { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error, error);
    }
    assert.deepEqual(await databaseSnapshot(server), before);
  });

  test('a token for another resource is refused, at authorization, at the token endpoint and at verification', async () => {
    const { client_id } = await register();
    const { challenge } = pkce();
    const other = await authorize({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', resource: 'https://other.example/mcp' });
    assert.equal(other.location?.searchParams.get('error'), 'invalid_target');
    const tokens = await tokensFor(client_id);
    const atToken = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id, resource: 'https://other.example/mcp' });
    assert.equal(atToken.body.error, 'invalid_target');
    await assert.rejects(verify(tokens.access_token, 'https://other.example/mcp'), /is for .*\/mcp, not https:\/\/other\.example\/mcp/);
    await assert.rejects(verify(tokens.refresh_token), /not valid/, 'a refresh token is not an access token');
  });

  test('unknown grant types, missing fields and repeated parameters get OAuth errors', async () => {
    assert.equal((await form('/oauth/token', { grant_type: 'password', client_id: 'x' })).body.error, 'unsupported_grant_type');
    assert.equal((await form('/oauth/token', { grant_type: 'authorization_code', client_id: 'x' })).body.error, 'invalid_request');
    const repeated = await fetch(new URL('/oauth/token', server.url), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&client_id=a&client_id=b&refresh_token=ort_x',
    });
    assert.equal(((await repeated.json()) as { error: string }).error, 'invalid_request');
  });

  test('a personal access token can neither answer a consent request nor list or revoke grants', async () => {
    const { client_id } = await register();
    const { challenge } = pkce();
    const started = await authorize({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256' });
    const requestId = started.location!.searchParams.get('request')!;
    const pat = await makeToken(server, owner);
    assert.equal((await pat.api.post(`/xapi2/oauth/requests/${requestId}/approve`)).status, 403);
    assert.equal((await pat.api.get('/xapi2/oauth/grants')).status, 403);
    assert.equal((await request(server, 'POST', `/xapi2/oauth/requests/${requestId}/approve`)).status, 401);
    assert.equal((await owner.api.get(`/xapi2/oauth/requests/${requestId}`)).status, 200, 'the request is still open');
  });

  test('a consent request expires after 10 minutes', async () => {
    const { client_id } = await register();
    const { challenge } = pkce();
    const started = await authorize({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256' });
    clock += 10 * 60_000 + 1;
    const requestId = started.location!.searchParams.get('request')!;
    const res = await owner.api.post(`/xapi2/oauth/requests/${requestId}/approve`);
    assert.equal(res.status, 409);
    assert.match(res.body.detail, /expired/);
  });
});

describe('roles and workspaces', () => {
  test("scopes are capped by the member's role: a viewer asking for card:write grants card:read", async () => {
    const viewer = await signUp(server, { role: 'viewer', workspace: owner.workspace.slug });
    const { client_id } = await register();
    const { challenge } = pkce();
    const started = await authorize({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', scope: 'card:write' });
    const shown = await viewer.api.get(`/xapi2/oauth/requests/${started.location!.searchParams.get('request')}`);
    assert.deepEqual(shown.body.scopes, { board: 'none', card: 'read' });
    const tokens = await tokensFor(client_id, viewer, { scope: 'card:write' });
    assert.equal(tokens.scope, 'card:read');
    const actor = await verify(tokens.access_token);
    assert.equal(actor.role, 'viewer');
    assert.deepEqual(actor.credential.kind === 'oauth' && actor.credential.scopes, { board: 'none', card: 'read' });
  });

  test("another workspace's grant is neither listed nor revocable", async () => {
    const stranger = await signUp(server);
    const { client_id } = await register();
    const tokens = await tokensFor(client_id);
    const mine = (await owner.api.get('/xapi2/oauth/grants')).body.data.find((g: { client_id: string }) => g.client_id === client_id);
    assert.ok(!(await stranger.api.get('/xapi2/oauth/grants')).body.data.some((g: { id: string }) => g.id === mine.id));
    const res = await stranger.api.delete(`/xapi2/oauth/grants/${mine.id}`);
    assert.equal(res.status, 404);
    await verify(tokens.access_token);
  });

  test('a member removed from the workspace loses the sign-in', async () => {
    const member = await signUp(server, { role: 'member', workspace: owner.workspace.slug });
    const { client_id } = await register();
    const tokens = await tokensFor(client_id, member);
    await server.query('DELETE FROM memberships WHERE user_id = ? AND workspace_id = ? RETURNING user_id', member.user.id, owner.workspace.id);
    await assert.rejects(verify(tokens.access_token), /no longer a member/);
  });
});

describe('client metadata documents', () => {
  let docServer: Server;
  let docBase: string;
  const docs = new Map<string, unknown>();

  before(async () => {
    docServer = createServer((req, res) => {
      const doc = docs.get(req.url ?? '');
      if (doc === undefined) return res.writeHead(404).end();
      if (doc === 'huge') return res.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(70 * 1024)}"`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    });
    await new Promise<void>((resolve) => docServer.listen(0, '127.0.0.1', resolve));
    docBase = `http://127.0.0.1:${(docServer.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => docServer.close(() => resolve())));

  test('a client_id URL is fetched: its name shows on the consent page and the flow completes', async () => {
    const clientId = `${docBase}/client.json`;
    docs.set('/client.json', { client_id: clientId, client_name: 'Metadata Host', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' });
    const { code, verifier, requestId } = await codeFor(clientId);
    assert.ok(requestId);
    const issued = await form('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const grant = (await owner.api.get('/xapi2/oauth/grants')).body.data.find((g: { client_id: string }) => g.client_id === clientId);
    assert.equal(grant.client_name, 'Metadata Host');
  });

  test('a document that names another client_id, is too large or is missing is refused', async () => {
    docs.set('/liar.json', { client_id: 'https://someone.example/else.json', redirect_uris: [REDIRECT] });
    docs.set('/huge.json', 'huge');
    for (const [path, why] of [['/liar.json', /different client_id/], ['/huge.json', /larger than 64 KiB/], ['/missing.json', /HTTP 404/]] as const) {
      const res = await authorize({ response_type: 'code', client_id: `${docBase}${path}`, redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
      assert.equal(res.status, 400, path);
      assert.match(res.body.detail, why);
    }
  });

  test('outside tests, only https from public addresses is fetched', async () => {
    await assert.rejects(fetchClientMetadata(`${docBase}/client.json`, { allowLoopback: false }), /must use https/);
    for (const url of ['https://127.0.0.1/c.json', 'https://10.1.2.3/c.json', 'https://[::1]/c.json', 'https://169.254.169.254/latest', 'https://[::ffff:127.0.0.1]/c.json']) {
      await assert.rejects(fetchClientMetadata(url, { allowLoopback: false }), /private or reserved/, url);
    }
    await assert.rejects(fetchClientMetadata('https://localhost/c.json', { allowLoopback: false }), /private or reserved/, 'a name resolving to loopback');
    await assert.rejects(fetchClientMetadata('https://app.example.com/', { allowLoopback: false }), /must have a path/);
  });
});

describe('housekeeping', () => {
  test('the sweep deletes expired OAuth tokens and requests, and what is live keeps working', async () => {
    const { Sweeper } = await import('../src/store/sweeper.js');
    const { client_id } = await register();
    const stale = await tokensFor(client_id);
    await authorize({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    clock += 31 * 24 * 3_600_000;
    // A month on, the owner's session has ended too: a fresh member signs the app in again.
    const live = await tokensFor(client_id, await signUp(server, { role: 'member', workspace: owner.workspace.slug }));
    const count = async (table: string) => Number((await server.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0].n);
    const [tokensBefore, requestsBefore] = [await count('oauth_tokens'), await count('oauth_requests')];
    const swept = await new Sweeper(server.store, { loginWindowMs: 60_000, analyticsKeep: 1000, batch: 2, now: () => clock }).sweepNow();
    assert.ok(swept.oauth >= 3, JSON.stringify(swept));
    assert.equal(await count('oauth_tokens'), 2, 'only the live access and refresh tokens stay');
    assert.ok((await count('oauth_requests')) < requestsBefore && tokensBefore > 2);
    await verify(live.access_token);
    assert.equal((await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: stale.refresh_token, client_id })).body.error, 'invalid_grant');
  });
});
