/**
 * Live updates between two people's browsers: a change made in one (or by an assistant through the
 * API) appears in the other without a reload; two people moving the same card end with one
 * consistent board; a lost connection shows a banner and the board catches up when it returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { buildApp } from '../../server/src/app.js';
import { commandContext } from '../../server/src/context.js';
import { objectUpdater } from '../../server/src/commands/object-updater.js';
import { columnTitles, makeToken, newContext, openSignedIn, screenshot, setup, signUp, waitForBoard } from './helpers.js';

let env: Awaited<ReturnType<typeof setup>>;
let alice: Page;
let bob: Page;
let boardId: string;
const ids: Record<string, string> = {};
let restarted: FastifyInstance | undefined;

before(async () => {
  env = await setup({ eventsHeartbeatMs: 1000 });
  const board = (await env.owner.api.post('/xapi2/data/board', { body: { name: 'Team board', accent: 'rose' } })).body;
  boardId = board.id;
  for (const [title, status] of [['Alpha', 'todo'], ['Bravo', 'todo'], ['Charlie', 'todo'], ['Delta', 'review']]) {
    ids[title] = (await env.owner.api.post('/xapi2/data/card', { body: { title, board_id: boardId, status } })).body.id;
  }
  const teammate = await signUp(env.server, { workspace: env.owner.workspace.slug, role: 'member' });
  alice = await openSignedIn(await newContext(env.browser), env.server, env.owner.session, `/boards/${boardId}`);
  bob = await openSignedIn(await newContext(env.browser), env.server, teammate.session, `/boards/${boardId}`);
  await Promise.all([waitForBoard(alice), waitForBoard(bob)]);
});
after(async () => {
  await restarted?.close();
  await env.close();
});

const card = (page: Page, title: string) => page.locator('.card', { hasText: title });

async function drag(page: Page, title: string, column: string) {
  const from = (await card(page, title).boundingBox())!;
  const to = (await page.locator(`[data-column-key="${column}"] .column-body`).boundingBox())!;
  await page.mouse.move(from.x + 40, from.y + 40);
  await page.mouse.down();
  await page.mouse.move(from.x + 60, from.y + 50, { steps: 3 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height - 10, { steps: 10 });
  await page.mouse.up();
}

describe('live updates', () => {
  test('a card added and a card dragged in one browser appear in the other without a reload', async () => {
    await alice.locator('[data-column-key="todo"]').getByRole('button', { name: 'Add card' }).click();
    await alice.getByLabel('Title of the new card in To do').fill('Echo from Alice');
    await alice.getByLabel('Title of the new card in To do').press('Enter');
    await card(bob, 'Echo from Alice').waitFor();

    await drag(alice, 'Alpha', 'done');
    await bob.waitForFunction(() => document.querySelector('[data-column-key="done"]')?.textContent?.includes('Alpha'));
    assert.deepEqual(await columnTitles(bob, 'done'), ['Alpha']);
    assert.deepEqual(await columnTitles(bob, 'todo'), ['Bravo', 'Charlie', 'Echo from Alice']);
    await screenshot(bob, 'board-live');
  });

  test('a change an assistant makes through the API shows up on both boards', async () => {
    const pat = await makeToken(env.server, env.owner, 'board:read,card:write');
    await pat.api.patch(`/xapi2/data/card/${ids.Delta}`, { body: { title: 'Delta, renamed by an assistant', priority: 'critical' } });
    await Promise.all([card(alice, 'Delta, renamed by an assistant').locator('.pill-critical').waitFor(), card(bob, 'Delta, renamed by an assistant').waitFor()]);
  });

  test('when a move respaces a column, open boards show the new order (one respace event, no version bumps)', async () => {
    const api = env.owner.api;
    const add = async (title: string) => (await api.post('/xapi2/data/card', { body: { title, board_id: boardId, status: 'in_progress' } })).body;
    const [foxtrot, golf, hotel] = [await add('Foxtrot'), await add('Golf'), await add('Hotel')];
    // Golf parks a hair below Foxtrot; Hotel then asks for Foxtrot's place: the gap is too small to split.
    assert.equal((await api.patch(`/xapi2/data/card/${golf.id}`, { body: { position: foxtrot.data.position - 1e-7 } })).status, 200);
    const moved = await api.patch(`/xapi2/data/card/${hotel.id}`, { body: { position: foxtrot.data.position } });
    assert.equal(moved.status, 200);
    const listed = (await api.get('/xapi2/data/card', { query: { data__board_id: boardId, data__status: 'in_progress' } })).body.data;
    assert.deepEqual(listed.map((c: { data: { title: string } }) => c.data.title), ['Golf', 'Hotel', 'Foxtrot']);
    assert.equal(listed.find((c: { id: string }) => c.id === foxtrot.id).version, foxtrot.version, 'the respace did not bump Foxtrot');
    for (const page of [alice, bob]) {
      await page.waitForFunction(
        () => Array.from(document.querySelectorAll('[data-column-key="in_progress"] .card-slot'))
          .map((slot) => ({ y: new DOMMatrix(getComputedStyle(slot).transform).m42, title: slot.querySelector('.card-title')!.textContent! }))
          .sort((a, b) => a.y - b.y)
          .map((s) => s.title)
          .join(',') === 'Golf,Hotel,Foxtrot',
        undefined,
        { timeout: 5000 },
      ).catch(async () => assert.fail(`the board shows ${(await columnTitles(page, 'in_progress')).join(', ')}, not Golf, Hotel, Foxtrot`));
    }
  });

  test('two people moving the same card: the later move is refused, said so, and both boards agree', async () => {
    // Hold Bob's move until Alice's has landed, so Bob's copy of the card is stale when it reaches the server.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await bob.route(`**/xapi2/data/card/${ids.Bravo}`, async (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      await held;
      await route.continue();
    });
    await drag(bob, 'Bravo', 'review');
    await drag(alice, 'Bravo', 'in_progress');
    await alice.waitForFunction(() => document.querySelector('[data-column-key="in_progress"]')?.textContent?.includes('Bravo'));
    const refused = bob.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(ids.Bravo));
    release();
    assert.equal((await refused).status(), 412);
    await bob.getByRole('status').filter({ hasText: 'was changed by someone else' }).waitFor();
    await bob.waitForFunction(() => document.querySelector('[data-column-key="in_progress"]')?.textContent?.includes('Bravo'));
    await bob.unroute(`**/xapi2/data/card/${ids.Bravo}`);

    const stored = (await env.owner.api.get(`/xapi2/data/card/${ids.Bravo}`)).body;
    assert.equal(stored.data.status, 'in_progress', 'the first move stands');
    for (const key of ['todo', 'in_progress', 'review', 'done']) {
      assert.deepEqual(await columnTitles(bob, key), await columnTitles(alice, key), `column ${key} agrees`);
    }
    await screenshot(bob, 'board-conflict');
  });

  test('tabs of one browser share one stream; when the tab holding it closes, another takes over', async () => {
    const context = await newContext(env.browser);
    const streams: string[] = [];
    context.on('request', (r) => r.url().includes('/xapi2/events') && streams.push(r.url()));
    const first = await openSignedIn(context, env.server, env.owner.session, `/boards/${boardId}`);
    await waitForBoard(first);
    const second = await first.context().newPage();
    await second.goto(new URL(`/boards/${boardId}`, env.server.url).href);
    await waitForBoard(second);
    await env.owner.api.patch(`/xapi2/data/card/${ids.Delta}`, { body: { title: 'Delta, seen by both tabs' } });
    await Promise.all([card(first, 'Delta, seen by both tabs').waitFor(), card(second, 'Delta, seen by both tabs').waitFor()]);
    assert.equal(streams.length, 1, `one stream for both tabs, got ${streams.length}`);

    await first.close();
    await env.owner.api.patch(`/xapi2/data/card/${ids.Delta}`, { body: { title: 'Delta, after the hand-over' } });
    await card(second, 'Delta, after the hand-over').waitFor();
    assert.equal(streams.length, 2);
    assert.match(streams[1], /last_event_id=\d+/, 'the new leader resumes from the last event it relayed');
    await context.close();
  });

  test('a lost connection shows a banner; when it returns the board catches up on what it missed', async () => {
    const { server } = env;
    const port = Number(new URL(server.url).port);
    await server.app.close();
    await bob.getByTestId('connection-banner').filter({ hasText: 'Connection lost' }).waitFor();
    await screenshot(bob, 'offline-banner');

    // While the server is unreachable for the browsers, someone changes a card (straight through the store).
    const actor = { user: { id: env.owner.user.id, email: env.owner.email, name: 'Owner' }, workspace: env.owner.workspace, role: 'owner' as const, credential: { kind: 'session' as const, sessionId: 'offline' } };
    await server.store.transaction((tx) => objectUpdater(commandContext(tx, actor), 'card', ids.Charlie, { title: 'Charlie, changed while you were offline', status: 'done' }));

    restarted = await buildApp({ store: server.store, config: server.config });
    await restarted.listen({ host: '127.0.0.1', port });
    await card(bob, 'Charlie, changed while you were offline').waitFor({ timeout: 15_000 });
    assert.ok((await columnTitles(bob, 'done')).includes('Charlie, changed while you were offline'));
    await bob.getByTestId('connection-banner').filter({ hasText: 'Back online' }).waitFor();
    await bob.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 10_000 });
  });
});
