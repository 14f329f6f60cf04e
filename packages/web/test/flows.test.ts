/**
 * The web app in a real browser, as a person uses it: first-run setup through the one-time link,
 * signing in, a board with columns and cards, dragging a card and finding it there after a reload,
 * moving one with the keyboard, the server's validation messages at the fields, the trash, and the
 * columns' WIP limits and filters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { issueSetupToken } from '../../server/src/operations/setup.js';
import { client, columnTitles, launchBrowser, newContext, screenshot, startServer, waitForBoard, type TestServer } from './helpers.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let session: string;
let boardId: string;
const email = 'ada@example.com';
const password = 'correct horse battery';

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const url = (path: string) => new URL(path, server.url).href;
const api = () => client(server, session);

/** The card element with this title. */
const card = (title: string) => page.locator('.card', { hasText: title });

describe('first run and signing in', () => {
  test('the one-time setup link creates the owner account and signs in; the link then says it is used', async () => {
    const token = await issueSetupToken(server.store);
    assert.ok(token);
    await page.goto(url(`/setup#token=${token}`));
    await page.getByRole('heading', { name: 'Create the owner account' }).waitFor();
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill('not an email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    // The server's messages appear at their fields, and what was typed stays.
    await page.locator('.field-error', { hasText: 'email must be an address' }).waitFor();
    await page.locator('.field-error', { hasText: 'password must be' }).waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), 'not an email');
    assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'setup-errors');

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'No boards yet' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the used token leaves the address bar');
    session = (await page.evaluate(() => localStorage.getItem('prodboard.session')))!;
    assert.match(session, /^ses_/);
    await screenshot(page, 'boards-empty');

    await page.goto(url(`/setup#token=${token}`));
    await page.getByRole('heading', { name: 'Already set up' }).waitFor();
  });

  test('signing out, a wrong password, then signing in back to where one was going', async () => {
    await page.goto(url('/'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal((await client(server, session).get('/xapi2/auth/me')).status, 401, 'signing out ends the session on the server');

    await page.goto(url('/trash'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'email or password is wrong' }).waitFor();
    await screenshot(page, 'login-error');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Trash', exact: true }).waitFor();
    session = (await page.evaluate(() => localStorage.getItem('prodboard.session')))!;
  });
});

describe('the boards list', () => {
  test('a board is archived, found again under Show archived, unarchived; a deleted one comes back with Undo', async () => {
    await api().post('/xapi2/data/board', { body: { name: 'Old launch', accent: 'slate', description: 'Last year’s site.', tags: ['2025'] } });
    await page.goto(url('/'));
    const tile = page.locator('.board-tile', { hasText: 'Old launch' });
    await tile.getByRole('button', { name: 'Actions for Old launch' }).click();
    await page.getByRole('menuitem', { name: 'Archive' }).click();
    await tile.waitFor({ state: 'detached' });
    await page.getByLabel('Show archived').check();
    await tile.waitFor();
    await page.getByRole('heading', { name: 'Archived boards' }).waitFor();
    await tile.getByRole('button', { name: 'Actions for Old launch' }).click();
    await page.getByRole('menuitem', { name: 'Unarchive' }).click();
    await tile.waitFor({ state: 'detached' });
    await page.getByLabel('Show archived').uncheck();
    await tile.waitFor();

    await tile.getByRole('button', { name: 'Actions for Old launch' }).click();
    await page.getByRole('menuitem', { name: 'Move to trash' }).click();
    await tile.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Undo' }).click();
    await tile.waitFor();
    const stored = (await api().get('/xapi2/data/board', { query: { q: 'Old launch' } })).body.data[0];
    assert.equal(stored.is_archived, false);
    assert.equal(stored.is_deleted, false);
  });
});

