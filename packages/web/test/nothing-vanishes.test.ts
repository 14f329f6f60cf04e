/**
 * Nothing vanishes from view (issue 13), in real Chromium: archived cards are shown and restored
 * on the board; cards without a board wait in the Inbox; opening a card and changing filters are
 * history entries; unsaved edits are asked about or kept as a draft; the trash nests a deleted
 * board's cards; the panel heading follows live changes; stale errors go once the server is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { newContext, openSignedIn, screenshot, setup, waitForBoard } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let page: Page;
let boardId: string;
const ids: Record<string, string> = {};

const api = () => env.owner.api;
const url = (path: string) => new URL(path, env.server.url).href;
const card = (title: string) => page.locator('.card', { hasText: title });
const panel = () => page.getByRole('dialog');
const here = () => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

async function addCard(title: string, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await api().post('/xapi2/data/card', { body: { title, board_id: boardId, status: 'todo', ...fields } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  ids[title] = res.body.id;
  return res.body.id;
}

before(async () => {
  env = await setup({ eventsHeartbeatMs: 1000 });
  boardId = (await api().post('/xapi2/data/board', { body: { name: 'Launch', accent: 'violet' } })).body.id;
  for (const [title, priority] of [['Alpha', 'high'], ['Bravo', 'low'], ['Charlie', 'high']]) await addCard(title, { priority });
  page = await openSignedIn(await newContext(env.browser), env.server, env.owner.session, `/boards/${boardId}`);
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await waitForBoard(page);
});
after(async () => {
  await env?.close();
});

describe('archived cards', () => {
  test('"Show archived" lists the board’s archived cards, and Restore puts one back in its column', async () => {
    const archived = await addCard('Old idea');
    await api().patch(`/xapi2/data/card/${archived}`, { body: { is_archived: true } });
    await page.reload();
    await waitForBoard(page);
    assert.equal(await card('Old idea').count(), 0, 'archived cards are not on the board');

    await page.getByRole('button', { name: 'Show archived' }).click();
    const list = page.getByRole('list', { name: 'Archived cards' });
    await list.getByText('Old idea').waitFor();
    assert.match(here(), /archived=1/);
    await screenshot(page, 'board-archived');

    // A card archived elsewhere (here through the API) appears in the list live.
    await api().patch(`/xapi2/data/card/${ids.Bravo}`, { body: { is_archived: true } });
    await list.getByText('Bravo').waitFor();

    await page.getByRole('button', { name: 'Restore Old idea' }).click();
    await list.getByText('Old idea').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Close' }).click();
    await card('Old idea').waitFor();
    assert.equal((await api().get(`/xapi2/data/card/${archived}`)).body.is_archived, false);
    assert.doesNotMatch(here(), /archived/);
    await api().patch(`/xapi2/data/card/${ids.Bravo}`, { body: { is_archived: false } });
    await card('Bravo').waitFor();
  });
});

describe('cards without a board: the Inbox', () => {
  test('a card saved with Board set to None, and one created through the API without a board, are in the Inbox and can be moved onto a board', async () => {
    const loose = (await api().post('/xapi2/data/card', { body: { title: 'Made by an assistant' } })).body;
    await card('Charlie').click();
    await panel().getByLabel('Board', { exact: true }).selectOption('');
    await panel().getByRole('button', { name: 'Save' }).click();
    await page.locator('.toast', { hasText: 'has no board now, so it waits in the Inbox' }).waitFor();
    await card('Charlie').waitFor({ state: 'detached' });

    await page.locator('.toast').getByRole('button', { name: 'Open the Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const inbox = page.getByRole('list', { name: 'Cards without a board' });
    const list = { getByText: (title: string) => inbox.locator('.list-title', { hasText: title }) };
    await list.getByText('Made by an assistant').waitFor();
    await list.getByText('Charlie').waitFor();
    await screenshot(page, 'inbox');

    // A card created elsewhere without a board arrives live.
    await api().post('/xapi2/data/card', { body: { title: 'Another loose card' } });
    await list.getByText('Another loose card').waitFor();

    await page.getByLabel('Move “Made by an assistant” to a board').selectOption({ label: 'Launch' });
    await list.getByText('Made by an assistant').waitFor({ state: 'detached' });
    const moved = (await api().get(`/xapi2/data/card/${loose.id}`)).body;
    assert.equal(moved.data.board_id, boardId);
    assert.equal(moved.data.status, 'todo', 'a status the board does not have becomes its first column');

    await page.getByRole('link', { name: 'Boards', exact: true }).click();
    await page.getByRole('link', { name: /Launch/ }).click();
    await waitForBoard(page);
    await card('Made by an assistant').waitFor();
    await api().patch(`/xapi2/data/card/${ids.Charlie}`, { body: { board_id: boardId, status: 'todo' } });
    await card('Charlie').waitFor();
  });
});

describe('on a phone (390 px)', () => {
  test('the Inbox and the archived list fit without sideways scrolling', async () => {
    await api().post('/xapi2/data/card', { body: { title: 'A loose card with a rather long title that must wrap on a phone' } });
    const phone = await openSignedIn(await newContext(env.browser, { width: 390, height: 844 }), env.server, env.owner.session, '/inbox');
    const overflow = () => phone.evaluate(() => Math.max(...[document.documentElement, ...Array.from(document.querySelectorAll('.main, .dialog'))].map((el) => el.scrollWidth - el.clientWidth)));
    await phone.getByRole('list', { name: 'Cards without a board' }).waitFor();
    assert.equal(await overflow(), 0, 'the Inbox');
    await screenshot(phone, 'inbox-phone');
    await phone.goto(url(`/boards/${boardId}?archived=1`));
    await phone.getByRole('dialog').getByText('No archived cards').or(phone.getByRole('list', { name: 'Archived cards' })).waitFor();
    assert.equal(await overflow(), 0, 'the archived list');
    await phone.context().close();
  });
});

describe('history', () => {
  test('changing a filter and opening a card are history entries: Back closes the card, then clears the filter, then leaves the board', async () => {
    await page.goto(url('/'));
    await page.getByRole('link', { name: /Launch/ }).click();
    await waitForBoard(page);
    const board = here();
    await page.locator('select', { has: page.locator('option', { hasText: 'Priority: any' }) }).selectOption('high');
    await page.waitForFunction(() => location.search.includes('priority=high'));
    await card('Bravo').waitFor({ state: 'detached' });
    const filtered = here();

    await card('Alpha').click();
    await panel().waitFor();
    assert.match(here(), /card=|^\/b\/[A-Z0-9]+\/[A-Z0-9]+-\d+/, 'the card is in the address (by id, or by key under /b/)');

    await page.goBack();
    await panel().waitFor({ state: 'detached' });
    assert.equal(here(), filtered, 'Back closes the card and keeps the filter');

    // Closing with × goes back rather than adding an entry.
    await card('Alpha').click();
    await panel().getByRole('button', { name: 'Close' }).click();
    await panel().waitFor({ state: 'detached' });
    assert.equal(here(), filtered);

    await page.goBack();
    await page.waitForFunction(() => !location.search.includes('priority'));
    assert.equal(here(), board);
    await card('Bravo').waitFor();

    await page.goBack();
    await page.waitForFunction(() => location.pathname === '/');
  });
});

describe('unsaved card edits', () => {
  test('Escape, × and Cancel ask before throwing edits away', async () => {
    await page.goto(url(`/boards/${boardId}`));
    await waitForBoard(page);
    await card('Alpha').click();
    const title = panel().getByLabel('Title');
    await title.fill('Alpha, half-edited');

    await page.keyboard.press('Escape');
    await page.getByTestId('discard-question').waitFor();
    await screenshot(page, 'card-discard-question');
    assert.equal(await title.inputValue(), 'Alpha, half-edited', 'the edits are still there');
    await page.getByRole('button', { name: 'Keep editing' }).click();
    await page.getByTestId('discard-question').waitFor({ state: 'detached' });

    await panel().getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('discard-question').waitFor();
    await page.getByRole('button', { name: 'Keep editing' }).click();

    await panel().getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await panel().waitFor({ state: 'detached' });
    assert.equal((await api().get(`/xapi2/data/card/${ids.Alpha}`)).body.data.title, 'Alpha');

    // Without edits, Escape closes at once.
    await card('Alpha').click();
    await panel().waitFor();
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });
  });

  test('a reload keeps the edits as a draft; Back keeps them too and says so; saving forgets the draft', async () => {
    await card('Alpha').click();
    await panel().getByLabel('Description').fill('Notes typed before a reload');
    await page.reload();
    await panel().waitFor();
    await page.getByTestId('draft-restored').waitFor();
    assert.equal(await panel().getByLabel('Description').inputValue(), 'Notes typed before a reload');
    await screenshot(page, 'card-draft-restored');

    await page.goBack();
    await panel().waitFor({ state: 'detached' });
    const toast = page.locator('.toast', { hasText: 'are kept as a draft' });
    await toast.waitFor();
    await toast.getByRole('button', { name: 'Open card' }).click();
    await page.getByTestId('draft-restored').waitFor();
    assert.equal(await panel().getByLabel('Description').inputValue(), 'Notes typed before a reload');

    await panel().getByRole('button', { name: 'Save' }).click();
    await panel().waitFor({ state: 'detached' });
    assert.equal((await api().get(`/xapi2/data/card/${ids.Alpha}`)).body.data.description, 'Notes typed before a reload');
    assert.equal(await page.evaluate((id) => sessionStorage.getItem(`prodboard.draft.card.${id}`), ids.Alpha), null);
    await card('Alpha').click();
    assert.equal(await page.getByTestId('draft-restored').count(), 0);
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });
  });

  test('a draft made against an older version meets the newer card as a conflict, never overwriting it silently', async () => {
    await card('Bravo').click();
    await panel().getByLabel('Description').fill('My draft');
    await page.goBack();
    await panel().waitFor({ state: 'detached' });
    await api().patch(`/xapi2/data/card/${ids.Bravo}`, { body: { description: 'Their change' } });
    await page.reload();
    await waitForBoard(page);
    await card('Bravo').click();
    await panel().getByText('This card changed while you were editing it').waitFor();
    assert.equal(await panel().getByLabel('Description').inputValue(), 'My draft');
    await panel().getByRole('button', { name: 'Use their version' }).click();
    assert.equal(await panel().getByLabel('Description').inputValue(), 'Their change');
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });
  });
});

describe('the card panel heading', () => {
  test('follows a rename made elsewhere while the card is open', async () => {
    await card('Bravo').click();
    await panel().getByRole('heading', { name: 'Bravo' }).waitFor();
    await api().patch(`/xapi2/data/card/${ids.Bravo}`, { body: { title: 'Bravo, renamed by a teammate' } });
    await panel().getByRole('heading', { name: 'Bravo, renamed by a teammate' }).waitFor();
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });
  });
});

describe('the trash', () => {
  test('a deleted board’s cards are nested under it, and say what to do instead of offering a restore that fails', async () => {
    const doomed = (await api().post('/xapi2/data/board', { body: { name: 'Retired project' } })).body.id;
    const early = (await api().post('/xapi2/data/card', { body: { title: 'Deleted before its board', board_id: doomed } })).body.id;
    const withIt = (await api().post('/xapi2/data/card', { body: { title: 'Went with its board', board_id: doomed } })).body.id;
    await api().delete(`/xapi2/data/card/${early}`);
    await api().delete(`/xapi2/data/board/${doomed}`);

    await page.goto(url('/trash'));
    const group = page.getByRole('list', { name: 'Cards of Retired project' });
    await group.getByText('Went with its board').waitFor();
    await group.getByText('Deleted before its board').waitFor();
    await group.getByText('Comes back when you restore the board.').waitFor();
    await group.getByText('Restore the board first, then this card.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Restore Went with its board' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Restore Deleted before its board' }).count(), 0);
    await screenshot(page, 'trash-grouped');

    await page.getByRole('button', { name: 'Restore Retired project' }).click();
    await page.locator('.toast', { hasText: 'Restored “Retired project” with 1 card' }).waitFor();
    // The card deleted before the board is on its own now, and restores.
    await page.getByRole('button', { name: 'Restore Deleted before its board' }).click();
    await page.locator('.toast', { hasText: 'Restored “Deleted before its board”' }).waitFor();
    assert.equal((await api().get(`/xapi2/data/card/${early}`)).status, 200);
    assert.equal((await api().get(`/xapi2/data/card/${withIt}`)).status, 200);
  });
});

describe('stale errors', () => {
  test('a board that failed to load while the server was unreachable loads once it is back; the banner goes', async () => {
    await page.goto(url('/'));
    await page.getByRole('heading', { name: 'Boards' }).waitFor();
    // The API's calls fail on the network (the live stream, already open, stays up).
    const unreachable = /\/xapi2\/(data|health)/;
    await page.route(unreachable, (route) => route.abort('failed'));
    await page.getByRole('link', { name: /Launch/ }).click();
    const error = page.locator('.form-error', { hasText: 'could not be reached' });
    await error.waitFor();
    await page.getByTestId('connection-banner').getByText('Connection lost.').waitFor();
    await screenshot(page, 'board-unreachable');

    await page.unroute(unreachable);
    await error.waitFor({ state: 'detached' });
    await waitForBoard(page);
    await card('Alpha').waitFor();
    await page.getByTestId('connection-banner').waitFor({ state: 'detached' });
  });
});
