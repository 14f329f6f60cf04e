/**
 * Human identifiers (issue 12) through real HTTP on both stores: board keys derived from names and
 * unique per workspace, editable with clear errors; card numbers per board, unique under concurrent
 * creates (on PostgreSQL through two server instances on one database); GET by key, q=WEB-42, old
 * keys resolving after a move or a rename; the migration giving existing boards and cards keys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { modelOf, parseListQuery, searchTerms } from '@prodboard/shared';
import { buildApp } from '../src/app.js';
import { openPostgresStore } from '../src/store/postgres/postgres-store.js';
import { withDatabaseBefore, type LegacyDatabase } from './legacy-db.js';
import { TEST_DATABASE_URL, TEST_STORE, client, signUp, startServer, type TestServer } from './helpers.js';

type Api = Awaited<ReturnType<typeof signUp>>['api'];
interface Obj { id: string; key: string | null; version: number; data: Record<string, any> }

let server: TestServer;
let api: Api;
let other: Api;

before(async () => {
  server = await startServer();
  api = (await signUp(server)).api;
  other = (await signUp(server)).api;
});
after(() => server.close());

async function create(who: Api, type: string, body: Record<string, unknown>): Promise<Obj> {
  const res = await who.post(`/xapi2/data/${type}`, { body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as Obj;
}

async function get(who: Api, type: string, id: string) {
  return who.get(`/xapi2/data/${type}/${encodeURIComponent(id)}`);
}

describe('board keys', () => {
  test('derived from the name, uppercase, unique in the workspace with a suffix; other workspaces independent', async () => {
    const a = await create(api, 'board', { name: 'Web' });
    const b = await create(api, 'board', { name: 'web' });
    const c = await create(api, 'board', { name: 'Website redesign' });
    const d = await create(api, 'board', { name: '产品路线图' });
    const e = await create(other, 'board', { name: 'Web' });
    assert.deepEqual([a.key, b.key, c.key, d.key, e.key], ['WEB', 'WEB2', 'WR', 'BOARD', 'WEB']);
    assert.equal((await get(api, 'board', a.id)).body.key, 'WEB', 'GET shows the key');
    const listed = (await api.get('/xapi2/data/board')).body.data as Obj[];
    assert.equal(listed.find((o) => o.id === b.id)?.key, 'WEB2', 'lists show the key');
    const res = await get(api, 'board', 'web2');
    assert.equal(res.status, 200);
    assert.equal(res.body.id, b.id, 'a board resolves by its key, any case');
    assert.equal((await get(other, 'board', 'WEB')).body.id, e.id, 'each workspace resolves its own');
  });

  test('a key given on create or by PATCH is validated and unique; errors name the field and change nothing', async () => {
    const ops = await create(api, 'board', { name: 'Operations', key: 'ops' });
    assert.equal(ops.key, 'OPS');
    for (const bad of ['O', '1AB', 'TOO-LONG', 'ABCDEFGHIJK', '', 42, null, 'ÖPS']) {
      const res = await api.patch(`/xapi2/data/board/${ops.id}`, { body: { key: bad } });
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${JSON.stringify(res.body)}`);
      assert.ok(res.body.errors.some((e: { field: string }) => e.field === 'key'), JSON.stringify(res.body));
    }
    const taken = await api.post('/xapi2/data/board', { body: { name: 'Other ops', key: 'OPS' } });
    assert.equal(taken.status, 409, JSON.stringify(taken.body));
    assert.equal(taken.body.errors[0].field, 'key');
    const web = await create(api, 'board', { name: 'Taken', key: 'TKN' });
    const clash = await api.patch(`/xapi2/data/board/${ops.id}`, { body: { key: 'tkn' } });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.errors[0].field, 'key');
    assert.equal((await get(api, 'board', ops.id)).body.key, 'OPS', 'nothing changed');
    assert.equal((await get(api, 'board', ops.id)).body.version, 1);
    void web;
  });

  test('renaming a key renames its cards\' keys; the old keys keep resolving', async () => {
    const board = await create(api, 'board', { name: 'Rename me', key: 'REN' });
    const card = await create(api, 'card', { title: 'one', board_id: board.id });
    assert.equal(card.key, 'REN-1');
    const res = await api.patch(`/xapi2/data/board/${board.id}`, { body: { key: 'NEW' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.key, 'NEW');
    assert.equal((await get(api, 'card', card.id)).body.key, 'NEW-1');
    assert.equal((await get(api, 'card', 'NEW-1')).body.id, card.id);
    assert.equal((await get(api, 'card', 'REN-1')).body.id, card.id, 'the old card key still resolves');
    assert.equal((await get(api, 'board', 'REN')).body.id, board.id, 'the old board key still resolves');
    const reuse = await api.post('/xapi2/data/board', { body: { name: 'x', key: 'REN' } });
    assert.equal(reuse.status, 409, 'an old key stays with its board');
    const activity = await api.get('/xapi2/activity', { query: { object_id: board.id } });
    if (activity.status === 200) {
      const rows = activity.body.data as Array<{ changes: Record<string, unknown> }>;
      assert.ok(rows.some((r) => JSON.stringify(r.changes.key) === '["REN","NEW"]'), JSON.stringify(rows));
    }
  });
});

describe('card keys', () => {
  let board: Obj;
  let second: Obj;

  before(async () => {
    board = await create(api, 'board', { name: 'Cards', key: 'CRD' });
    second = await create(api, 'board', { name: 'Second', key: 'SEC' });
  });

  test('cards are numbered per board from 1; a card without a board has no key', async () => {
    const one = await create(api, 'card', { title: 'first', board_id: board.id });
    const two = await create(api, 'card', { title: 'second', board_id: board.id });
    const elsewhere = await create(api, 'card', { title: 'elsewhere', board_id: second.id });
    const loose = await create(api, 'card', { title: 'no board' });
    assert.deepEqual([one.key, two.key, elsewhere.key, loose.key], ['CRD-1', 'CRD-2', 'SEC-1', null]);
    assert.equal((await get(api, 'card', 'crd-2')).body.id, two.id);
    assert.equal((await get(api, 'card', 'CRD-2')).body.key, 'CRD-2');
  });

  test('q=KEY finds the card; an unknown key finds nothing', async () => {
    const card = await create(api, 'card', { title: 'find me by key', board_id: board.id });
    const found = await api.get('/xapi2/data/card', { query: { q: card.key! } });
    assert.equal(found.status, 200);
    assert.deepEqual((found.body.data as Obj[]).map((o) => o.id), [card.id]);
    const none = await api.get('/xapi2/data/card', { query: { q: 'CRD-9999' } });
    assert.equal(none.status, 200);
    assert.deepEqual(none.body.data, []);
  });

  test('unknown keys, malformed ids and another workspace\'s keys: errors that name id', async () => {
    const card = await create(api, 'card', { title: 'mine', board_id: board.id });
    for (const [who, id, status] of [[api, 'CRD-9999', 404], [api, 'NOPE-1', 404], [other, card.key!, 404], [api, 'CRD-0', 400], [api, 'not a key', 400], [api, 'CRD-1-2', 400]] as const) {
      const res = await get(who, 'card', id);
      assert.equal(res.status, status, `${id}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.errors?.[0]?.field, 'id', `${id}: ${JSON.stringify(res.body)}`);
    }
  });

  test('a card moved to another board gets a number there; its old key keeps resolving; moving back restores its number', async () => {
    const card = await create(api, 'card', { title: 'mover', board_id: board.id });
    const moved = await api.patch(`/xapi2/data/card/${card.id}`, { body: { board_id: second.id } });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.match(moved.body.key, /^SEC-\d+$/);
    assert.notEqual(moved.body.key, card.key);
    assert.equal((await get(api, 'card', card.key!)).body.id, card.id, 'the old key resolves');
    assert.equal((await get(api, 'card', moved.body.key)).body.id, card.id);
    const back = await api.patch(`/xapi2/data/card/${card.id}`, { body: { board_id: board.id } });
    assert.equal(back.body.key, card.key, 'back on its first board, it has its first number again');
    const next = await create(api, 'card', { title: 'after', board_id: second.id });
    assert.notEqual(next.key, moved.body.key, 'a number is never given twice on a board');
  });

  test('concurrent creates get distinct numbers (PostgreSQL: through two server instances on one database)', async () => {
    const target = await create(api, 'board', { name: 'Busy', key: 'BUSY' });
    const apis: Api[] = [api];
    let closeSecond = async () => {};
    if (TEST_STORE === 'postgres') {
      const schema = (await server.query<{ s: string }>('SELECT current_schema() AS s'))[0].s;
      const store = openPostgresStore(TEST_DATABASE_URL, { schema, max: 5 });
      const app = await buildApp({ store, config: { ...server.config, port: 0 } });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      apis.push(client({ url }, api.token));
      closeSecond = async () => {
        await app.close();
        await store.close();
      };
    }
    try {
      const made = await Promise.all(
        Array.from({ length: 30 }, (_, i) => apis[i % apis.length].post('/xapi2/data/card', { body: { title: `busy ${i}`, board_id: target.id } })),
      );
      for (const res of made) assert.equal(res.status, 201, JSON.stringify(res.body));
      const numbers = made.map((res) => Number(String(res.body.key).split('-')[1])).sort((a, b) => a - b);
      assert.deepEqual(numbers, Array.from({ length: 30 }, (_, i) => i + 1));
    } finally {
      await closeSecond();
    }
  });
});

describe('migration 9 (human keys) on a database from before keys', () => {
  test('existing boards get keys from their names, cards numbers in creation order, and CJK text is re-indexed', async () => {
    const ws = { id: 'w1', slug: 'legacy', name: 'Legacy', created_at: '2020-01-01T00:00:00.000Z' };
    const objects = [
      { id: 'b1', type: 'board', at: '2020-01-01T00:00:01.000Z', data: { name: 'Web', columns: [] } },
      { id: 'b2', type: 'board', at: '2020-01-01T00:00:02.000Z', data: { name: 'Web', columns: [] } },
      { id: 'c2', type: 'card', at: '2020-01-01T00:00:04.000Z', data: { title: 'second', board_id: 'b1' } },
      { id: 'c1', type: 'card', at: '2020-01-01T00:00:03.000Z', data: { title: '用户登录超时', board_id: 'b1' } },
      { id: 'c3', type: 'card', at: '2020-01-01T00:00:05.000Z', data: { title: 'loose' } },
    ];
    const check = async (store: { resolveKey: (w: string, t: string, k: string) => Promise<string | undefined>; listObjects: (q: any) => Promise<{ items: string[] }> }, keyOf: (id: string) => Promise<string | null>) => {
      assert.deepEqual(await Promise.all(['b1', 'b2', 'c1', 'c2', 'c3'].map(keyOf)), ['WEB', 'WEB2', 'WEB-1', 'WEB-2', null]);
      assert.equal(await store.resolveKey('w1', 'card', 'web-2'), 'c2');
      assert.equal(await store.resolveKey('w1', 'board', 'WEB2'), 'b2');
      const page = await store.listObjects({ workspaceId: 'w1', type: 'card', terms: searchTerms('登录超时'), sort: null, filters: [], limit: 10, offset: 0, includeArchived: false });
      assert.deepEqual(page.items.map((j) => JSON.parse(j).id), ['c1']);
      assert.equal(JSON.parse(page.items[0]).key, 'WEB-1');
    };
    const cols = 'id, workspace_id, type, owned_by, created_by, updated_by, created_at, updated_at, data';
    // As the release before keys wrote an object: its row and its search entry, nothing else.
    const insertObject = async (db: LegacyDatabase, o: (typeof objects)[number]) => {
      const text = String((o.data as { title?: string; name?: string }).title ?? (o.data as { name?: string }).name);
      if (TEST_STORE === 'sqlite') {
        await db.run(`INSERT INTO objects (${cols}) VALUES (?, ?, ?, 'u', 'u', 'u', ?, ?, ?)`, [o.id, ws.id, o.type, o.at, o.at, JSON.stringify(o.data)]);
        const [{ rowid }] = await db.all<{ rowid: number }>('SELECT rowid FROM objects WHERE id = ?', [o.id]);
        await db.run('INSERT INTO objects_fts (rowid, title, body) VALUES (?, ?, ?)', [rowid, text, '']);
      } else {
        await db.run(`INSERT INTO objects (${cols}, search) VALUES (?, ?, ?, 'u', 'u', 'u', ?, ?, ?, to_tsvector('simple', ?))`, [o.id, ws.id, o.type, o.at, o.at, JSON.stringify(o.data), text]);
      }
    };
    await withDatabaseBefore(9, async (db) => {
      await db.run('INSERT INTO workspaces VALUES (?, ?, ?, ?)', [ws.id, ws.slug, ws.name, ws.created_at]);
      for (const o of objects) await insertObject(db, o);
      assert.deepEqual(await db.store.migrate(), db.pending);
      await check(db.store as never, async (id) => (await db.all<{ key: string | null }>('SELECT key FROM objects WHERE id = ?', [id]))[0].key);
    }, ws.created_at);
  });
});

describe('migration 11 (cheaper card writes) on a database with keys', () => {
  test('card numbers survive the rebuilt tables: old and current keys resolve, numbers go on, boards still sort by name', async () => {
    const at = '2020-01-01T00:00:00.000Z';
    const cols = 'id, workspace_id, type, owned_by, created_by, updated_by, created_at, updated_at, data, key';
    await withDatabaseBefore(11, async (db) => {
      await db.run('INSERT INTO workspaces VALUES (?, ?, ?, ?)', ['w1', 'keyed', 'Keyed', at]);
      // As the release before wrote them: two boards; card c1 made on WEB (WEB-1), then moved to OPS (OPS-1); c2 is WEB-2.
      const objects: Array<[string, string, Record<string, unknown>, string]> = [
        ['b1', 'board', { name: 'Web', columns: [] }, 'WEB'],
        ['b2', 'board', { name: 'Ops', columns: [] }, 'OPS'],
        ['c1', 'card', { title: 'moved', board_id: 'b2' }, 'OPS-1'],
        ['c2', 'card', { title: 'stayed', board_id: 'b1' }, 'WEB-2'],
      ];
      for (const [id, type, data, key] of objects) {
        await db.run(`INSERT INTO objects (${cols}) VALUES (?, 'w1', ?, 'u', 'u', 'u', ?, ?, ?, ?)`, [id, type, at, at, JSON.stringify(data), key]);
      }
      for (const [key, board] of [['WEB', 'b1'], ['OPS', 'b2']]) await db.run('INSERT INTO board_keys (workspace_id, key, board_id) VALUES (?, ?, ?)', ['w1', key, board]);
      for (const [board, last] of [['b1', 2], ['b2', 1]] as const) await db.run('INSERT INTO board_counters (board_id, last_number) VALUES (?, ?)', [board, last]);
      for (const [board, n, card] of [['b1', 1, 'c1'], ['b2', 1, 'c1'], ['b1', 2, 'c2']] as const) {
        await db.run('INSERT INTO card_numbers (board_id, number, card_id) VALUES (?, ?, ?)', [board, n, card]);
      }
      assert.deepEqual(await db.store.migrate(), db.pending);
      assert.equal(db.pending[0], 11);
      const { store } = db;
      assert.equal(await store.resolveKey('w1', 'card', 'WEB-1'), 'c1', 'the key from before the move');
      assert.equal(await store.resolveKey('w1', 'card', 'OPS-1'), 'c1');
      assert.equal(await store.resolveKey('w1', 'card', 'WEB-2'), 'c2');
      assert.equal(await store.resolveKey('w1', 'card', 'WEB-3'), undefined);
      // The counters came across: the next card on WEB is WEB-3, and a card back on WEB gets its old number.
      assert.equal(await store.transaction((tx) => tx.newCardKey('w1', 'c3', 'b1')), 'WEB-3');
      assert.equal(await store.transaction((tx) => tx.setCardKey('w1', 'c1', 'b1')), 'WEB-1');
      assert.equal(await store.transaction((tx) => tx.newCardKey('w1', 'c4', 'b2')), 'OPS-2');
      // objects_board_name now leaves cards out: boards still list by name, and by a name filter.
      const byName = await store.listObjects({ workspaceId: 'w1', type: 'board', ...parseListQuery('board', modelOf('board')!, { sort: 'data__name' }) });
      assert.deepEqual(byName.items.map((j) => JSON.parse(j).id), ['b2', 'b1']);
      const named = await store.listObjects({ workspaceId: 'w1', type: 'board', ...parseListQuery('board', modelOf('board')!, { data__name: 'Web' }) });
      assert.deepEqual(named.items.map((j) => JSON.parse(j).id), ['b1']);
      // The write-saving shapes themselves (each card create wrote these pages before).
      const nameIndex = TEST_STORE === 'sqlite'
        ? await db.all<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'objects_board_name'")
        : await db.all<{ sql: string }>("SELECT indexdef AS sql FROM pg_indexes WHERE indexname = 'objects_board_name' AND schemaname = current_schema()");
      assert.match(nameIndex[0].sql, /IS NOT NULL/, 'cards, which have no name, stay out of objects_board_name');
      if (TEST_STORE === 'sqlite') {
        const [{ sql }] = await db.all<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'card_numbers'");
        assert.match(sql, /WITHOUT ROWID/, 'card_numbers: its primary key is the table');
      }
    }, at);
  });
});

describe('migration 12 (fewer writes per card) on a database with keys', () => {
  test('numbers go on from the highest given (SQLite without board_counters); the assignee index leaves unassigned cards out and still serves the filter', async () => {
    const at = '2020-01-01T00:00:00.000Z';
    const cols = 'id, workspace_id, type, owned_by, created_by, updated_by, created_at, updated_at, data, key';
    await withDatabaseBefore(12, async (db) => {
      await db.run('INSERT INTO workspaces VALUES (?, ?, ?, ?)', ['w1', 'keyed', 'Keyed', at]);
      // As the release before wrote them: WEB gave 1, 2 and 3; WEB-3 (c3) moved to OPS as OPS-1.
      // A legacy free-text assignee on c1 only.
      const objects: Array<[string, string, Record<string, unknown>, string]> = [
        ['b1', 'board', { name: 'Web', columns: [] }, 'WEB'],
        ['b2', 'board', { name: 'Ops', columns: [] }, 'OPS'],
        ['c1', 'card', { title: 'one', board_id: 'b1', assignee: 'Dana' }, 'WEB-1'],
        ['c2', 'card', { title: 'two', board_id: 'b1' }, 'WEB-2'],
        ['c3', 'card', { title: 'three', board_id: 'b2' }, 'OPS-1'],
      ];
      for (const [id, type, data, key] of objects) {
        await db.run(`INSERT INTO objects (${cols}) VALUES (?, 'w1', ?, 'u', 'u', 'u', ?, ?, ?, ?)`, [id, type, at, at, JSON.stringify(data), key]);
      }
      for (const [key, board] of [['WEB', 'b1'], ['OPS', 'b2']]) await db.run('INSERT INTO board_keys (workspace_id, key, board_id) VALUES (?, ?, ?)', ['w1', key, board]);
      for (const [board, last] of [['b1', 3], ['b2', 1]] as const) await db.run('INSERT INTO board_counters (board_id, last_number) VALUES (?, ?)', [board, last]);
      for (const [board, n, card] of [['b1', 1, 'c1'], ['b1', 2, 'c2'], ['b1', 3, 'c3'], ['b2', 1, 'c3']] as const) {
        await db.run('INSERT INTO card_numbers (board_id, number, card_id) VALUES (?, ?, ?)', [board, n, card]);
      }
      // Search entries as the release before kept them (SQLite: with a copy of the text), a comment, and activity up to seq 7.
      await db.run("INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ('u', 'u@example.com', 'U', 'x', ?, ?)", [at, at]);
      await db.run("INSERT INTO comments (id, workspace_id, card_id, author_id, body, search_text, created_at, updated_at) VALUES ('m1', 'w1', 'c2', 'u', 'Latency graphs', 'latency graphs', ?, ?)", [at, at]);
      if (TEST_STORE === 'sqlite') {
        for (const [id, title, body] of [['c1', 'one', ''], ['c2', 'two', 'latency graphs'], ['c3', 'three', '']]) {
          const [{ seq }] = await db.all<{ seq: number }>('SELECT seq FROM objects WHERE id = ?', [id]);
          await db.run('INSERT INTO objects_fts (rowid, title, body) VALUES (?, ?, ?)', [seq, title, body]);
        }
        for (let i = 1; i <= 7; i++) {
          await db.run("INSERT INTO activity (workspace_id, object_type, object_id, action, changes, created_at) VALUES ('w1', 'card', 'c1', 'update', '{}', ?)", [at]);
        }
      }
      assert.deepEqual(await db.store.migrate(), db.pending);
      assert.equal(db.pending[0], 12);
      const { store } = db;
      if (TEST_STORE === 'sqlite') {
        // The search index, rebuilt without its copy of the text, finds cards by title and by a comment, and ranks as before.
        const search = async (q: string) =>
          (await store.listObjects({ workspaceId: 'w1', type: 'card', terms: searchTerms(q), sort: null, filters: [], limit: 10, offset: 0, includeArchived: false })).items.map((j) => JSON.parse(j).id);
        assert.deepEqual(await search('three'), ['c3']);
        assert.deepEqual(await search('latency'), ['c2']);
        const [fts] = await db.all<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'objects_fts'");
        assert.match(fts.sql, /content = ''/);
        assert.deepEqual(await db.all("SELECT name FROM sqlite_schema WHERE name = 'objects_fts_content'"), [], 'no copy of the text is kept');
        // activity kept every row and goes on after the highest seq, without sqlite_sequence.
        assert.equal(await store.latestActivitySeq('w1'), 7);
        const seq = await store.insertActivity({ workspace_id: 'w1', actor_id: null, token_id: null, object_type: 'card', object_id: 'c1', action: 'update', changes: {}, created_at: at });
        assert.equal(seq, 8);
        const [activity] = await db.all<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'activity'");
        assert.doesNotMatch(activity.sql, /AUTOINCREMENT/);
        assert.deepEqual(await db.all("SELECT name FROM sqlite_sequence WHERE name = 'activity'"), []);
      }
      // WEB's 3 went with c3 to OPS, and is still WEB's: the next is WEB-4, not WEB-3 again.
      assert.equal(await store.transaction((tx) => tx.newCardKey('w1', 'c4', 'b1')), 'WEB-4');
      assert.equal(await store.resolveKey('w1', 'card', 'WEB-3'), 'c3', 'the key from before the move');
      // A card moving onto a board takes its next number the same way; back on WEB, c3 is WEB-3 again.
      assert.equal(await store.transaction((tx) => tx.setCardKey('w1', 'c2', 'b2')), 'OPS-2');
      assert.equal(await store.transaction((tx) => tx.setCardKey('w1', 'c3', 'b1')), 'WEB-3');
      assert.equal(await store.transaction((tx) => tx.newCardKey('w1', 'c5', 'b2')), 'OPS-3');
      // A new board starts at 1.
      await db.run(`INSERT INTO objects (${cols}) VALUES ('b3', 'w1', 'board', 'u', 'u', 'u', ?, ?, ?, NULL)`, [at, at, JSON.stringify({ name: 'New', columns: [] })]);
      assert.equal(await store.transaction((tx) => tx.setBoardKey('w1', 'b3', 'New')), 'NEW');
      assert.equal(await store.transaction((tx) => tx.newCardKey('w1', 'c6', 'b3')), 'NEW-1');
      assert.equal(await store.transaction((tx) => tx.newCardKey('w1', 'c7', 'b3')), 'NEW-2');

      const tables = TEST_STORE === 'sqlite'
        ? await db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'board_counters'")
        : await db.all<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE tablename = 'board_counters' AND schemaname = current_schema()");
      // SQLite's transactions never overlap, so the highest number stands in for the counter; PostgreSQL's row lock still orders creates.
      assert.equal(tables.length, TEST_STORE === 'sqlite' ? 0 : 1);

      // The legacy assignee filter still finds c1, through the index, which holds only c1.
      const byAssignee = await store.listObjects({ workspaceId: 'w1', type: 'card', ...parseListQuery('card', modelOf('card')!, { data__assignee: 'Dana' }) });
      assert.deepEqual(byAssignee.items.map((j) => JSON.parse(j).id), ['c1']);
      if (TEST_STORE === 'sqlite') {
        const plan = await db.all<{ detail: string }>("EXPLAIN QUERY PLAN SELECT id FROM objects WHERE workspace_id = ? AND type = ? AND is_deleted = 0 AND json_extract(data, '$.assignee') = ?", ['w1', 'card', 'Dana']);
        assert.match(plan.map((r) => r.detail).join(' '), /USING INDEX objects_card_assignee/);
        const [{ n }] = await db.all<{ n: number }>("SELECT count(*) AS n FROM objects INDEXED BY objects_card_assignee WHERE workspace_id = 'w1' AND type = 'card' AND is_deleted = 0 AND json_extract(data, '$.assignee') IS NOT NULL");
        assert.equal(n, 1);
      } else {
        await db.run('SET enable_seqscan = off');
        const plan = await db.all<{ 'QUERY PLAN': string }>("EXPLAIN SELECT id FROM objects WHERE workspace_id = ? AND type = ? AND NOT is_deleted AND (data->>'assignee') = ?", ['w1', 'card', 'Dana']);
        assert.match(plan.map((r) => r['QUERY PLAN']).join(' '), /objects_card_assignee/);
      }
      const index = TEST_STORE === 'sqlite'
        ? await db.all<{ sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'objects_card_assignee'")
        : await db.all<{ sql: string }>("SELECT indexdef AS sql FROM pg_indexes WHERE indexname = 'objects_card_assignee' AND schemaname = current_schema()");
      assert.match(index[0].sql, /IS NOT NULL/, 'cards without the legacy assignee stay out of objects_card_assignee');
    }, at);
  });
});
