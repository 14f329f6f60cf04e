/**
 * Checklists and member assignees in a real browser: items added, renamed, reordered and ticked in
 * the card panel (each saved at once), progress and avatars on the card front, two members picked,
 * the "Me" assignee filter, a free-text assignee shown as unmatched, and another person's tick
 * arriving live in the open panel.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { userCreator } from '../../server/src/commands/user-creator.js';
import { client, newContext, openSignedIn, request, screenshot, setup, waitForBoard } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let context: BrowserContext;
let page: Page;
let grace: { id: string; api: ReturnType<typeof client> };
let boardId: string;
let cardId: string;

before(async () => {
  env = await setup();
  const password = 'correct horse battery';
  const made = await userCreator(env.server.store, { email: `grace-${Date.now()}@example.com`, name: 'Grace Hopper', password, role: 'member', workspace: env.owner.workspace.slug });
  const login = await request(env.server, 'POST', '/xapi2/auth/login', { body: { email: made.user.email, password } });
  grace = { id: made.user.id, api: client(env.server, login.body.access_token) };

  const api = env.owner.api;
  boardId = (await api.post('/xapi2/data/board', { body: { name: 'Launch' } })).body.id;
  cardId = (await api.post('/xapi2/data/card', { body: { title: 'Plan the launch', board_id: boardId, status: 'todo' } })).body.id;
  await api.post('/xapi2/data/card', { body: { title: 'Order the cake', board_id: boardId, status: 'todo', assignees: [grace.id] } });
  await api.post('/xapi2/data/card', { body: { title: 'Old import', board_id: boardId, status: 'review', assignee: 'the design team' } });

  context = await newContext(env.browser);
  page = await openSignedIn(context, env.server, env.owner.session, `/boards/${boardId}`);
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await waitForBoard(page);
});
after(() => env?.close());

const card = (title: string) => page.locator('.card', { hasText: title });
const stored = async () => (await env.owner.api.get(`/xapi2/data/card/${cardId}`)).body;
const checklistOf = async () => ((await stored()).data.checklist ?? []).map((i: { text: string; done: boolean }) => `${i.done ? '[x]' : '[ ]'} ${i.text}`);

/** Runs a checklist action and waits for the save it makes (each change is saved on its own). */
async function saving(action: () => Promise<unknown>): Promise<void> {
  const response = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/data/card/${cardId}`));
  await action();
  assert.equal((await response).status(), 200);
}

test('checklist items are added, renamed, reordered and ticked in the panel, and saved as they change', async () => {
  await card('Plan the launch').click();
  const panel = page.getByRole('dialog');
  const newItem = panel.getByLabel('New checklist item');
  for (const text of ['Draft the post', 'Review', 'Publish']) {
    await newItem.fill(text);
    await saving(() => newItem.press('Enter'));
  }
  assert.deepEqual(await checklistOf(), ['[ ] Draft the post', '[ ] Review', '[ ] Publish']);

  const review = panel.getByLabel('Item text: Review');
  await review.fill('Review with legal');
  await saving(() => review.press('Enter'));
  assert.deepEqual(await checklistOf(), ['[ ] Draft the post', '[ ] Review with legal', '[ ] Publish']);

  // Escape puts a half-typed rename back and leaves the panel open.
  const draft = panel.getByLabel('Item text: Draft the post');
  await draft.fill('Nonsense');
  await draft.press('Escape');
  assert.equal(await draft.inputValue(), 'Draft the post');
  assert.equal(await panel.isVisible(), true);

  await saving(() => panel.getByRole('button', { name: 'Move up: Publish' }).click());
  assert.deepEqual(await checklistOf(), ['[ ] Draft the post', '[ ] Publish', '[ ] Review with legal']);

  await saving(() => panel.getByLabel('Done: Draft the post').check());
  await saving(() => panel.getByLabel('Done: Publish').check());
  assert.deepEqual(await checklistOf(), ['[x] Draft the post', '[x] Publish', '[ ] Review with legal']);
  await panel.locator('.checklist-head .checklist-count', { hasText: '2/3' }).waitFor();
  await screenshot(page, 'card-checklist-panel');

  // Another person ticks the last item: the open panel shows it, and the next tick here builds on it.
  const now = await stored();
  const ticked = now.data.checklist.map((i: { text: string }) => (i.text === 'Review with legal' ? { ...i, done: true } : i));
  assert.equal((await grace.api.patch(`/xapi2/data/card/${cardId}`, { body: { checklist: ticked }, headers: { 'if-match': String(now.version) } })).status, 200);
  await page.waitForFunction(() => (document.querySelector('[aria-label="Done: Review with legal"]') as HTMLInputElement | null)?.checked === true);
  await saving(() => panel.getByLabel('Done: Publish').uncheck());
  assert.deepEqual(await checklistOf(), ['[x] Draft the post', '[ ] Publish', '[x] Review with legal']);
  await saving(() => panel.getByRole('button', { name: 'Remove: Publish' }).click());
  assert.deepEqual(await checklistOf(), ['[x] Draft the post', '[x] Review with legal']);
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await card('Plan the launch').locator('.checklist-complete .checklist-count', { hasText: '2/2' }).waitFor();
});

test('a tick on a card someone else changed a moment before is refused (412), and the list shows their version', async () => {
  await card('Plan the launch').click();
  const panel = page.getByRole('dialog');
  const path = `**/xapi2/data/card/${cardId}`;
  // Grace's write lands between this tick being made and it reaching the server (the panel sends
  // nothing else to this address before the tick).
  await page.route(path, async (route) => {
    assert.equal(route.request().method(), 'PATCH');
    const now = await stored();
    const added = await grace.api.patch(`/xapi2/data/card/${cardId}`, {
      body: { checklist: [...now.data.checklist, { text: 'Added by Grace' }] },
      headers: { 'if-match': String(now.version) },
    });
    assert.equal(added.status, 200);
    await route.continue();
  }, { times: 1 });
  const response = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/data/card/${cardId}`));
  await panel.getByLabel('Done: Draft the post').uncheck();
  assert.equal((await response).status(), 412);
  await panel.getByRole('alert').filter({ hasText: 'Someone else changed this card just now' }).waitFor();
  await panel.getByLabel('Item text: Added by Grace').waitFor();
  assert.equal(await panel.getByLabel('Done: Draft the post').isChecked(), true, 'the refused untick is not shown as saved');
  assert.deepEqual(await checklistOf(), ['[x] Draft the post', '[x] Review with legal', '[ ] Added by Grace']);
  await screenshot(page, 'card-checklist-conflict');
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
});

