/**
 * The object lifecycle through HTTP: create, read, list, update, delete, with versions, If-Match,
 * Idempotency-Key and board columns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let api: Awaited<ReturnType<typeof signUp>>['api'];

before(async () => {
  server = await startServer();
  ({ api } = await signUp(server));
});
after(() => server.close());

test('health answers without a token; ready also checks the database', async () => {
  const store = process.env.PRODBOARD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
  for (const path of ['/xapi2/health', '/xapi2/ready']) {
    const res = await request(server, 'GET', path);
    assert.equal(res.status, 200, path);
    assert.deepEqual(res.body, { ok: true, store });
  }
});

describe('create and read', () => {
  test('a board gets an id, top-level columns, its data and default columns', async () => {
    const res = await api.post('/xapi2/data/board', { body: { name: 'Launch', accent: 'blue', tags: ['q4', 'q4', ' web '] } });
    assert.equal(res.status, 201);
    const board = res.body;
    assert.match(board.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/, 'ids are UUIDv7');
    assert.equal(board.type, 'board');
    assert.equal(board.status, 'active');
    assert.equal(board.version, 1);
    assert.equal(board.is_archived, false);
    assert.equal(board.is_deleted, false);
    assert.equal(board.created_at, board.updated_at);
    assert.match(board.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.deepEqual(board.data.tags, ['q4', 'web']);
    assert.deepEqual(board.data.columns.map((c: { key: string }) => c.key), ['todo', 'in_progress', 'review', 'done']);
    const read = await api.get(`/xapi2/data/board/${board.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, board);
    assert.equal(read.headers.get('etag'), '"1"');
  });

  test('columns are accepted as a comma-separated string, names, JSON or objects and stored normalised', async () => {
    const forms = [
      'Backlog, Doing, Done',
      ['Backlog', 'Doing', 'Done'],
      '["Backlog", "Doing", "Done"]',
      [{ name: 'Backlog' }, { key: 'doing', name: 'Doing', wip_limit: 3 }, { name: 'Done' }],
    ];
    for (const columns of forms) {
      const res = await api.post('/xapi2/data/board', { body: { name: 'Forms', columns } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.data.columns.map((c: { key: string }) => c.key), ['backlog', 'doing', 'done']);
      assert.deepEqual(res.body.data.columns.map((c: { name: string }) => c.name), ['Backlog', 'Doing', 'Done']);
    }
  });

  test('a card on a board gets the first column and the end of it; a column name becomes its key', async () => {
    const board = (await api.post('/xapi2/data/board', { body: { name: 'Cards', columns: 'To do, In progress, Done' } })).body;
    const first = (await api.post('/xapi2/data/card', { body: { title: 'One', board_id: board.id } })).body;
    const second = (await api.post('/xapi2/data/card', { body: { title: 'Two', board_id: board.id } })).body;
    assert.equal(first.data.status, 'to_do');
    assert.ok(second.data.position > first.data.position, 'new cards go to the end of the column');
    const named = await api.post('/xapi2/data/card', { body: { title: 'Three', board_id: board.id, status: 'In Progress' } });
    assert.equal(named.status, 201);
    assert.equal(named.body.data.status, 'in_progress');
    const bad = await api.post('/xapi2/data/card', { body: { title: 'Four', board_id: board.id, status: 'blocked' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.detail, /to_do.*in_progress.*done/);
    assert.equal(bad.body.errors[0].field, 'status');
  });
});

describe('update', () => {
  test('a PATCH touches only what it names, null clears, versions grow, is_archived is settable', async () => {
    const card = (await api.post('/xapi2/data/card', { body: { title: 'Patch me', priority: 'high', assignee: 'ada' } })).body;
    const res = await api.patch(`/xapi2/data/card/${card.id}`, { body: { description: 'more', assignee: null } });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.title, 'Patch me');
    assert.equal(res.body.data.priority, 'high');
    assert.equal(res.body.data.description, 'more');
    assert.equal('assignee' in res.body.data, false);
    assert.equal(res.body.version, 2);
    const archived = await api.patch(`/xapi2/data/card/${card.id}`, { body: { is_archived: true } });
    assert.equal(archived.body.is_archived, true);
    assert.equal(archived.body.version, 3);
    const cleared = await api.patch(`/xapi2/data/card/${card.id}`, { body: { title: null } });
    assert.equal(cleared.status, 400);
    assert.match(cleared.body.detail, /title is required/);
  });

  test('If-Match with a stale version is a 412 and changes nothing', async () => {
    const card = (await api.post('/xapi2/data/card', { body: { title: 'Versioned' } })).body;
    const ok = await api.patch(`/xapi2/data/card/${card.id}`, { body: { title: 'v2' }, headers: { 'if-match': '"1"' } });
    assert.equal(ok.status, 200);
    const stale = await api.patch(`/xapi2/data/card/${card.id}`, { body: { title: 'v3' }, headers: { 'if-match': '1' } });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.code, 'precondition_failed');
    assert.match(stale.body.detail, /version 2/);
    assert.equal((await api.get(`/xapi2/data/card/${card.id}`)).body.data.title, 'v2');
    const staleDelete = await api.delete(`/xapi2/data/card/${card.id}`, { headers: { 'if-match': '1' } });
    assert.equal(staleDelete.status, 412);
  });

  test('removing a column that still holds cards is a 409', async () => {
    const board = (await api.post('/xapi2/data/board', { body: { name: 'Busy', columns: 'A, B' } })).body;
    await api.post('/xapi2/data/card', { body: { title: 'in b', board_id: board.id, status: 'b' } });
    const res = await api.patch(`/xapi2/data/board/${board.id}`, { body: { columns: 'A' } });
    assert.equal(res.status, 409);
    assert.match(res.body.detail, /b still hold 1 card/);
    const renamed = await api.patch(`/xapi2/data/board/${board.id}`, { body: { columns: [{ key: 'a', name: 'Alpha' }, { key: 'b', name: 'Beta' }] } });
    assert.equal(renamed.status, 200);
  });
});

describe('idempotency', () => {
  test('a retried POST with the same Idempotency-Key returns the first result, not a duplicate', async () => {
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await api.post('/xapi2/data/card', { body: { title: 'Once', tags: ['idem'] }, headers });
    const second = await api.post('/xapi2/data/card', { body: { title: 'Once', tags: ['idem'] }, headers });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const list = await api.get('/xapi2/data/card', { query: { data__tags: 'idem' } });
    assert.equal(list.body.data.length, 1);
    const reused = await api.post('/xapi2/data/card', { body: { title: 'Other' }, headers });
    assert.equal(reused.status, 422);
  });
});

describe('delete, trash and restore', () => {
  test('deleting a board takes its cards to the trash; restoring brings them back', async () => {
    const board = (await api.post('/xapi2/data/board', { body: { name: 'Doomed' } })).body;
    const cards = [];
    for (const title of ['x', 'y']) cards.push((await api.post('/xapi2/data/card', { body: { title, board_id: board.id } })).body);
    const del = await api.delete(`/xapi2/data/board/${board.id}`);
    assert.equal(del.status, 200);
    assert.equal(del.body.trashed_with_it, 2);
    assert.equal((await api.get(`/xapi2/data/board/${board.id}`)).status, 404);
    assert.equal((await api.get(`/xapi2/data/card/${cards[0].id}`)).status, 404);
    assert.equal((await api.get('/xapi2/data/card', { query: { data__board_id: board.id } })).body.data.length, 0);

    const trash = await api.get('/xapi2/trash');
    const ids = trash.body.data.map((o: { id: string }) => o.id);
    for (const o of [board, ...cards]) assert.ok(ids.includes(o.id));
    const cardRestore = await api.post(`/xapi2/trash/card/${cards[0].id}/restore`);
    assert.equal(cardRestore.status, 409, 'a card cannot come back without its board');

    const restore = await api.post(`/xapi2/trash/board/${board.id}/restore`);
    assert.equal(restore.status, 200);
    assert.equal(restore.body.restored_with_it, 2);
    assert.equal((await api.get(`/xapi2/data/card/${cards[1].id}`)).status, 200);
    assert.equal((await api.get('/xapi2/data/card', { query: { data__board_id: board.id } })).body.data.length, 2);
  });

  test('every write is in the activity log with its changes', async () => {
    const start = (await api.get('/xapi2/activity', { query: { limit: 500 } })).body;
    let since = start.meta.next_cursor;
    while ((await api.get('/xapi2/activity', { query: { since } })).body.meta.has_more) {
      since = (await api.get('/xapi2/activity', { query: { since } })).body.meta.next_cursor;
    }
    const card = (await api.post('/xapi2/data/card', { body: { title: 'Tracked' } })).body;
    await api.patch(`/xapi2/data/card/${card.id}`, { body: { title: 'Tracked 2' } });
    await api.delete(`/xapi2/data/card/${card.id}`);
    const events = (await api.get('/xapi2/activity', { query: { since } })).body.data;
    assert.deepEqual(events.map((e: { action: string }) => e.action), ['create', 'update', 'delete']);
    assert.deepEqual(events[1].changes.title, ['Tracked', 'Tracked 2']);
    assert.deepEqual(events[2].changes.is_deleted, [false, true]);
    assert.ok(events.every((e: { object_id: string }) => e.object_id === card.id));
  });
});

test('the manifest is served for clients', async () => {
  const res = await request(server, 'GET', '/xapi2/mcp/manifest');
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.body.models), ['board', 'card']);
  assert.equal(res.body.models.card.max_limit, 200);
});
