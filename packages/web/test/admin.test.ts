/**
 * Administration (issue 13) in real Chromium against the real server: removing a member after a
 * confirmation (their open page is signed out), a password reset link set from its page, changing
 * name and email, joining a second workspace with an existing account and switching to it, a role
 * change reaching an open board without reload, and the tokens list (inactive ones behind a toggle,
 * revoking confirmed). Each page is axe-clean; screenshots go to test-output/screenshots/admin-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, client, makeToken, newContext, openSignedIn, request, screenshot, setup, signUp, waitForBoard } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let ownerContext: BrowserContext;
let ownerPage: Page;
const contexts: BrowserContext[] = [];

before(async () => {
  env = await setup();
  ownerContext = await newContext(env.browser);
  ownerPage = await openSignedIn(ownerContext, env.server, env.owner.session, '/members');
});
after(async () => {
  for (const c of contexts) await c.close();
  await env.close();
});

let n = 0;
/** A new member of the owner's workspace. */
async function member(name: string, role = 'member') {
  const account = await signUp(env.server, { email: `${name.toLowerCase()}${++n}-${Date.now()}@example.com`, role, workspace: env.owner.workspace.slug });
  await env.server.store.transaction((tx) => tx.updateUserProfile(account.user.id, { name, email: account.email }, new Date().toISOString()));
  return account;
}

async function browserOf(session: string, path: string): Promise<Page> {
  const context = await newContext(env.browser);
  contexts.push(context);
  return openSignedIn(context, env.server, session, path);
}

async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, `admin-${name}`);
  assert.deepEqual(await axeViolations(page), [], `axe on ${name}`);
}

describe('members', () => {
  test('removing a member asks first; once removed, their open page is signed out', async () => {
    const ada = await member('Ada');
    const adaPage = await browserOf(ada.session, '/');
    await adaPage.getByRole('heading', { name: 'Boards', level: 1 }).waitFor();

    await ownerPage.goto(new URL('/members', env.server.url).href);
    await ownerPage.getByRole('button', { name: 'Remove Ada' }).click();
    const dialog = ownerPage.getByRole('dialog', { name: 'Remove Ada?' });
    await dialog.waitFor();
    await expectAccessible(ownerPage, 'remove-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await env.owner.api.get('/xapi2/members')).body.data.some((m: { user_id: string }) => m.user_id === ada.user.id), true, 'Cancel removes no one');

    await ownerPage.getByRole('button', { name: 'Remove Ada' }).click();
    await dialog.getByRole('button', { name: 'Remove Ada' }).click();
    await ownerPage.getByText('Ada was removed from the workspace.').waitFor();
    await ownerPage.locator('.list-row', { hasText: ada.email }).waitFor({ state: 'detached' });
    // Ada's tab learns it from the live stream, without touching anything.
    await adaPage.getByRole('heading', { name: 'Sign in' }).waitFor();
    await adaPage.getByText('Your session ended').waitFor();
    await screenshot(adaPage, 'admin-removed-signed-out');
  });

  test('a password reset link from the members page sets a new password and signs in', async () => {
    const bob = await member('Bob');
    await ownerPage.goto(new URL('/members', env.server.url).href);
    await ownerPage.getByRole('button', { name: 'Reset password of Bob' }).click();
    const link = (await ownerPage.getByTestId('reset-link').textContent())!;
    assert.match(link, new RegExp(`^${env.server.url}/reset-password#token=pwr_`));
    await expectAccessible(ownerPage, 'reset-link');

    const page = await (await newContext(env.browser)).newPage();
    contexts.push(page.context());
    await page.goto(link);
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await page.getByText(bob.email).waitFor();
    await expectAccessible(page, 'reset-page');
    await page.getByLabel('New password', { exact: true }).fill('brand new passphrase');
    await page.getByLabel('Repeat the new password').fill('something else');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByText('The two passwords differ').waitFor();
    await page.getByLabel('Repeat the new password').fill('brand new passphrase');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: 'Boards', level: 1 }).waitFor();
    assert.equal((await bob.api.get('/xapi2/auth/me')).status, 401, 'the old session ended');
    assert.equal((await request(env.server, 'POST', '/xapi2/auth/login', { body: { email: bob.email, password: 'brand new passphrase' } })).status, 200);

    // The link is used up.
    await page.goto(link);
    await page.getByRole('heading', { name: 'This reset link does not work' }).waitFor();
  });
});