test('two members are picked as assignees; their avatars show on the card; the free-text one shows as unmatched', async () => {
  await card('Plan the launch').click();
  const panel = page.getByRole('dialog');
  const picker = panel.getByRole('group', { name: 'Assignees' });
  // Only members are offered: the owner (first, as "you") and Grace.
  assert.deepEqual(await picker.locator('.member-option > span:not(.avatar)').allTextContents(), [
    `${env.owner.user.name} (you)`,
    'Grace Hopper',
  ]);
  await picker.getByLabel(`${env.owner.user.name} (you)`).check();
  await picker.getByLabel('Grace Hopper').check();
  // A card without free text offers no free-text assignee field.
  assert.equal(await panel.getByLabel('Unmatched assignee').count(), 0);
  await panel.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.deepEqual((await stored()).data.assignees, [env.owner.user.id, grace.id]);

  const avatars = card('Plan the launch').locator('.card-assignees .avatar');
  await avatars.nth(1).waitFor();
  assert.deepEqual(await avatars.evaluateAll((els) => els.map((e) => e.getAttribute('title'))), [env.owner.user.name, 'Grace Hopper']);
  assert.match((await card('Plan the launch').locator('.card-assignees .visually-hidden').textContent()) ?? '', /Assigned to .*, Grace Hopper/);
  await card('Old import').locator('.card-unmatched').waitFor();
  assert.equal(await card('Old import').locator('.card-unmatched').getAttribute('title'), 'the design team (not a member)');
  await screenshot(page, 'board-checklist-avatars');

  // The old free text is offered (labelled unmatched) only on the card that has it.
  await card('Old import').click();
  assert.equal(await page.getByRole('dialog').getByLabel('Unmatched assignee').inputValue(), 'the design team');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
});

test('the "Me" assignee filter shows the cards assigned to the signed-in person, and lives in the address', async () => {
  await page.getByRole('search').getByLabel('Assignee').selectOption('me');
  await page.waitForURL(/assignee=me/);
  await card('Order the cake').waitFor({ state: 'detached' });
  await card('Plan the launch').waitFor();
  assert.equal(await card('Old import').count(), 0);
  await screenshot(page, 'board-filter-me');

  // Grace's "Me" is Grace: her card, and the one she shares.
  const theirs = await openSignedIn(await newContext(env.browser), env.server, grace.api.token!, `/boards/${boardId}?assignee=me`);
  await waitForBoard(theirs);
  await theirs.locator('.card', { hasText: 'Order the cake' }).waitFor();
  await theirs.locator('.card', { hasText: 'Plan the launch' }).waitFor();
  assert.equal(await theirs.locator('.card', { hasText: 'Old import' }).count(), 0);
  await theirs.context().close();

  // The unmatched text is a choice of its own.
  await page.getByRole('search').getByLabel('Assignee').selectOption({ label: 'Assignee: the design team (unmatched)' });
  await card('Old import').waitFor();
  assert.equal(await card('Plan the launch').count(), 0);
});
