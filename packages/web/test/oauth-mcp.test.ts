/**
 * An MCP host signing in to /mcp with the official SDK's OAuth client: the SDK discovers the
 * protected resource and authorization server from the 401, registers itself, and sends the user to
 * the authorization URL, where real Chromium signs in and clicks Allow; the SDK redeems the code,
 * calls tools as the member (filtered by the granted scopes), refreshes when its access token is
 * refused, and loses access at once when the grant is disconnected.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { Client, type OAuthClientProvider, type OAuthClientMetadata, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import type { BrowserContext } from 'playwright-core';
import { newContext, openSignedIn, setup, signUp } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let context: BrowserContext;
let callback: Server;
let callbackUrl: string;
let lastCallback: Promise<URL>;
let arrive: (url: URL) => void = () => {};
/** Every client connected, closed after the tests (also when one fails midway, which would otherwise keep the server open). */
const clients: Client[] = [];

/** The next URL the host's loopback callback receives. */
function expectCallback(): void {
  lastCallback = new Promise((resolve) => (arrive = resolve));
}

before(async () => {
  env = await setup();
  await env.owner.api.post('/xapi2/data/board', { body: { name: 'Launch plan' } });
  context = await newContext(env.browser);
  callback = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in; you can close this window.');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/callback') arrive(url);
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as { port: number }).port}/callback`;
});
after(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await context.close();
  callback.closeAllConnections();
  await new Promise<void>((resolve) => callback.close(() => resolve()));
  await env.close();
});

/** An in-memory OAuth client provider, as an MCP host keeps one per server. */
function hostProvider() {
  const state: { client?: Awaited<ReturnType<OAuthClientProvider['clientInformation']>>; tokens?: Awaited<ReturnType<OAuthClientProvider['tokens']>>; verifier?: string; authorizationUrl?: URL } = {};
  const metadata: OAuthClientMetadata = {
    client_name: 'SDK Test Host',
    redirect_uris: [callbackUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
  const provider: OAuthClientProvider = {
    get redirectUrl() {
      return callbackUrl;
    },
    get clientMetadata() {
      return metadata;
    },
    clientInformation: () => state.client,
    saveClientInformation: (info) => {
      state.client = info;
    },
    tokens: () => state.tokens,
    saveTokens: (tokens) => {
      state.tokens = tokens;
    },
    redirectToAuthorization: (url) => {
      state.authorizationUrl = url;
    },
    saveCodeVerifier: (verifier) => {
      state.verifier = verifier;
    },
    codeVerifier: () => {
      if (!state.verifier) throw new Error('no code verifier saved');
      return state.verifier;
    },
  };
  return { provider, state };
}

async function connect(provider: OAuthClientProvider): Promise<Client> {
  const client = new Client({ name: 'sdk-oauth-host', version: '1.0.0' });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', env.server.url), { authProvider: provider }));
  return client;
}

/** Runs the SDK's sign-in: the 401, discovery, registration, Chromium clicking Allow, and the code's exchange. */
async function signIn(session = env.owner.session) {
  const host = hostProvider();
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', env.server.url), { authProvider: host.provider });
  await assert.rejects(new Client({ name: 'sdk-oauth-host', version: '1.0.0' }).connect(transport), UnauthorizedError);
  assert.ok(host.state.client?.client_id, 'the SDK registered itself');
  const authorizationUrl = host.state.authorizationUrl;
  assert.ok(authorizationUrl, 'the SDK asked to open the authorization URL');
  assert.equal(authorizationUrl.origin + authorizationUrl.pathname, `${env.server.url}/oauth/authorize`);
  assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorizationUrl.searchParams.get('resource'), `${env.server.url}/mcp`);

  expectCallback();
  const page = await openSignedIn(context, env.server, session, '/login');
  await page.goto(authorizationUrl.href);
  await page.getByTestId('consent').waitFor();
  assert.equal(await page.getByTestId('consent-client').innerText(), 'SDK Test Host');
  await page.getByRole('button', { name: 'Allow' }).click();
  // The browser lands on the host's callback (a missing redirect fails here, at Playwright's timeout,
  // instead of leaving the file waiting on the callback server for ever), and the host has the code.
  await page.waitForURL((u) => u.href.startsWith(callbackUrl));
  const back = await lastCallback;
  await page.close();
  await transport.finishAuth(back.searchParams);
  assert.match(String(host.state.tokens?.access_token), /^oat_/);
  return host;
}

test('the SDK signs in through the consent page and calls tools on /mcp as the member; a refused access token is refreshed; Disconnect ends it', async () => {
  const host = await signIn();
  const client = await connect(host.provider);
  const names = (await client.listTools()).tools.map((t) => t.name);
  assert.ok(names.includes('card_create') && names.includes('whoami'), names.join(', '));
  const board = await client.callTool({ name: 'board_overview', arguments: { board: 'launch plan' } });
  assert.notEqual(board.isError, true, JSON.stringify(board));
  assert.match(JSON.stringify(board.structuredContent), /Launch plan/);
  const me = await client.callTool({ name: 'whoami', arguments: {} });
  assert.match(JSON.stringify(me.structuredContent), new RegExp(env.owner.email));
  await client.close();

  // An access token the server no longer takes: the SDK refreshes (rotating the refresh token) and goes on.
  const oldRefresh = host.state.tokens!.refresh_token;
  host.state.tokens = { ...host.state.tokens!, access_token: 'oat_not_a_real_token' };
  const again = await connect(host.provider);
  assert.notEqual((await again.callTool({ name: 'board_overview', arguments: { board: 'Launch plan' } })).isError, true);
  assert.notEqual(host.state.tokens!.refresh_token, oldRefresh, 'the refresh token rotated');
  await again.close();

  // Disconnected on the Integrations page: the very next call is refused.
  const grants = await env.owner.api.get('/xapi2/oauth/grants');
  const grant = grants.body.data.find((g: { client_name: string }) => g.client_name === 'SDK Test Host');
  assert.equal((await env.owner.api.delete(`/xapi2/oauth/grants/${grant.id}`)).status, 200);
  const res = await fetch(new URL('/mcp', env.server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${host.state.tokens!.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/);
});

test("a viewer's sign-in is capped to read: /mcp offers no write tool", async () => {
  const viewer = await signUp(env.server, { role: 'viewer', workspace: env.owner.workspace.slug });
  const host = await signIn(viewer.session);
  assert.equal(host.state.tokens?.scope, 'board:read card:read');
  const client = await connect(host.provider);
  const names = (await client.listTools()).tools.map((t) => t.name);
  assert.ok(names.includes('board_overview') && names.includes('card_list'), names.join(', '));
  for (const write of ['card_create', 'card_update', 'card_move', 'card_update_many', 'card_create_many', 'comment_add']) assert.ok(!names.includes(write), `${write} is not offered`);
  await client.close();
});
