/**
 * Nothing vanishes from view (issue 13): cards without a board are listed with an empty
 * `data__board_id=` (the web app's Inbox), and restoring a card whose board is in the trash says
 * plainly to restore the board first, changing nothing. Through real HTTP, on both stores.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { databaseSnapshot, signUp, startServer, type TestServer } from './helpers.js';

type User = Awaited<ReturnType<typeof signUp>>;

let server: TestServer;
let ada: User;
let eve: User;

before(async () => {
  server = await startServer();
  ada = await signUp(server);
  eve = await signUp(server);
});
after(async () => {
  await server?.close();
});

const ids = (body: { data: Array<{ id: string }> }) => body.data.map((o) => o.id).sort();

describe('cards without a board (the Inbox)', () => {
  test('data__board_id= lists exactly the caller’s boardless cards, however they lost their board', async () => {
    const board = (await ada.api.post('/xapi2/data/board', { body: { name: 'Inbox test' } })).body;
    const onBoard = (await ada.api.post('/xapi2/data/card', { body: { title: 'On the board', board_id: board.id } })).body;
    const created = (await ada.api.post('/xapi2/data/card', { body: { title: 'Created without a board' } })).body;
    const cleared = (await ada.api.post('/xapi2/data/card', { body: { title: 'Board cleared later', board_id: board.id } })).body;
    const patched = await ada.api.patch(`/xapi2/data/card/${cleared.id}`, { body: { board_id: null } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.data.board_id, undefined);
    const archived = (await ada.api.post('/xapi2/data/card', { body: { title: 'Archived, no board' } })).body;
    await ada.api.patch(`/xapi2/data/card/${archived.id}`, { body: { is_archived: true } });
    // Another workspace's boardless card never shows up.
    await eve.api.post('/xapi2/data/card', { body: { title: 'Eve’s loose card' } });

    const inbox = await ada.api.get('/xapi2/data/card', { query: { data__board_id: '' } });
    assert.equal(inbox.status, 200, JSON.stringify(inbox.body));
    assert.deepEqual(ids(inbox.body), [created.id, cleared.id].sort());

    const withBoard = await ada.api.get('/xapi2/data/card', { query: { data__board_id: ['', board.id] } });
    assert.deepEqual(ids(withBoard.body), [onBoard.id, created.id, cleared.id].sort(), 'an empty value combines with others as IN');

    const archivedInbox = await ada.api.get('/xapi2/data/card', { query: { data__board_id: '', is_archived: 'true' } });
    assert.deepEqual(ids(archivedInbox.body), [archived.id]);

    const searched = await ada.api.get('/xapi2/data/card', { query: { data__board_id: '', q: 'cleared' } });
    assert.deepEqual(ids(searched.body), [cleared.id]);
  });

  test('pages of the Inbox walk with after, each card exactly once', async () => {
    const user = await signUp(server);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await user.api.post('/xapi2/data/card', { body: { title: `Loose ${i}` } })).body.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await user.api.get('/xapi2/data/card', { query: { data__board_id: '', limit: 3, sort: '-created_at', ...(cursor ? { after: cursor } : {}) } });
      assert.equal(page.status, 200);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
      cursor = page.body.meta.has_more ? page.body.meta.next_cursor : undefined;
    } while (cursor);
    assert.deepEqual(seen, [...made].reverse());
  });
});

describe('restoring a card whose board is in the trash', () => {
  test('says to restore the board first, naming it, and changes nothing', async () => {
    const board = (await ada.api.post('/xapi2/data/board', { body: { name: 'Old launch' } })).body;
    const card = (await ada.api.post('/xapi2/data/card', { body: { title: 'Deleted first', board_id: board.id } })).body;
    assert.equal((await ada.api.delete(`/xapi2/data/card/${card.id}`)).status, 200);
    assert.equal((await ada.api.delete(`/xapi2/data/board/${board.id}`)).status, 200);

    const before = await databaseSnapshot(server);
    const refused = await ada.api.post(`/xapi2/trash/card/${card.id}/restore`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /board “Old launch” is in the trash; restore the board first/);
    assert.deepEqual(await databaseSnapshot(server), before, 'a refused restore changes nothing');

    // Another workspace cannot learn anything about it.
    assert.equal((await eve.api.post(`/xapi2/trash/card/${card.id}/restore`)).status, 404);

    // Once the board is back, the card deleted before it can come back too.
    assert.equal((await ada.api.post(`/xapi2/trash/board/${board.id}/restore`)).status, 200);
    const restored = await ada.api.post(`/xapi2/trash/card/${card.id}/restore`);
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.data.board_id, board.id);
  });
});
