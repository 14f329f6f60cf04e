/**
 * OAuth consent in a real browser: an MCP host's sign-in link, opened signed out, goes through the
 * login form to the consent page, which names the client, where it redirects and the scopes; Allow
 * sends the browser back to the host's loopback callback with a code that buys a token for /mcp.
 * The Integrations page then lists the connected app, and Disconnect ends its access at once.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { verifyOAuthAccessToken } from '../../server/src/oauth/verify.js';
import { newContext, request, screenshot, setup, signUp } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let context: BrowserContext;
let callback: Server;
let callbackUrl: string;
/** Each URL the host's callback received, resolved in order. */
const arrivals: Array<(url: URL) => void> = [];
const arrived: URL[] = [];

function nextArrival(): Promise<URL> {
  const ready = arrived.shift();
  return ready ? Promise.resolve(ready) : new Promise((resolve) => arrivals.push(resolve));
}

before(async () => {
  env = await setup();
  context = await newContext(env.browser);
  // The MCP host's loopback redirect listener (RFC 8252).
  callback = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
    if (url.pathname !== '/callback') return;
    const waiter = arrivals.shift();
    if (waiter) waiter(url);
    else arrived.push(url);
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as { port: number }).port}/callback`;
});
after(async () => {
  await context.close();
  callback.closeAllConnections();
  await new Promise<void>((resolve) => callback.close(() => resolve()));
  await env.close();
});

async function form(path: string, params: Record<string, string>) {
  const res = await fetch(new URL(path, env.server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

test('signed out → login → consent names the client, redirect and scopes → Allow → code → token for /mcp; Disconnect ends it', async () => {
  const registered = await request(env.server, 'POST', '/oauth/register', { body: { client_name: 'Claude Test Host', redirect_uris: [callbackUrl] } });
  assert.equal(registered.status, 201);
  const clientId = registered.body.client_id as string;
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = new URL('/oauth/authorize', env.server.url);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: clientId, redirect_uri: callbackUrl, code_challenge: challenge, code_challenge_method: 'S256', state: 'st4te', scope: 'board:read card:write',
  })) authorize.searchParams.set(k, v);

  const page = await context.newPage();
  await page.goto(authorize.href);
  // Signed out: the login form first, then back to the consent page.
  await page.getByLabel('Email').fill(env.owner.email);
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: /sign in|log in/i }).click();

  const consent = page.getByTestId('consent');
  await consent.waitFor();
  assert.equal(new URL(page.url()).pathname, '/oauth/consent');
  await page.getByRole('heading', { name: 'Allow Claude Test Host to use Production Board?' }).waitFor();
  assert.equal(await page.getByTestId('consent-client').innerText(), 'Claude Test Host');
  assert.equal(await page.getByTestId('consent-redirect').innerText(), callbackUrl);
  assert.equal(await page.locator('[data-scope="board"]').innerText(), 'Boards: Read');
  assert.equal(await page.locator('[data-scope="card"]').innerText(), 'Cards: Read and write');
  await screenshot(page, 'oauth-consent');

  const back = nextArrival();
  await page.getByRole('button', { name: 'Allow' }).click();
  const url = await back;
  assert.equal(url.searchParams.get('state'), 'st4te');
  const code = url.searchParams.get('code');
  assert.ok(code);
  // The browser has landed on the host's callback page before it is sent anywhere else.
  await page.waitForURL((u) => u.pathname === '/callback');

  const issued = await form('/oauth/token', { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: callbackUrl, client_id: clientId });
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  const actor = await verifyOAuthAccessToken(env.server.store, issued.body.access_token, `${env.server.url}/mcp`, Date.now());
  assert.equal(actor.user.email, env.owner.email);

  // The Integrations page lists the connected app; Disconnect revokes it at once.
  await page.goto(new URL('/integrations', env.server.url).href);
  const row = page.locator('[data-grant-id]', { hasText: 'Claude Test Host' });
  await row.waitFor();
  assert.match(await row.innerText(), /board: read · card: write/);
  await screenshot(page, 'oauth-connected-apps');
  await row.getByRole('button', { name: 'Disconnect Claude Test Host' }).click();
  await row.waitFor({ state: 'detached' });
  await assert.rejects(verifyOAuthAccessToken(env.server.store, issued.body.access_token, `${env.server.url}/mcp`, Date.now()), /revoked/);
  await page.close();
});

test("a viewer's consent page offers read access only, and Deny sends the host access_denied", async () => {
  const viewer = await signUp(env.server, { role: 'viewer', workspace: env.owner.workspace.slug });
  const clientId = (await request(env.server, 'POST', '/oauth/register', { body: { client_name: 'Reader', redirect_uris: [callbackUrl] } })).body.client_id as string;
  const authorize = new URL('/oauth/authorize', env.server.url);
  const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: callbackUrl, code_challenge: challenge, code_challenge_method: 'S256', scope: 'card:write' })) {
    authorize.searchParams.set(k, v);
  }
  const viewerContext = await newContext(env.browser);
  const page = await viewerContext.newPage();
  await page.goto(new URL('/login', env.server.url).href);
  await page.evaluate((token) => localStorage.setItem('prodboard.session', token), viewer.session);
  await page.goto(authorize.href);
  await page.getByTestId('consent').waitFor();
  assert.equal(await page.locator('[data-scope="card"]').innerText(), 'Cards: Read');
  assert.match(await page.getByTestId('consent').innerText(), /can only read/);
  const back = nextArrival();
  await page.getByRole('button', { name: 'Deny' }).click();
  assert.equal((await back).searchParams.get('error'), 'access_denied');
  await viewerContext.close();
});
