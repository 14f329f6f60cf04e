/**
 * Card order owned by the server: end of column by default, moves between neighbours, respacing when
 * the gap runs out, and reads ordered by (position, id).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RespacedColumnSchema, type RespacedColumn } from '@prodboard/shared';
import { newId } from '../src/context.js';
import { POSITION_STEP } from '../src/commands/card-placement.js';
import { signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let api: Awaited<ReturnType<typeof signUp>>['api'];

before(async () => {
  server = await startServer();
  owner = await signUp(server);
  ({ api } = owner);
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
    (e: ActivityEvent) => e.action === 'respace' && respaceOf(e).ids.includes(cards.c),
  );
  assert.ok(respaced.length >= 1, 'the respace of the other cards is recorded as activity');
});

test('an explicit free position is kept as given', async () => {
  const { board, cards } = await seedColumn(['a', 'b']);
  const res = await api.patch(`/xapi2/data/card/${cards.b}`, { body: { position: 1 } });
  assert.equal(res.body.data.position, 1);
  assert.deepEqual((await column(board.id, 'todo')).map((c) => c.data.title), ['b', 'a']);
});

interface ActivityEvent {
  seq: number;
  object_type: string;
  object_id: string;
  action: string;
  changes: Record<string, [unknown, unknown]>;
}

/** What a respace event says: the column, and each respaced card's new position (and its version). */
function respaceOf(event: ActivityEvent): RespacedColumn {
  // The shape the web app reads (RespacedColumnSchema in @prodboard/shared), held here.
  return RespacedColumnSchema.parse(event.changes.order[1]);
}

/** Every activity event after `since` (a seq), oldest first. */
async function activitySince(since: string): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  for (;;) {
    const page = (await api.get('/xapi2/activity', { query: { since, limit: 500 } })).body;
    events.push(...page.data);
    since = page.meta.next_cursor;
    if (!page.meta.has_more) return events;
  }
}

/** The whole column, page by page. */
async function wholeColumn(boardId: string, status: string) {
  const cards: Array<{ id: string; version: number; data: { title: string; status: string; position: number } }> = [];
  let after: string | undefined;
  for (;;) {
    const res = await api.get('/xapi2/data/card', { query: { data__board_id: boardId, data__status: status, limit: 200, ...(after ? { after } : {}) } });
    assert.equal(res.status, 200);
    cards.push(...res.body.data);
    if (!res.body.meta.has_more) return cards;
    after = res.body.meta.next_cursor;
  }
}

test('60 moves into a 3,000-card column record one event per move and one per respace, not one per card', async () => {
  const board = (await api.post('/xapi2/data/board', { body: { name: 'Big column', columns: 'Todo, Done' } })).body;
  // The 3,000 cards go in through the store: 3,000 POSTs would only make the test slow.
  const now = new Date().toISOString();
  const seeded: string[] = [];
  await server.store.transaction(async (tx) => {
    for (let i = 0; i < 3000; i++) {
      const id = newId();
      seeded.push(id);
      await tx.insertObject({
        id, workspace_id: owner.workspace.id, type: 'card', status: 'active', owned_by: owner.user.id, created_by: owner.user.id, updated_by: owner.user.id,
        is_archived: false, is_deleted: false, created_at: now, updated_at: now, version: 1, deleted_at: null, deleted_with: null,
        data: { title: `s${i}`, board_id: board.id, status: 'todo', position: (i + 1) * POSITION_STEP },
      });
    }
  });
  const latest = await activitySince('0');
  const since = String(latest[latest.length - 1].seq);
  const incoming: string[] = [];
  for (let i = 0; i < 60; i++) incoming.push((await api.post('/xapi2/data/card', { body: { title: `n${i}`, board_id: board.id, status: 'done' } })).body.id);

  // Every move lands just before card s1500: each halves the gap there until the column must be respaced.
  const target = seeded[1500];
  for (const id of incoming) {
    const position = (await api.get(`/xapi2/data/card/${target}`)).body.data.position;
    const res = await api.patch(`/xapi2/data/card/${id}`, { body: { status: 'todo', position } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  const events = await activitySince(since);
  const respaces = events.filter((e) => e.action === 'respace');
  assert.ok(respaces.length >= 1, 'the gap ran out at least once');
  assert.equal(events.length, 60 + 60 + respaces.length, `60 creates, 60 moves and ${respaces.length} respace event(s), not one per card (${events.length} events)`);
  for (const e of respaces) {
    const r = respaceOf(e);
    assert.equal(r.board_id, board.id);
    assert.equal(r.status, 'todo');
    // It names the cards whose position changed: at least the 1,500 from the gap to the end.
    assert.ok(r.ids.length >= 1500 && r.ids.length <= 3060, `the respace names the cards it moved (${r.ids.length})`);
  }

  const column = await wholeColumn(board.id, 'todo');
  const titles = column.map((c) => c.data.title);
  assert.deepEqual(titles.slice(1499, 1499 + 62), ['s1499', ...incoming.map((_, i) => `n${i}`), 's1500']);
  const positions = column.map((c) => c.data.position);
  assert.ok(positions.every((p, i) => i === 0 || p > positions[i - 1]), 'positions strictly increase');

  // The activity alone rebuilds every card's position: seeded positions, then each event in order.
  const replayed = new Map(seeded.map((id, i) => [id, (i + 1) * POSITION_STEP]));
  for (const e of events) {
    if (e.action === 'respace') {
      const r = respaceOf(e);
      r.ids.forEach((id, i) => replayed.set(id, r.positions[i]));
    } else if (e.changes.position) replayed.set(e.object_id, e.changes.position[1] as number);
  }
  for (const card of column) assert.equal(card.data.position, replayed.get(card.id), `${card.data.title}'s position follows from the activity`);
  // A respace changes only positions the server owns: the seeded cards keep their version.
  assert.ok(column.filter((c) => seeded.includes(c.id)).every((c) => c.version === 1), 'a respace does not bump versions');
  // So a client that read a card before its neighbours' moves can still write it with If-Match.
  const edited = await api.patch(`/xapi2/data/card/${seeded[2999]}`, { body: { title: 'edited' }, headers: { 'if-match': '"1"' } });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
});

test('a card restored from the trash never shares a position: it goes before the card now holding its old one', async () => {
  const { board, cards } = await seedColumn(['a', 'b', 'c']);
  const before = await column(board.id, 'todo');
  const bPosition = before[1].data.position;
  assert.equal((await api.delete(`/xapi2/data/card/${cards.b}`)).status, 200);
  // While b is in the trash, c takes b's exact position.
  assert.equal((await api.patch(`/xapi2/data/card/${cards.c}`, { body: { position: bPosition } })).status, 200);
  assert.equal((await column(board.id, 'todo')).find((c) => c.id === cards.c)?.data.position, bPosition);
  const restore = await api.post(`/xapi2/trash/card/${cards.b}/restore`);
  assert.equal(restore.status, 200);
  const after = await column(board.id, 'todo');
  assert.deepEqual(after.map((c) => c.data.title), ['a', 'b', 'c']);
  const positions = after.map((c) => c.data.position);
  assert.equal(new Set(positions).size, positions.length, `positions distinct: ${positions.join(', ')}`);
});