describe('a board with columns and cards', () => {
  test('a new board is created from the dialog, with an accent and tags, and opens', async () => {
    await page.goto(url('/'));
    await page.getByRole('button', { name: 'New board' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New board' });
    await dialog.getByLabel('Name').fill('Website launch');
    await dialog.getByLabel('Description').fill('Everything for the new marketing site.');
    await dialog.getByLabel('Tags').fill('web, q4');
    await dialog.getByRole('radio', { name: 'emerald' }).check();
    await screenshot(page, 'board-create');
    await dialog.getByRole('button', { name: 'Create board' }).click();
    await page.getByRole('heading', { name: 'Website launch', level: 1 }).waitFor();
    boardId = new URL(page.url()).pathname.split('/').pop()!;
    const board = (await api().get(`/xapi2/data/board/${boardId}`)).body;
    assert.equal(board.data.accent, 'emerald');
    assert.deepEqual(board.data.tags, ['web', 'q4']);
    assert.deepEqual(board.data.columns.map((c: { key: string }) => c.key), ['todo', 'in_progress', 'review', 'done']);
  });

  test('cards are added at the end of a column with the quick add', async () => {
    await waitForBoard(page);
    const todo = page.locator('[data-column-key="todo"]');
    await todo.getByRole('button', { name: 'Add card' }).click();
    const input = todo.getByLabel('Title of the new card in To do');
    for (const title of ['Write the landing copy', 'Pick the hero image', 'Set up analytics']) {
      await input.fill(title);
      await input.press('Enter');
      await card(title).waitFor();
    }
    // An empty title gets the server's message under the box, and the box stays open.
    await input.fill('   ');
    await input.press('Enter');
    await todo.locator('.field-error', { hasText: 'title must not be empty' }).waitFor();
    await input.press('Escape');
    await page.locator('[data-column-key="in_progress"]').getByRole('button', { name: 'Add card' }).click();
    await page.getByLabel('Title of the new card in In progress').fill('Build the pricing page');
    await page.getByLabel('Title of the new card in In progress').press('Enter');
    await card('Build the pricing page').waitFor();
    assert.deepEqual(await columnTitles(page, 'todo'), ['Write the landing copy', 'Pick the hero image', 'Set up analytics']);
  });

  test('a card dragged to another column lands where it was dropped and is still there after a reload', async () => {
    const source = card('Pick the hero image');
    const target = card('Build the pricing page');
    const from = (await source.boundingBox())!;
    const to = (await target.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2 + 20, from.y + from.height / 2 + 5, { steps: 4 });
    // Above the middle of the pricing card: the drop line goes before it.
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/xapi2/data/card/'));
    await page.mouse.move(to.x + to.width / 2, to.y + 10, { steps: 12 });
    await page.locator('[data-column-key="in_progress"] .drop-line').waitFor();
    await page.mouse.up();
    assert.equal((await saved).status(), 200);
    assert.deepEqual(await columnTitles(page, 'in_progress'), ['Pick the hero image', 'Build the pricing page']);

    await page.reload();
    await waitForBoard(page);
    assert.deepEqual(await columnTitles(page, 'in_progress'), ['Pick the hero image', 'Build the pricing page']);
    assert.deepEqual(await columnTitles(page, 'todo'), ['Write the landing copy', 'Set up analytics']);
    await screenshot(page, 'board');
  });

  test('a card moves with the keyboard, and focus stays on it', async () => {
    await card('Set up analytics').focus();
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.keyboard.press('Shift+ArrowRight');
    assert.equal((await saved).status(), 200);
    assert.deepEqual(await columnTitles(page, 'in_progress'), ['Pick the hero image', 'Set up analytics', 'Build the pricing page']);
    await page.waitForFunction(() => document.activeElement?.textContent?.includes('Set up analytics'));
    const moved = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.keyboard.press('Shift+ArrowUp');
    await moved;
    assert.deepEqual(await columnTitles(page, 'in_progress'), ['Set up analytics', 'Pick the hero image', 'Build the pricing page']);
    await page.getByRole('status').filter({ hasText: 'Moved “Set up analytics” to In progress, position 1 of 3' }).waitFor();
    // Arrow keys alone move the focus, not the card.
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(() => document.activeElement?.textContent?.includes('Pick the hero image'));
    const cards = (await api().get('/xapi2/data/card', { query: { data__board_id: boardId, data__status: 'in_progress' } })).body.data;
    assert.deepEqual(cards.map((c: { data: { title: string } }) => c.data.title), ['Set up analytics', 'Pick the hero image', 'Build the pricing page']);
  });

  test('the card panel edits every field and shows the server’s messages at the fields, keeping what was typed', async () => {
    await card('Write the landing copy').click();
    const panel = page.getByRole('dialog');
    await panel.getByLabel('Title').waitFor();
    // Every field of the manifest's card update_fields has a control.
    for (const label of ['Title', 'Description', 'Status', 'Priority', 'Tags', 'Due date', 'Board']) {
      assert.equal(await panel.getByLabel(label, { exact: true }).count(), 1, `a control for ${label}`);
    }
    // Assignees are picked among members; the checklist has its own editor (checklist.test.ts).
    assert.equal(await panel.getByRole('group', { name: 'Assignees' }).count(), 1);
    assert.equal(await panel.getByLabel('New checklist item').count(), 1);
    await panel.getByText('More fields').click();
    assert.equal(await panel.getByLabel('Position', { exact: true }).count(), 1);

    await panel.getByLabel('Title', { exact: true }).fill('');
    await panel.getByLabel('Due date', { exact: true }).fill('next tuesday');
    await panel.getByLabel('Priority', { exact: true }).selectOption('high');
    await panel.getByRole('button', { name: 'Save' }).click();
    const dueError = panel.locator('.field-error', { hasText: 'ISO 8601' });
    await dueError.waitFor();
    await panel.locator('.field-error', { hasText: 'title must not be empty' }).waitFor();
    assert.equal(await panel.getByLabel('Due date', { exact: true }).inputValue(), 'next tuesday');
    assert.equal(await panel.getByLabel('Priority', { exact: true }).inputValue(), 'high');
    // Focus moves to the first problem (a frame after the messages appear).
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
    await screenshot(page, 'card-panel-errors');

    await panel.getByLabel('Title', { exact: true }).fill('Write the landing copy');
    await panel.getByLabel('Due date', { exact: true }).fill('2031-03-14');
    await panel.getByRole('group', { name: 'Assignees' }).getByLabel('Ada Lovelace (you)').check();
    await panel.getByLabel('Tags', { exact: true }).fill('copy, web');
    await panel.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const stored = (await api().get('/xapi2/data/card', { query: { data__board_id: boardId, q: 'landing' } })).body.data[0];
    assert.equal(stored.data.due_date, '2031-03-14');
    assert.equal(stored.data.priority, 'high');
    assert.deepEqual(stored.data.assignees, [(await api().get('/xapi2/auth/me')).body.id]);
    assert.deepEqual(stored.data.tags, ['copy', 'web']);
    await card('Write the landing copy').locator('.pill-high').waitFor();
  });

  test('a deleted card waits in the trash and comes back to its column', async () => {
    await card('Build the pricing page').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await card('Build the pricing page').waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'moved to the trash' }).waitFor();

    await page.getByRole('link', { name: 'Trash' }).click();
    const row = page.locator('.list-row', { hasText: 'Build the pricing page' });
    await row.waitFor();
    await screenshot(page, 'trash');
    await row.getByRole('button', { name: 'Restore Build the pricing page' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Restored “Build the pricing page”' }).waitFor();

    await page.goto(url(`/boards/${boardId}`));
    await waitForBoard(page);
    assert.deepEqual(await columnTitles(page, 'in_progress'), ['Set up analytics', 'Pick the hero image', 'Build the pricing page']);
  });

  test('columns are added, renamed and reordered; a WIP limit shows when exceeded; the server’s refusals are shown', async () => {
    await page.getByRole('button', { name: 'Add column' }).click();
    await page.getByLabel('New column').fill('Blocked');
    await page.getByLabel('New column').press('Enter');
    await page.locator('[data-column-key="blocked"]').waitFor();

    const progress = page.locator('[data-column-key="in_progress"]');
    await progress.getByRole('button', { name: 'Actions for column In progress' }).click();
    await page.getByRole('menuitem', { name: 'Set WIP limit' }).click();
    await progress.getByLabel('WIP limit (empty for none)').fill('zero');
    await progress.getByLabel('WIP limit (empty for none)').press('Enter');
    await progress.locator('.field-error', { hasText: 'wip_limit must be a whole number' }).waitFor();
    await progress.getByLabel('WIP limit (empty for none)').fill('2');
    await progress.getByLabel('WIP limit (empty for none)').press('Enter');
    await progress.locator('.wip-warning', { hasText: 'Over the WIP limit of 2' }).waitFor();
    assert.match((await progress.locator('.count').textContent())!, /3\s*\/\s*2/);

    await progress.getByRole('button', { name: 'In progress', exact: true }).click();
    await progress.getByLabel('Column name').fill('Doing');
    await progress.getByLabel('Column name').press('Enter');
    await progress.getByRole('button', { name: 'Doing', exact: true }).waitFor();

    await progress.getByRole('button', { name: 'Actions for column Doing' }).click();
    await page.getByRole('menuitem', { name: 'Move left' }).click();
    await page.waitForFunction(() => document.querySelector('.column')?.getAttribute('data-column-key') === 'in_progress');

    // A column that still holds cards cannot go: the server says why.
    await progress.getByRole('button', { name: 'Actions for column Doing' }).click();
    await page.getByRole('menuitem', { name: 'Delete column' }).click();
    await progress.locator('.field-error', { hasText: 'still hold 3 card(s)' }).waitFor();
    const board = (await api().get(`/xapi2/data/board/${boardId}`)).body;
    assert.deepEqual(
      board.data.columns.map((c: { key: string; name: string; wip_limit?: number }) => [c.key, c.name, c.wip_limit ?? null]),
      [['in_progress', 'Doing', 2], ['todo', 'To do', null], ['review', 'Review', null], ['done', 'Done', null], ['blocked', 'Blocked', null]],
    );
    await screenshot(page, 'board-columns');
    await page.getByRole('link', { name: 'Boards' }).click();
    await page.locator('.board-tile', { hasText: 'Website launch' }).waitFor();
    await screenshot(page, 'boards');
    await page.goBack();
    await waitForBoard(page);
  });

  test('quick filters and search narrow the cards and live in the address', async () => {
    await page.getByLabel('Priority').selectOption('high');
    await page.waitForFunction(() => document.querySelectorAll('.card').length === 1);
    assert.match(page.url(), /priority=high/);
    await page.getByText('1 of 4 cards').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.card').length === 4);

    await page.getByLabel('Search cards').fill('hero');
    await page.waitForFunction(() => document.querySelectorAll('.card').length === 1 && document.querySelector('.card')!.textContent!.includes('hero'));
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('.card').length === 1);
    assert.equal(await page.getByLabel('Search cards').inputValue(), 'hero');
    await page.getByRole('button', { name: 'Clear' }).click();
  });
});
