/**
 * The Integrations, Members and Account pages in a real browser: a token made on the page works at
 * once (for /auth/me and for prodmcp over stdio), shows its last use and can be revoked; an invite
 * link brings a new person in and roles change; a password change signs every session out.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { client, newContext, openSignedIn, screenshot, setup, waitForBoard } from './helpers.js';

const PRODMCP = fileURLToPath(new URL('../../prodmcp/dist/prodmcp.mjs', import.meta.url));

let env: Awaited<ReturnType<typeof setup>>;
let context: BrowserContext;
let page: Page;
let token: string;

before(async () => {
  env = await setup();
  await env.owner.api.post('/xapi2/data/board', { body: { name: 'Roadmap', accent: 'amber' } });
  context = await newContext(env.browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.server.url });
  page = await openSignedIn(context, env.server, env.owner.session, '/integrations');
});
after(() => env.close());

/** Asks prodmcp, over stdio JSON-RPC, for the boards it can see with this token. */
async function overviewThroughProdmcp(pat: string): Promise<any> {
  const home = mkdtempSync(join(tmpdir(), 'prodmcp-home-'));
  const child = spawn(process.execPath, [PRODMCP], {
    env: { ...process.env, HOME: home, PRODMCP_TOKEN: pat, PRODMCP_BASE_URL: env.server.url, PRODMCP_NO_TELEMETRY: '1', PRODMCP_NO_AUTOUPDATE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const responses = new Map<number, any>();
    let buffer = '';
    const waiters = new Map<number, (value: any) => void>();
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let cut;
      while ((cut = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, cut).trim();
        buffer = buffer.slice(cut + 1);
        if (!line) continue;
        const message = JSON.parse(line);
        if (message.id !== undefined) {
          responses.set(message.id, message);
          waiters.get(message.id)?.(message);
        }
      }
    });
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    const reply = (id: number) =>
      new Promise<any>((resolve, reject) => {
        if (responses.has(id)) return resolve(responses.get(id));
        const timer = setTimeout(() => reject(new Error(`prodmcp did not answer request ${id}; stderr: ${stderr.slice(0, 500)}`)), 15_000);
        waiters.set(id, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'web-test', version: '1.0.0' } } });
    const init = await reply(1);
    assert.ok(init.result, `initialize failed: ${JSON.stringify(init)}`);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'board_overview', arguments: { board: 'roadmap' } } });
    return (await reply(2)).result;
  } finally {
    // Wait for the process to exit before removing its home: it may still be writing its cache there.
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    child.kill();
    await exited;
    rmSync(home, { recursive: true, force: true, maxRetries: 3 });
  }
}

