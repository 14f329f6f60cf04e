/**
 * Human keys in the web app (issue 12), in real headless Chromium: the card front and the card panel
 * show WEB-42; board tiles link to /b/WEB; opening a card puts its key in the address
 * (/b/WEB/WEB-42); that address opens the card on a fresh load; an old key (before a move) still
 * opens the card; the old /boards/<id>?card=<id> links still work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { newContext, openSignedIn, screenshot, setup, waitForBoard } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let page: Page;
let board: { id: string; key: string };
let card: { id: string; key: string };

before(async () => {
  env = await setup();
  board = (await env.owner.api.post('/xapi2/data/board', { body: { name: 'Web', key: 'WEB' } })).body;
  await env.owner.api.post('/xapi2/data/card', { body: { title: 'First card', board_id: board.id, status: 'todo' } });
  card = (await env.owner.api.post('/xapi2/data/card', { body: { title: 'Login times out', board_id: board.id, status: 'todo' } })).body;
  assert.equal(card.key, 'WEB-2');
  page = await openSignedIn(await newContext(env.browser), env.server, env.owner.session, '/');
});
after(() => env.close());

const path = () => new URL(page.url()).pathname;

describe('keys in the web app', () => {
  test('a board tile links to /b/KEY; the card front shows the key; opening a card puts its key in the address and the panel', async () => {
    await page.locator('.board-tile-link', { hasText: 'Web' }).click();
    await waitForBoard(page);
    assert.equal(path(), '/b/WEB');
    const front = page.locator(`[data-card-id="${card.id}"]`);
    assert.equal(await front.locator('.card-key').textContent(), 'WEB-2');
    await front.click();
    await page.locator('.card-panel-key').waitFor();
    assert.equal(path(), '/b/WEB/WEB-2');
    assert.equal(await page.locator('.card-panel-key').textContent(), 'WEB-2');
    await screenshot(page, 'card-key-panel');
    await page.keyboard.press('Escape');
    await page.locator('.card-panel-key').waitFor({ state: 'detached' });
    assert.equal(path(), '/b/WEB', 'closing the panel leaves the card key out of the address');
  });

  test('/b/WEB/WEB-2 on a fresh load opens the card; any case works', async () => {
    await page.goto(new URL('/b/web/web-2', env.server.url).href);
    await page.locator('.card-panel-key').waitFor();
    assert.equal(await page.locator('.card-panel-key').textContent(), 'WEB-2');
  });

  test('an old key still opens the card after it moved to another board', async () => {
    const other = (await env.owner.api.post('/xapi2/data/board', { body: { name: 'Ops', key: 'OPS' } })).body;
    const moved = (await env.owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { board_id: other.id } })).body;
    assert.equal(moved.key, 'OPS-1');
    await page.goto(new URL('/b/OPS/WEB-2', env.server.url).href);
    await page.locator('.card-panel-key').waitFor();
    assert.equal(await page.locator('.card-panel-key').textContent(), 'OPS-1');
  });

  test('old addresses still work: /boards/<id>?card=<id>', async () => {
    await page.goto(new URL(`/boards/${board.id}`, env.server.url).href);
    await waitForBoard(page);
    const first = await page.locator('.card-key').first().textContent();
    assert.equal(first, 'WEB-1');
    const original = (await env.owner.api.get('/xapi2/data/card/WEB-1')).body;
    await page.goto(new URL(`/boards/${board.id}?card=${original.id}`, env.server.url).href);
    await page.locator('.card-panel-key').waitFor();
    assert.equal(await page.locator('.card-panel-key').textContent(), 'WEB-1');
  });

  test('an unknown board key says so', async () => {
    await page.goto(new URL('/b/NOPE', env.server.url).href);
    await page.getByText('No board NOPE').waitFor();
  });
});
