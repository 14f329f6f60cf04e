/**
 * Card order owned by the server: end of column by default, moves between neighbours, respacing when
 * the gap runs out, and reads ordered by (position, id).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let api: Awaited<ReturnType<typeof signUp>>['api'];

before(async () => {
  server = await startServer();
  ({ api } = await signUp(server));
});
after(() => server.close());

async function column(boardId: string, status: string): Promise<Array<{ id: string; data: { title: string; position: number } }>> {
  const res = await api.get('/xapi2/data/card', { query: { data__board_id: boardId, data__status: status, limit: 200 } });
  assert.equal(res.status, 200);
  return res.body.data;
}

async function seedColumn(titles: string[]) {
  const board = (await api.post('/xapi2/data/board', { body: { name: 'Order', columns: 'Todo, Done' } })).body;
  const cards: Record<string, string> = {};
  for (const title of titles) cards[title] = (await api.post('/xapi2/data/card', { body: { title, board_id: board.id } })).body.id;
  return { board, cards };
}

test('cards created without a position go to the end, in creation order', async () => {
  const { board } = await seedColumn(['a', 'b', 'c']);
  assert.deepEqual((await column(board.id, 'todo')).map((c) => c.data.title), ['a', 'b', 'c']);
});

test('a move to an occupied position inserts before the card holding it', async () => {
  const { board, cards } = await seedColumn(['a', 'b', 'c']);
  const before = await column(board.id, 'todo');
  const res = await api.patch(`/xapi2/data/card/${cards.c}`, { body: { position: before[1].data.position } });
  assert.equal(res.status, 200);
  assert.deepEqual((await column(board.id, 'todo')).map((c) => c.data.title), ['a', 'c', 'b']);
});

test('moving to another column without a position puts the card at its end', async () => {
  const { board, cards } = await seedColumn(['a', 'b']);
  await api.post('/xapi2/data/card', { body: { title: 'done-1', board_id: board.id, status: 'done' } });
  await api.patch(`/xapi2/data/card/${cards.a}`, { body: { status: 'Done' } });
  assert.deepEqual((await column(board.id, 'done')).map((c) => c.data.title), ['done-1', 'a']);
  assert.deepEqual((await column(board.id, 'todo')).map((c) => c.data.title), ['b']);
});

test('when the gap runs out the column is respaced in the same transaction, order kept, positions distinct', async () => {
  const { board, cards } = await seedColumn(['a', 'b', 'c']);
  // Keep inserting just before "b": each move halves the gap until the server must respace.
  const moved: string[] = [];
  for (let i = 0; i < 60; i++) {
    const target = (await column(board.id, 'todo')).find((c) => c.id === cards.b)!.data.position;
    const card = (await api.post('/xapi2/data/card', { body: { title: `n${i}`, board_id: board.id } })).body;
    const res = await api.patch(`/xapi2/data/card/${card.id}`, { body: { position: target } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    moved.push(`n${i}`);
  }
  const final = await column(board.id, 'todo');
  assert.deepEqual(final.map((c) => c.data.title), ['a', ...moved, 'b', 'c']);
  const positions = final.map((c) => c.data.position);
  assert.equal(new Set(positions).size, positions.length, 'positions are distinct');
  assert.ok(positions.every((p, i) => i === 0 || p > positions[i - 1]), 'positions strictly increase');
  const respaced = (await api.get('/xapi2/activity', { query: { limit: 500 } })).body.data.filter(
    (e: { object_id: string; changes: Record<string, unknown> }) => e.object_id === cards.c && 'position' in e.changes,
  );
  assert.ok(respaced.length >= 1, 'the respace of the other cards is recorded as activity');
});

test('an explicit free position is kept as given', async () => {
  const { board, cards } = await seedColumn(['a', 'b']);
  const res = await api.patch(`/xapi2/data/card/${cards.b}`, { body: { position: 1 } });
  assert.equal(res.body.data.position, 1);
  assert.deepEqual((await column(board.id, 'todo')).map((c) => c.data.title), ['b', 'a']);
});