describe('Integrations', () => {
  test('a token is created with per-model scopes and an expiry, shown once with a copy button, and works at once', async () => {
    await page.getByRole('heading', { name: 'Create a personal access token' }).waitFor();
    // The server's message for a missing name appears at the name field.
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('.field-error', { hasText: 'Name must be 1 to 100 characters' }).waitFor();

    await page.getByLabel('Name').fill('Claude Desktop on my laptop');
    await page.getByRole('group', { name: 'Boards' }).getByRole('radio', { name: 'Read', exact: true }).check();
    await page.getByRole('group', { name: 'Cards' }).getByRole('radio', { name: 'Read and write' }).check();
    await page.getByLabel('Expires').selectOption('90d');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByTestId('new-token');
    await shown.waitFor();
    token = (await shown.textContent())!;
    assert.match(token, /^pat_/);
    await page.getByRole('button', { name: 'Copy token' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);

    // By default every host connects by URL to this server's /mcp (OAuth): no package, no token pasted.
    const byUrl = (await page.getByTestId('mcp-config').textContent())!;
    assert.match(byUrl, new RegExp(`^${env.server.url}/mcp\n`));
    assert.match(byUrl, new RegExp(`claude mcp add --transport http prodboard ${env.server.url}/mcp`));
    assert.doesNotMatch(byUrl, /npx|pat_/);
    await page.getByRole('tab', { name: 'VS Code' }).click();
    assert.deepEqual(JSON.parse((await page.getByTestId('mcp-config').textContent())!), { servers: { prodboard: { type: 'http', url: `${env.server.url}/mcp` } } });
    await page.getByRole('tab', { name: 'ChatGPT' }).click();
    assert.equal(await page.getByTestId('mcp-config').textContent(), `${env.server.url}/mcp`);
    await page.getByRole('tab', { name: 'Cursor' }).click();
    assert.deepEqual(JSON.parse((await page.getByTestId('mcp-config').textContent())!), { mcpServers: { prodboard: { url: `${env.server.url}/mcp` } } });
    // The stdio alternative runs the file this server distributes, with this server and the new token.
    await page.getByRole('radio', { name: 'prodmcp, a single file from this server' }).check();
    const cursor = JSON.parse((await page.getByTestId('mcp-config').textContent())!);
    assert.equal(cursor.mcpServers.prodboard.command, 'node');
    assert.deepEqual(cursor.mcpServers.prodboard.env, { PRODMCP_BASE_URL: env.server.url, PRODMCP_TOKEN: token });
    await page.getByRole('tab', { name: 'VS Code' }).click();
    const vscode = JSON.parse((await page.getByTestId('mcp-config').textContent())!);
    assert.equal(vscode.servers.prodboard.env.PRODMCP_BASE_URL, env.server.url);
    assert.equal(vscode.servers.prodboard.type, 'stdio');
    assert.doesNotMatch(await page.locator('main').textContent() ?? '', /npx/, 'no snippet names an unpublished package');
    await screenshot(page, 'integrations', true);

    const me = await client(env.server, token).get('/xapi2/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.auth, 'pat');
    assert.deepEqual(me.body.scopes, { board: 'read', card: 'write' });
    assert.equal((await client(env.server, token).post('/xapi2/data/board', { body: { name: 'Not allowed' } })).status, 403, 'board:read cannot create boards');
    const stored = (await env.owner.api.get('/xapi2/tokens')).body.data[0];
    assert.ok(Date.parse(stored.expires_at) > Date.now() + 89 * 86_400_000);
  });

  test('prodmcp, started with the new token, reads a board by its name over stdio', { skip: !existsSync(PRODMCP) && 'prodmcp is not built' }, async () => {
    const result = await overviewThroughProdmcp(token);
    assert.notEqual(result.isError, true, JSON.stringify(result));
    assert.match(JSON.stringify(result), /Roadmap/);
  });

  test('the list shows when the token was last used; revoking it stops it at once', async () => {
    await page.reload();
    const row = page.locator('.list-row', { hasText: 'Claude Desktop on my laptop' });
    await row.waitFor();
    assert.notEqual(await row.getByTestId('last-used').textContent(), 'never');
    await row.getByRole('button', { name: 'Revoke Claude Desktop on my laptop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByRole('button', { name: /^Show revoked and expired tokens/ }).click();
    await row.getByText('Revoked').waitFor();
    assert.equal((await client(env.server, token).get('/xapi2/auth/me')).status, 401);
  });
});

describe('Members', () => {
  let invitee: Page;

  test('an invite link brings a new person into the workspace with the role it offers', async () => {
    await page.goto(new URL('/members', env.server.url).href);
    await page.getByRole('heading', { name: 'Invite someone' }).waitFor();
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByLabel('Email (optional)').fill('not-an-email');
    await page.getByRole('button', { name: 'Create invite link' }).click();
    await page.locator('.field-error', { hasText: 'email must be an address' }).waitFor();
    await page.getByLabel('Email (optional)').fill('');
    await page.getByRole('button', { name: 'Create invite link' }).click();
    const link = (await page.getByTestId('invite-link').textContent())!;
    assert.match(link, new RegExp(`^${env.server.url}/invite#token=inv_`));
    await screenshot(page, 'members', true);

    const other = await newContext(env.browser);
    invitee = await other.newPage();
    await invitee.goto(link);
    await invitee.getByRole('heading', { name: /^Join / }).waitFor();
    await invitee.getByLabel('Your name').fill('Grace Hopper');
    await invitee.getByLabel('Email').fill('grace@example.com');
    await invitee.getByLabel('Password').fill('another long passphrase');
    await screenshot(invitee, 'invite');
    await invitee.getByRole('button', { name: 'Create account and join' }).click();
    await invitee.getByRole('link', { name: /Roadmap/ }).waitFor();
  });

  test('an owner changes a role, and it applies at once', async () => {
    await page.reload();
    const role = page.getByLabel('Role of Grace Hopper');
    await role.waitFor();
    await role.selectOption('viewer');
    await page.getByRole('status').filter({ hasText: 'Grace Hopper is now a viewer' }).waitFor();
    await invitee.reload();
    await invitee.getByRole('link', { name: /Roadmap/ }).waitFor();
    assert.equal(await invitee.getByRole('button', { name: 'New board' }).count(), 0, 'a viewer creates no boards');
    await invitee.getByRole('link', { name: /Roadmap/ }).click();
    await waitForBoard(invitee);
    assert.equal(await invitee.getByRole('button', { name: 'Add card' }).count(), 0, 'a viewer gets no write controls');
    assert.equal(await invitee.getByRole('button', { name: 'Add column' }).count(), 0);
  });
});

describe('Account', () => {
  test('a password change checks the current password, then signs every session out', async () => {
    await page.goto(new URL('/account', env.server.url).href);
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase');
    await page.getByLabel('Repeat the new password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('.field-error', { hasText: 'Current password is wrong' }).waitFor();
    assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'account');

    await page.getByLabel('Current password').fill('correct horse battery');
    await page.getByLabel('Repeat the new password').fill('a different one');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('.field-error', { hasText: 'The two new passwords differ' }).waitFor();

    await page.getByLabel('Repeat the new password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal((await env.owner.api.get('/xapi2/auth/me')).status, 401);
    await page.getByLabel('Email').fill(env.owner.email);
    await page.getByLabel('Password').fill('a brand new passphrase');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Boards', exact: true }).waitFor();
  });
});