describe('account and workspaces', () => {
  test('name and email change on the account page; a new email asks for the password', async () => {
    const cleo = await member('Cleo');
    const page = await browserOf(cleo.session, '/account');
    await page.getByRole('heading', { name: 'Name and email' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Cleo Laine');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Your account was saved.').waitFor();
    await page.locator('.me-name', { hasText: 'Cleo Laine' }).waitFor();

    const newEmail = `cleo.laine${Date.now()}@example.com`;
    await page.getByLabel('Email', { exact: true }).fill(newEmail);
    const password = page.getByLabel('Current password').first();
    await password.waitFor();
    await password.fill('not my password');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.field-error', { hasText: 'is wrong' }).waitFor();
    await expectAccessible(page, 'account');
    await password.fill(cleo.password);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Your account was saved.').first().waitFor();
    await page.locator('.profile-sub', { hasText: newEmail }).waitFor();
    assert.equal((await request(env.server, 'POST', '/xapi2/auth/login', { body: { email: newEmail, password: cleo.password } })).status, 200);
  });

  test('an existing account joins a second workspace from an invite link and switches between them', async () => {
    const dora = await member('Dora');
    const other = await signUp(env.server, { workspace: `second-${Date.now()}` });
    const invite = (await other.api.post('/xapi2/invitations', { body: { role: 'admin' } })).body;
    const page = await browserOf(dora.session, '/');
    await page.goto(new URL(invite.path, env.server.url).href);
    await page.getByRole('button', { name: 'Join as Dora' }).waitFor();
    await expectAccessible(page, 'join-existing');
    await page.getByRole('button', { name: 'Join as Dora' }).click();
    await page.getByRole('heading', { name: 'Boards', level: 1 }).waitFor();
    const switcher = page.getByLabel('Workspace');
    await switcher.waitFor();
    await page.locator('.me-sub', { hasText: `${other.workspace.name} · admin` }).waitFor();
    await expectAccessible(page, 'switcher');

    await switcher.selectOption(env.owner.workspace.id);
    await page.locator('.me-sub', { hasText: `${env.owner.workspace.name} · member` }).waitFor();
    const token = await page.evaluate(() => localStorage.getItem('prodboard.session'));
    assert.equal((await client(env.server, token!).get('/xapi2/auth/me')).body.workspace.id, env.owner.workspace.id, 'the session carries the chosen workspace');
  });

  test('signed out, someone with an account signs in on the invite page to join', async () => {
    const emil = await signUp(env.server, { workspace: `emil-${Date.now()}` });
    const invite = (await env.owner.api.post('/xapi2/invitations', { body: { role: 'viewer' } })).body;
    const page = await (await newContext(env.browser)).newPage();
    contexts.push(page.context());
    await page.goto(new URL(invite.path, env.server.url).href);
    await page.getByRole('button', { name: 'I already have an account' }).click();
    await page.getByLabel('Email').fill(emil.email);
    await page.getByLabel('Password').fill(emil.password);
    await page.getByRole('button', { name: 'Sign in and join' }).click();
    await page.getByRole('heading', { name: 'Boards', level: 1 }).waitFor();
    await page.locator('.me-sub', { hasText: `${env.owner.workspace.name} · viewer` }).waitFor();
  });
});

describe('live role changes', () => {
  test("a demoted member's open board stops offering edits without a reload", async () => {
    const board = (await env.owner.api.post('/xapi2/data/board', { body: { name: 'Live roles', columns: 'To do, Done' } })).body;
    const fay = await member('Fay');
    const page = await browserOf(fay.session, `/boards/${board.id}`);
    await waitForBoard(page);
    const addCard = page.getByRole('button', { name: /Add card/ }).first();
    await addCard.waitFor();
    await page.evaluate(() => ((window as unknown as { marker: boolean }).marker = true));
    assert.equal((await env.owner.api.patch(`/xapi2/members/${fay.user.id}`, { body: { role: 'viewer' } })).status, 200);
    await addCard.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker), true, 'the page was not reloaded');
    await page.locator('.me-sub', { hasText: 'viewer' }).waitFor();
    await screenshot(page, 'admin-demoted-board');
  });
});

describe('tokens', () => {
  test('revoked and expired tokens wait behind a toggle; revoking asks first', async () => {
    const gus = await member('Gus');
    const active = await makeToken(env.server, gus);
    await env.server.store.transaction((tx) => tx.revokeAccessToken(active.row.id, new Date().toISOString()));
    await makeToken(env.server, gus, undefined, new Date(Date.now() - 60_000).toISOString());
    const keep = await makeToken(env.server, gus);
    const page = await browserOf(gus.session, '/integrations');
    const keepRow = page.locator(`[data-token-id="${keep.row.id}"]`);
    await keepRow.waitFor();
    assert.equal(await page.locator('.row-muted').count(), 0, 'inactive tokens are hidden');
    const toggle = page.getByRole('button', { name: 'Show revoked and expired tokens (2)' });
    await toggle.click();
    assert.equal(await page.locator('.row-muted').count(), 2);
    await page.getByRole('button', { name: 'Hide revoked and expired tokens (2)' }).click();

    await keepRow.getByRole('button', { name: 'Revoke test token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “test token”?' });
    await dialog.waitFor();
    await expectAccessible(page, 'revoke-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await keep.api.get('/xapi2/auth/me')).status, 200, 'Cancel revokes nothing');
    await keepRow.getByRole('button', { name: 'Revoke test token' }).click();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await keepRow.waitFor({ state: 'detached' });
    assert.equal((await keep.api.get('/xapi2/auth/me')).status, 401);
    await page.getByRole('button', { name: 'Show revoked and expired tokens (3)' }).click();
    await expectAccessible(page, 'tokens-inactive');
  });
});
