/**
 * List semantics of GET /xapi2/data/{type} through real HTTP (PRODUCT.md §2 "List semantics"):
 * filters (IN, tags contain, booleans, owned_by=me, archived left out), sorts with id tie-break,
 * keyset pagination with `after` for every sort, limit/offset, ranked full-text search with `q`,
 * and workspace isolation.
 *
 * Every test isolates its data with a unique tag or a fresh board. The only setup done outside
 * HTTP is forcing equal created_at/updated_at values (clients cannot set timestamps, and ties are
 * what keyset pagination must survive).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signUp, startServer, type TestServer } from './helpers.js';

type User = Awaited<ReturnType<typeof signUp>>;
type Api = User['api'];
type Query = Record<string, string | number | boolean | Array<string | number | boolean>>;
interface Obj {
  id: string;
  type: string;
  status: string;
  owned_by: string;
  is_archived: boolean;
  created_at: string;
  updated_at: string;
  data: Record<string, any>;
}
interface ListBody {
  data: Obj[];
  meta: { count: number; has_more: boolean; next_cursor: string | null; limit: number; offset?: number };
}

// data__assignees (member ids and `me`) is covered in card-fields.test.ts.
const CARD_FILTERS = ['data__status', 'data__priority', 'data__tags', 'data__assignee', 'data__board_id', 'data__assignees', 'status', 'is_archived', 'owned_by'];
const BOARD_FILTERS = ['data__name', 'data__accent', 'data__tags', 'status', 'is_archived', 'owned_by'];
const CARD_SORTS = ['created_at', 'updated_at', 'data__position', 'data__status', 'data__priority', 'data__due_date'];
const BOARD_SORTS = ['created_at', 'updated_at', 'data__name'];
const PRIORITY_RANK: Record<string, number> = { low: 0, medium: 1, high: 2, critical: 3 };

let server: TestServer;
let alice: User; // owner of workspace 1
let bob: User; // member of workspace 1
let carol: User; // owner of workspace 2
let api: Api;

before(async () => {
  server = await startServer();
  alice = await signUp(server);
  bob = await signUp(server, { workspace: alice.workspace.slug, role: 'member' });
  carol = await signUp(server);
  api = alice.api;
  assert.equal(bob.workspace.id, alice.workspace.id);
  assert.notEqual(carol.workspace.id, alice.workspace.id);
});
after(() => server.close());

// ---------------------------------------------------------------------------------------------
// helpers

let seq = 0;
/** A tag no other test uses. */
function uniqueTag(prefix: string): string {
  seq += 1;
  return `${prefix}-${seq}-${Math.random().toString(36).slice(2, 8)}`;
}

async function create(who: Api, type: string, body: Record<string, unknown>): Promise<Obj> {
  const res = await who.post(`/xapi2/data/${type}`, { body });
  assert.equal(res.status, 201, `create ${type} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Obj;
}

async function patch(who: Api, type: string, id: string, body: Record<string, unknown>): Promise<Obj> {
  const res = await who.patch(`/xapi2/data/${type}/${id}`, { body });
  assert.equal(res.status, 200, `patch ${type} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Obj;
}

async function list(who: Api, type: string, query: Query = {}): Promise<ListBody> {
  const res = await who.get(`/xapi2/data/${type}`, { query });
  assert.equal(res.status, 200, `GET ${type} ${JSON.stringify(query)} → ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as ListBody;
  assert.ok(Array.isArray(body.data), 'data is an array');
  assert.equal(body.meta.count, body.data.length, 'meta.count is the number of objects on the page');
  return body;
}

async function listIds(who: Api, type: string, query: Query = {}): Promise<string[]> {
  return ids((await list(who, type, query)).data);
}

/** A 400 `invalid_query`; returns the body for message checks. */
async function listError(who: Api, type: string, query: Query, field: string): Promise<any> {
  const res = await who.get(`/xapi2/data/${type}`, { query });
  assert.equal(res.status, 400, `GET ${type} ${JSON.stringify(query)} should be a 400; got ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.body.code, 'invalid_query', JSON.stringify(res.body));
  assert.equal(typeof res.body.detail, 'string');
  assert.ok(
    res.body.errors.some((e: { field: string }) => e.field === field),
    `errors name the field ${field}: ${JSON.stringify(res.body.errors)}`,
  );
  return res.body;
}

const ids = (objs: Obj[]) => objs.map((o) => o.id);
const sorted = (values: string[]) => [...values].sort();

/**
 * Walks every page with `after`, checking each page's meta, and returns the concatenated ids.
 * Fails on a page with has_more but no follower, an empty page after the first, or a loop.
 */
async function walk(who: Api, type: string, query: Query, limit: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page += 1) {
    const body = await list(who, type, { ...query, limit, ...(cursor ? { after: cursor } : {}) });
    assert.equal(body.meta.limit, limit);
    assert.ok(body.data.length <= limit, 'a page holds at most limit objects');
    if (page > 0) assert.ok(body.data.length > 0, `has_more was true but the page after ${cursor} is empty (${JSON.stringify(query)})`);
    out.push(...ids(body.data));
    if (!body.meta.has_more) {
      assert.equal(body.meta.next_cursor, null, 'next_cursor is null on the last page');
      return out;
    }
    assert.equal(body.data.length, limit, 'a page followed by more is full');
    assert.equal(body.meta.next_cursor, body.data[body.data.length - 1].id, 'next_cursor is the id of the last object of the page');
    cursor = body.meta.next_cursor!;
  }
  assert.fail(`pagination did not end for ${JSON.stringify(query)}`);
}

type SortValue = string | number | null;

/** The value an object is sorted by for a wire sort key (priority by rank). */
function sortValue(o: Obj, key: string): SortValue {
  if (key === 'created_at' || key === 'updated_at') return o[key];
  const field = key.slice('data__'.length);
  const v = o.data[field];
  if (v === undefined || v === null) return null;
  if (field === 'priority') return PRIORITY_RANK[v as string];
  return v as string | number;
}

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Asserts the objects are in sort order: by value (desc reverses), ties by id in the same direction,
 * NULLs together at one end (ordered by id in the sort direction among themselves).
 */
function assertSorted(objs: Obj[], key: string, desc: boolean, label: string) {
  const dir = desc ? -1 : 1;
  const values = objs.map((o) => sortValue(o, key));
  const nullIdx = values.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0);
  if (nullIdx.length > 0) {
    const atStart = nullIdx[0] === 0 && nullIdx[nullIdx.length - 1] === nullIdx.length - 1;
    const atEnd = nullIdx[0] === objs.length - nullIdx.length && nullIdx[nullIdx.length - 1] === objs.length - 1;
    assert.ok(atStart || atEnd, `${label}: objects without a value are grouped at one end: ${JSON.stringify(values)}`);
  }
  for (let i = 1; i < objs.length; i += 1) {
    const [a, b] = [values[i - 1], values[i]];
    if ((a === null) !== (b === null)) continue; // the boundary of the NULL group
    const byValue = a === null || b === null ? 0 : cmp(a, b) * dir;
    assert.ok(byValue <= 0, `${label}: ${JSON.stringify(a)} comes before ${JSON.stringify(b)} at ${i}: ${JSON.stringify(values)}`);
    if (byValue === 0) {
      assert.ok(
        cmp(objs[i - 1].id, objs[i].id) * dir < 0,
        `${label}: the tie on ${JSON.stringify(a)} breaks by id ${desc ? 'descending' : 'ascending'} (${objs[i - 1].id} then ${objs[i].id})`,
      );
    }
  }
}

/** Sets created_at/updated_at directly (on either store): clients cannot, and ties are what must be exercised. */
async function forceTimestamps(changes: Array<{ id: string; created_at?: string; updated_at?: string }>) {
  for (const c of changes) {
    if (c.created_at) await server.query('UPDATE objects SET created_at = ? WHERE id = ? RETURNING id', c.created_at, c.id);
    if (c.updated_at) await server.query('UPDATE objects SET updated_at = ? WHERE id = ? RETURNING id', c.updated_at, c.id);
  }
  const rows = await server.query<{ id: string; created_at: string; updated_at: string }>(
    `SELECT id, created_at, updated_at FROM objects WHERE id IN (${changes.map(() => '?').join(', ')})`,
    ...changes.map((c) => c.id),
  );
  for (const c of changes) {
    const row = rows.find((r) => r.id === c.id);
    if (c.created_at) assert.equal(row?.created_at, c.created_at, 'the forced created_at is stored');
    if (c.updated_at) assert.equal(row?.updated_at, c.updated_at, 'the forced updated_at is stored');
  }
}

// ---------------------------------------------------------------------------------------------
// filters

describe('filters', () => {
  let tag: string;
  let tagX: string;
  let tagY: string;
  let b1: Obj;
  let b2: Obj;
  let c1: Obj; // alice, b1 todo, high, ada, [tag, x]
  let c2: Obj; // alice, b1 done, low, bob, [tag, y]
  let c3: Obj; // bob, b2 beta, critical, ada, [tag, x, y]
  let c4: Obj; // alice, no board, medium, no assignee, [tag]
  let c5: Obj; // alice, b1 todo, high, ada, [tag, x], archived

  before(async () => {
    tag = uniqueTag('flt');
    tagX = `${tag}-x`;
    tagY = `${tag}-y`;
    b1 = await create(api, 'board', { name: `filter one ${tag}`, accent: 'blue', tags: [tag] });
    b2 = await create(api, 'board', { name: `filter two ${tag}`, accent: 'rose', tags: [tag, tagX], columns: 'Alpha, Beta' });
    c1 = await create(api, 'card', { title: 'c1', board_id: b1.id, status: 'todo', priority: 'high', assignee: 'ada', tags: [tag, tagX] });
    c2 = await create(api, 'card', { title: 'c2', board_id: b1.id, status: 'done', priority: 'low', assignee: 'bob', tags: [tag, tagY] });
    c3 = await create(bob.api, 'card', { title: 'c3', board_id: b2.id, status: 'beta', priority: 'critical', assignee: 'ada', tags: [tag, tagX, tagY] });
    c4 = await create(api, 'card', { title: 'c4', priority: 'medium', tags: [tag] });
    c5 = await create(api, 'card', { title: 'c5', board_id: b1.id, status: 'todo', priority: 'high', assignee: 'ada', tags: [tag, tagX] });
    c5 = await patch(api, 'card', c5.id, { is_archived: true });
    assert.equal(c5.is_archived, true);
    assert.equal(c3.owned_by, bob.user.id);
    assert.equal(c1.owned_by, alice.user.id);
  });

  const cards = async (query: Query, who: Api = api) => sorted(await listIds(who, 'card', query));
  const expect = (...objs: Obj[]) => sorted(ids(objs));

  test('data__tags matches cards whose tags contain the value; repeated means any of them', async () => {
    assert.deepEqual(await cards({ data__tags: tag }), expect(c1, c2, c3, c4));
    assert.deepEqual(await cards({ data__tags: tagX }), expect(c1, c3));
    assert.deepEqual(await cards({ data__tags: tagY }), expect(c2, c3));
    assert.deepEqual(await cards({ data__tags: [tagX, tagY] }), expect(c1, c2, c3));
    assert.deepEqual(await cards({ data__tags: `${tag}-nothing` }), []);
    // A tag filter is exact per tag, not a substring of the JSON array.
    assert.deepEqual(await cards({ data__tags: tag.slice(0, -1) }), []);
  });

  test('data__status, one value and repeated (IN)', async () => {
    assert.deepEqual(await cards({ data__tags: tag, data__status: 'todo' }), expect(c1));
    assert.deepEqual(await cards({ data__tags: tag, data__status: 'done' }), expect(c2));
    assert.deepEqual(await cards({ data__tags: tag, data__status: ['todo', 'done'] }), expect(c1, c2));
    assert.deepEqual(await cards({ data__tags: tag, data__status: ['todo', 'done', 'beta'] }), expect(c1, c2, c3));
    assert.deepEqual(await cards({ data__tags: tag, data__status: 'review' }), []);
  });

  test('data__priority, one value and repeated (IN)', async () => {
    assert.deepEqual(await cards({ data__tags: tag, data__priority: 'high' }), expect(c1));
    assert.deepEqual(await cards({ data__tags: tag, data__priority: ['high', 'critical'] }), expect(c1, c3));
    assert.deepEqual(await cards({ data__tags: tag, data__priority: ['low', 'medium'] }), expect(c2, c4));
  });

  test('data__assignee, one value and repeated (IN)', async () => {
    assert.deepEqual(await cards({ data__tags: tag, data__assignee: 'ada' }), expect(c1, c3));
    assert.deepEqual(await cards({ data__tags: tag, data__assignee: 'bob' }), expect(c2));
    assert.deepEqual(await cards({ data__tags: tag, data__assignee: ['ada', 'bob'] }), expect(c1, c2, c3));
    assert.deepEqual(await cards({ data__tags: tag, data__assignee: 'nobody' }), []);
  });

  test('data__board_id, one value and repeated (IN), without a tag filter', async () => {
    assert.deepEqual(await cards({ data__board_id: b1.id }), expect(c1, c2));
    assert.deepEqual(await cards({ data__board_id: b2.id }), expect(c3));
    assert.deepEqual(await cards({ data__board_id: [b1.id, b2.id] }), expect(c1, c2, c3));
    assert.deepEqual(await cards({ data__board_id: randomUUID() }), []);
  });

  test('top-level status (record lifecycle): active matches all live objects', async () => {
    assert.deepEqual(await cards({ data__tags: tag, status: 'active' }), expect(c1, c2, c3, c4));
    assert.deepEqual(await cards({ data__tags: tag, status: 'retired' }), []);
    assert.deepEqual(await cards({ data__tags: tag, status: ['retired', 'active'] }), expect(c1, c2, c3, c4));
  });

  test('archived objects are left out unless is_archived is filtered on', async () => {
    const all = await listIds(api, 'card', { data__tags: tag });
    assert.ok(!all.includes(c5.id), 'the archived card is not listed by default');
    assert.ok(!(await listIds(api, 'card', { data__board_id: b1.id, data__status: 'todo' })).includes(c5.id));
    assert.ok(!(await listIds(api, 'card', { data__tags: tag, sort: '-created_at' })).includes(c5.id));
  });

  test('deleted objects never appear, not even with is_archived', async () => {
    const doomed = await create(api, 'card', { title: 'doomed', tags: [tag, `${tag}-doomed`], priority: 'high' });
    assert.deepEqual(await listIds(api, 'card', { data__tags: `${tag}-doomed` }), [doomed.id]);
    assert.equal((await api.delete(`/xapi2/data/card/${doomed.id}`)).status, 200);
    assert.deepEqual(await listIds(api, 'card', { data__tags: `${tag}-doomed` }), []);
    assert.deepEqual(await listIds(api, 'card', { data__tags: `${tag}-doomed`, is_archived: ['true', 'false'] }), []);
    assert.deepEqual(await cards({ data__tags: tag, data__priority: 'high', is_archived: ['1', '0'] }), expect(c1, c5));
  });

  test('is_archived takes true/false/True/False/1/0 (and repeated means both)', async () => {
    for (const yes of ['true', 'True', 'TRUE', '1']) {
      assert.deepEqual(await cards({ data__tags: tag, is_archived: yes }), expect(c5), `is_archived=${yes}`);
    }
    for (const no of ['false', 'False', 'FALSE', '0']) {
      assert.deepEqual(await cards({ data__tags: tag, is_archived: no }), expect(c1, c2, c3, c4), `is_archived=${no}`);
    }
    assert.deepEqual(await cards({ data__tags: tag, is_archived: ['True', '0'] }), expect(c1, c2, c3, c4, c5));
    const bad = await listError(api, 'card', { data__tags: tag, is_archived: 'yes' }, 'is_archived');
    assert.match(bad.detail, /true|false/i);
  });

  test('owned_by: a user id, me (the caller), and repeated (IN)', async () => {
    assert.deepEqual(await cards({ data__tags: tag, owned_by: 'me' }), expect(c1, c2, c4));
    assert.deepEqual(await cards({ data__tags: tag, owned_by: 'me' }, bob.api), expect(c3));
    assert.deepEqual(await cards({ data__tags: tag, owned_by: alice.user.id }), expect(c1, c2, c4));
    assert.deepEqual(await cards({ data__tags: tag, owned_by: bob.user.id }), expect(c3));
    assert.deepEqual(await cards({ data__tags: tag, owned_by: [alice.user.id, bob.user.id] }), expect(c1, c2, c3, c4));
    assert.deepEqual(await cards({ data__tags: tag, owned_by: ['me', bob.user.id] }), expect(c1, c2, c3, c4));
    assert.deepEqual(await cards({ data__tags: tag, owned_by: randomUUID() }), []);
    assert.deepEqual(await cards({ data__tags: tag, owned_by: 'me', is_archived: 'True' }), expect(c5));
  });

  test('filters combine with AND across parameters', async () => {
    assert.deepEqual(await cards({ data__tags: tagX, data__assignee: 'ada', data__priority: ['high', 'critical'], owned_by: 'me' }), expect(c1));
    assert.deepEqual(
      await cards({ data__tags: tagX, data__assignee: 'ada', data__priority: 'high', owned_by: 'me', is_archived: ['1', '0'], data__board_id: b1.id, data__status: 'todo', status: 'active' }),
      expect(c1, c5),
    );
  });

  test('board filters: data__name, data__accent, data__tags, status, is_archived, owned_by', async () => {
    const boards = async (query: Query, who: Api = api) => sorted(await listIds(who, 'board', query));
    const b3 = await create(bob.api, 'board', { name: `filter three ${tag}`, accent: 'blue', tags: [tag] });
    let b4 = await create(api, 'board', { name: `filter four ${tag}`, accent: 'amber', tags: [tag] });
    b4 = await patch(api, 'board', b4.id, { is_archived: true });

    assert.deepEqual(await boards({ data__tags: tag }), expect(b1, b2, b3));
    assert.deepEqual(await boards({ data__tags: tagX }), expect(b2));
    assert.deepEqual(await boards({ data__tags: [tagX, `${tag}-none`] }), expect(b2));
    assert.deepEqual(await boards({ data__name: `filter one ${tag}` }), expect(b1));
    assert.deepEqual(await boards({ data__name: [`filter one ${tag}`, `filter two ${tag}`] }), expect(b1, b2));
    assert.deepEqual(await boards({ data__name: `filter ${tag}` }), [], 'data__name is an exact match');
    assert.deepEqual(await boards({ data__tags: tag, data__accent: 'blue' }), expect(b1, b3));
    assert.deepEqual(await boards({ data__tags: tag, data__accent: ['blue', 'rose'] }), expect(b1, b2, b3));
    assert.deepEqual(await boards({ data__tags: tag, data__accent: 'amber' }), [], 'the archived amber board is left out');
    assert.deepEqual(await boards({ data__tags: tag, data__accent: 'amber', is_archived: 'True' }), expect(b4));
    assert.deepEqual(await boards({ data__tags: tag, is_archived: '1' }), expect(b4));
    assert.deepEqual(await boards({ data__tags: tag, is_archived: 'False' }), expect(b1, b2, b3));
    assert.deepEqual(await boards({ data__tags: tag, is_archived: ['true', 'false'] }), expect(b1, b2, b3, b4));
    assert.deepEqual(await boards({ data__tags: tag, status: 'active' }), expect(b1, b2, b3));
    assert.deepEqual(await boards({ data__tags: tag, status: 'gone' }), []);
    assert.deepEqual(await boards({ data__tags: tag, owned_by: 'me' }), expect(b1, b2));
    assert.deepEqual(await boards({ data__tags: tag, owned_by: 'me' }, bob.api), expect(b3));
    assert.deepEqual(await boards({ data__tags: tag, owned_by: [alice.user.id, bob.user.id] }), expect(b1, b2, b3));
  });

  test('an unknown filter is a 400 that lists the allowed filters, never ignored', async () => {
    for (const param of ['data__title', 'data__name', 'data__due_date', 'data__position', 'foo', 'id', 'is_deleted', 'workspace_id', 'data__tags ']) {
      const body = await listError(api, 'card', { data__tags: tag, [param]: 'x' }, param);
      for (const allowed of CARD_FILTERS) assert.ok(body.detail.includes(allowed), `the message for ${param} names ${allowed}: ${body.detail}`);
    }
    for (const param of ['data__status', 'data__priority', 'data__board_id', 'data__description', 'title']) {
      const body = await listError(api, 'board', { [param]: 'x' }, param);
      for (const allowed of BOARD_FILTERS) assert.ok(body.detail.includes(allowed), `the message for ${param} names ${allowed}: ${body.detail}`);
    }
    // Several unknown filters are all reported.
    const two = await listError(api, 'card', { nope: '1', zilch: '2' }, 'nope');
    assert.ok(two.errors.some((e: { field: string }) => e.field === 'zilch'), JSON.stringify(two.errors));
  });

  test('an unknown sort is a 400 that lists the allowed sorts', async () => {
    for (const sort of ['title', 'data__title', '-data__name', 'data__assignee', 'id', '--created_at', '+created_at', '-']) {
      const body = await listError(api, 'card', { sort }, 'sort');
      for (const allowed of CARD_SORTS) assert.ok(body.detail.includes(allowed), `the message for sort=${sort} names ${allowed}: ${body.detail}`);
    }
    for (const sort of ['data__position', '-data__priority', 'name', 'data__accent']) {
      const body = await listError(api, 'board', { sort }, 'sort');
      for (const allowed of BOARD_SORTS) assert.ok(body.detail.includes(allowed), `the message for sort=${sort} names ${allowed}: ${body.detail}`);
    }
  });

  test('the manifest advertises exactly the filters and sorts these tests cover', async () => {
    const res = await api.get('/xapi2/mcp/manifest');
    assert.equal(res.status, 200);
    assert.deepEqual(sorted(res.body.models.card.allowed_filters), sorted(CARD_FILTERS));
    assert.deepEqual(sorted(res.body.models.board.allowed_filters), sorted(BOARD_FILTERS));
    assert.deepEqual(sorted(res.body.models.card.allowed_sorts), sorted(CARD_SORTS));
    assert.deepEqual(sorted(res.body.models.board.allowed_sorts), sorted(BOARD_SORTS));
    assert.equal(res.body.models.card.default_sort, 'data__position');
    assert.equal(res.body.models.board.default_sort, 'created_at');
  });
});

// ---------------------------------------------------------------------------------------------
// sorting and keyset pagination

describe('sort and keyset pagination (cards)', () => {
  let tag: string;
  let all: Obj[];

  before(async () => {
    tag = uniqueTag('srt');
    const b1 = await create(api, 'board', { name: `sort one ${tag}` });
    const b2 = await create(api, 'board', { name: `sort two ${tag}`, columns: 'Alpha, Beta' });
    const specs: Array<Record<string, unknown>> = [
      { board_id: b1.id, status: 'todo', priority: 'high', due_date: '2026-03-01' },
      { board_id: b1.id, status: 'todo', priority: 'high', due_date: '2026-03-01' },
      { board_id: b1.id, status: 'done', priority: 'low' },
      { board_id: b2.id, status: 'alpha', priority: 'critical', due_date: '2026-01-15' },
      { board_id: b2.id, status: 'beta', due_date: '2026-03-01' },
      { priority: 'medium' },
      { status: 'todo', priority: 'high', due_date: '2026-01-15' },
      {},
      { board_id: b1.id, status: 'in_progress', priority: 'medium', due_date: '2026-12-31' },
      { board_id: b2.id, status: 'alpha', priority: 'high', due_date: '2026-01-15' },
      { status: 'zeta', priority: 'low', position: 2048.5 },
      { board_id: b1.id, status: 'todo', priority: 'critical', due_date: '2026-12-31T09:00:00Z', position: 1 },
    ];
    const made: Obj[] = [];
    for (const [i, spec] of specs.entries()) made.push(await create(api, 'card', { title: `sort ${i}`, tags: [tag], ...spec }));
    // Some later writes so updated_at differs from created_at.
    await patch(api, 'card', made[0].id, { description: 'touched' });
    await patch(api, 'card', made[6].id, { assignee: 'zed' });
    // Ties on the timestamps (and one timestamp shared by created_at of some and updated_at of others).
    const t1 = '2030-01-01T00:00:00.000Z';
    const t2 = '2030-02-01T00:00:00.000Z';
    await forceTimestamps([
      { id: made[1].id, created_at: t1 }, { id: made[4].id, created_at: t1 }, { id: made[7].id, created_at: t1 }, { id: made[10].id, created_at: t1 },
      { id: made[2].id, updated_at: t2 }, { id: made[3].id, updated_at: t2 }, { id: made[8].id, updated_at: t2 }, { id: made[11].id, updated_at: t2 },
      { id: made[5].id, updated_at: t1 },
    ]);
    all = (await list(api, 'card', { data__tags: tag, limit: 200 })).data;
    assert.equal(all.length, specs.length);
    // The data really has ties and NULLs where the tests need them.
    const positions = all.map((o) => o.data.position);
    assert.ok(positions.filter((p) => p === 1024).length >= 4, `several cards share position 1024: ${positions}`);
    assert.ok(all.filter((o) => o.data.due_date === undefined).length >= 3, 'several cards have no due date');
    assert.ok(all.filter((o) => o.data.priority === undefined).length >= 2, 'several cards have no priority');
    assert.ok(all.filter((o) => o.data.status === undefined).length >= 2, 'several cards have no status');
  });

  for (const key of CARD_SORTS) {
    test(`sort=${key} and sort=-${key}: ordered, ties by id, desc is the exact reverse`, async () => {
      const asc = (await list(api, 'card', { data__tags: tag, sort: key })).data;
      const desc = (await list(api, 'card', { data__tags: tag, sort: `-${key}` })).data;
      assert.deepEqual(sorted(ids(asc)), sorted(ids(all)), 'the same objects in any order');
      assertSorted(asc, key, false, `sort=${key}`);
      assertSorted(desc, key, true, `sort=-${key}`);
      assert.deepEqual(ids(desc), ids(asc).reverse(), 'descending is ascending reversed (ties by id descending)');
    });

    for (const dir of ['', '-']) {
      test(`keyset pagination with sort=${dir}${key}: every page size walks the exact unpaginated order`, async () => {
        const query = { data__tags: tag, sort: `${dir}${key}` };
        const full = await listIds(api, 'card', { ...query, limit: 200 });
        assert.equal(full.length, all.length);
        for (const limit of [1, 2, 3, 5]) {
          const walked = await walk(api, 'card', query, limit);
          assert.deepEqual(walked, full, `limit=${limit} sort=${dir}${key}: pages concatenate to the full order`);
        }
      });
    }
  }

  test('the default card sort is data__position (ties by id)', async () => {
    const byDefault = await listIds(api, 'card', { data__tags: tag });
    const byPosition = await listIds(api, 'card', { data__tags: tag, sort: 'data__position' });
    assert.deepEqual(byDefault, byPosition);
    assert.deepEqual(await walk(api, 'card', { data__tags: tag }, 3), byPosition);
    assert.deepEqual(await listIds(api, 'card', { data__tags: tag, sort: '' }), byPosition, 'an empty sort is the default');
  });

  test('priority sorts by rank low < medium < high < critical, not alphabetically', async () => {
    const asc = (await list(api, 'card', { data__tags: tag, sort: 'data__priority' })).data;
    const seen = asc.map((o) => o.data.priority).filter((p) => p !== undefined);
    assert.deepEqual(seen, ['low', 'low', 'medium', 'medium', 'high', 'high', 'high', 'high', 'critical', 'critical']);
    const desc = (await list(api, 'card', { data__tags: tag, sort: '-data__priority' })).data;
    assert.deepEqual(desc.map((o) => o.data.priority).filter((p) => p !== undefined), [...seen].reverse());
  });

  test('ties on a value break by id in the sort direction (explicit check)', async () => {
    const highs = all.filter((o) => o.data.priority === 'high');
    const asc = (await list(api, 'card', { data__tags: tag, data__priority: 'high', sort: 'data__priority' })).data;
    assert.deepEqual(ids(asc), sorted(ids(highs)));
    const desc = (await list(api, 'card', { data__tags: tag, data__priority: 'high', sort: '-data__priority' })).data;
    assert.deepEqual(ids(desc), sorted(ids(highs)).reverse());
    const noDue = all.filter((o) => o.data.due_date === undefined);
    const dueAsc = (await list(api, 'card', { data__tags: tag, sort: 'data__due_date' })).data.filter((o) => o.data.due_date === undefined);
    assert.deepEqual(ids(dueAsc), sorted(ids(noDue)), 'cards without due_date (NULL) tie and break by id');
    const t1 = all.filter((o) => o.created_at === '2030-01-01T00:00:00.000Z');
    assert.equal(t1.length, 4);
    const created = (await list(api, 'card', { data__tags: tag, sort: '-created_at' })).data;
    assert.deepEqual(ids(created.slice(0, 4)), sorted(ids(t1)).reverse(), 'the newest created_at is shared by four cards, in id order descending');
  });

  test('offset skips rows in the sort order; after and offset combine', async () => {
    const full = await listIds(api, 'card', { data__tags: tag, sort: '-data__due_date' });
    assert.deepEqual(await listIds(api, 'card', { data__tags: tag, sort: '-data__due_date', offset: 4 }), full.slice(4));
    const page = await list(api, 'card', { data__tags: tag, sort: '-data__due_date', offset: 4, limit: 3 });
    assert.deepEqual(ids(page.data), full.slice(4, 7));
    assert.equal(page.meta.has_more, true);
    const afterPage = await list(api, 'card', { data__tags: tag, sort: '-data__due_date', after: full[2], offset: 1, limit: 3 });
    assert.deepEqual(ids(afterPage.data), full.slice(4, 7));
  });
});

describe('sort and keyset pagination (boards)', () => {
  let tag: string;
  let all: Obj[];

  before(async () => {
    tag = uniqueTag('bsrt');
    const names = ['delta', 'alpha', 'charlie', 'alpha', 'bravo', 'alpha', 'echo'];
    const made: Obj[] = [];
    for (const name of names) made.push(await create(api, 'board', { name, tags: [tag] }));
    await patch(api, 'board', made[2].id, { description: 'touched' });
    const t = '2031-05-05T05:05:05.005Z';
    await forceTimestamps([
      { id: made[0].id, created_at: t, updated_at: t }, { id: made[3].id, created_at: t }, { id: made[6].id, created_at: t, updated_at: t },
      { id: made[4].id, updated_at: t },
    ]);
    all = (await list(api, 'board', { data__tags: tag })).data;
    assert.equal(all.length, names.length);
  });

  for (const key of BOARD_SORTS) {
    test(`board sort=${key} and -${key}: ordered with id tie-break; keyset pages walk the exact order`, async () => {
      const asc = (await list(api, 'board', { data__tags: tag, sort: key })).data;
      const desc = (await list(api, 'board', { data__tags: tag, sort: `-${key}` })).data;
      assertSorted(asc, key, false, `board sort=${key}`);
      assertSorted(desc, key, true, `board sort=-${key}`);
      assert.deepEqual(ids(desc), ids(asc).reverse());
      assert.deepEqual(sorted(ids(asc)), sorted(ids(all)));
      for (const sort of [key, `-${key}`]) {
        const full = await listIds(api, 'board', { data__tags: tag, sort });
        for (const limit of [1, 2, 3]) assert.deepEqual(await walk(api, 'board', { data__tags: tag, sort }, limit), full, `board sort=${sort} limit=${limit}`);
      }
    });
  }

  test('the default board sort is created_at (ties by id)', async () => {
    const byDefault = await listIds(api, 'board', { data__tags: tag });
    assert.deepEqual(byDefault, await listIds(api, 'board', { data__tags: tag, sort: 'created_at' }));
    assertSorted(all, 'created_at', false, 'default board sort');
    assert.deepEqual(await walk(api, 'board', { data__tags: tag }, 2), byDefault);
  });

  test('data__name ties (three boards named alpha) break by id', async () => {
    const alphas = all.filter((b) => b.data.name === 'alpha');
    assert.equal(alphas.length, 3);
    const asc = await listIds(api, 'board', { data__tags: tag, sort: 'data__name' });
    assert.deepEqual(asc.slice(0, 3), sorted(ids(alphas)));
    const desc = await listIds(api, 'board', { data__tags: tag, sort: '-data__name' });
    assert.deepEqual(desc.slice(-3), sorted(ids(alphas)).reverse());
  });
});

describe('pagination meta and cursors', () => {
  let tag: string;
  let six: Obj[];

  before(async () => {
    tag = uniqueTag('pg');
    six = [];
    for (let i = 0; i < 6; i += 1) six.push(await create(api, 'card', { title: `page ${i}`, tags: [tag], priority: i % 2 ? 'high' : 'low' }));
  });

  test('six objects with limit 3: has_more is exact and the full last page ends the walk', async () => {
    const first = await list(api, 'card', { data__tags: tag, limit: 3 });
    assert.equal(first.data.length, 3);
    assert.equal(first.meta.has_more, true);
    assert.equal(first.meta.next_cursor, first.data[2].id);
    const second = await list(api, 'card', { data__tags: tag, limit: 3, after: first.meta.next_cursor! });
    assert.equal(second.data.length, 3);
    assert.equal(second.meta.has_more, false, 'the last page is full but nothing follows it');
    assert.equal(second.meta.next_cursor, null);
    const full = await listIds(api, 'card', { data__tags: tag });
    assert.deepEqual([...ids(first.data), ...ids(second.data)], full);
    assert.equal(new Set(full).size, 6);

    const exact = await list(api, 'card', { data__tags: tag, limit: 6 });
    assert.equal(exact.meta.has_more, false);
    assert.equal(exact.meta.next_cursor, null);
    const short = await list(api, 'card', { data__tags: tag, limit: 5 });
    assert.equal(short.meta.has_more, true);
    assert.equal(short.meta.next_cursor, short.data[4].id);
  });

  test('after the last object: an empty page, has_more false', async () => {
    const full = await listIds(api, 'card', { data__tags: tag });
    const end = await list(api, 'card', { data__tags: tag, after: full[full.length - 1] });
    assert.deepEqual(end.data, []);
    assert.equal(end.meta.has_more, false);
    assert.equal(end.meta.next_cursor, null);
  });

  test('after continues after that object in the current sort (mid-list cursor)', async () => {
    for (const sort of ['data__priority', '-data__priority', 'created_at', '-updated_at']) {
      const full = await listIds(api, 'card', { data__tags: tag, sort });
      for (let i = 0; i < full.length; i += 1) {
        assert.deepEqual(await listIds(api, 'card', { data__tags: tag, sort, after: full[i] }), full.slice(i + 1), `sort=${sort} after #${i}`);
      }
    }
  });

  test('an unknown or malformed after is a 400 naming after', async () => {
    for (const bad of ['nope', '123', '', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', `${six[0].id}x`, `'; DROP TABLE objects; --`]) {
      const body = await listError(api, 'card', { data__tags: tag, after: bad }, 'after');
      assert.match(body.detail, /after/);
    }
    await listError(api, 'card', { data__tags: tag, after: randomUUID() }, 'after');
    const board = await create(api, 'board', { name: 'not a card', tags: [tag] });
    await listError(api, 'card', { data__tags: tag, after: board.id }, 'after');
    await listError(api, 'card', { data__tags: tag, after: [six[0].id, six[1].id] }, 'after');
  });
});

// ---------------------------------------------------------------------------------------------
// limit and offset

describe('limit and offset', () => {
  let tag: string;
  let boardTag: string;

  before(async () => {
    tag = uniqueTag('lim');
    boardTag = uniqueTag('blim');
    for (let i = 0; i < 205; i += 1) await create(api, 'card', { title: `limit ${i}`, tags: [tag] });
    for (let i = 0; i < 52; i += 1) await create(api, 'board', { name: `limit ${i}`, tags: [boardTag] });
  });

  test('limit defaults to 50', async () => {
    const cards = await list(api, 'card', { data__tags: tag });
    assert.equal(cards.data.length, 50);
    assert.equal(cards.meta.limit, 50);
    assert.equal(cards.meta.has_more, true);
    const boards = await list(api, 'board', { data__tags: boardTag });
    assert.equal(boards.data.length, 50);
    assert.equal(boards.meta.limit, 50);
    assert.equal(boards.meta.has_more, true);
  });

  test('limit is clamped to max_limit: card 200, board 50', async () => {
    for (const limit of [201, 500, 100000]) {
      const cards = await list(api, 'card', { data__tags: tag, limit });
      assert.equal(cards.data.length, 200, `card limit=${limit}`);
      assert.equal(cards.meta.limit, 200);
      assert.equal(cards.meta.has_more, true);
    }
    const exactly = await list(api, 'card', { data__tags: tag, limit: 200 });
    assert.equal(exactly.data.length, 200);
    const rest = await list(api, 'card', { data__tags: tag, limit: 200, after: exactly.meta.next_cursor! });
    assert.equal(rest.data.length, 5);
    assert.equal(rest.meta.has_more, false);
    for (const limit of [51, 100, 200]) {
      const boards = await list(api, 'board', { data__tags: boardTag, limit });
      assert.equal(boards.data.length, 50, `board limit=${limit}`);
      assert.equal(boards.meta.limit, 50);
      assert.equal(boards.meta.has_more, true);
    }
    const small = await list(api, 'board', { data__tags: boardTag, limit: 7 });
    assert.equal(small.data.length, 7);
    assert.equal(small.meta.limit, 7);
  });

  test('a very large whole-number limit is clamped too, not rejected', async () => {
    const res = await api.get('/xapi2/data/card', { query: { data__tags: tag, limit: '10000000000' } });
    assert.equal(res.status, 200, `limit=10000000000 is a whole number ≥ 1 and should be clamped to 200; got ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.data.length, 200);
    assert.equal(res.body.meta.limit, 200);
  });

  test('a very large whole-number offset is an empty page, not a 400', async () => {
    const res = await api.get('/xapi2/data/card', { query: { data__tags: tag, offset: '10000000000' } });
    assert.equal(res.status, 200, `offset=10000000000 is a whole number ≥ 0 and should skip past every row; got ${res.status} ${JSON.stringify(res.body)}`);
    assert.deepEqual(res.body.data, []);
    assert.equal(res.body.meta.has_more, false);
  });

  test('limit 0, negative, non-integer, empty or repeated is a 400', async () => {
    for (const limit of ['0', '-1', '-50', '1.5', '2e1', 'abc', '', '0x10', 'Infinity', 'NaN']) {
      const body = await listError(api, 'card', { data__tags: tag, limit }, 'limit');
      assert.match(body.detail, /limit/);
    }
    await listError(api, 'card', { data__tags: tag, limit: ['5', '6'] }, 'limit');
    await listError(api, 'board', { limit: '0' }, 'limit');
  });

  test('a negative or non-integer offset is a 400', async () => {
    for (const offset of ['-1', '-100', '1.5', 'x']) {
      const body = await listError(api, 'card', { data__tags: tag, offset }, 'offset');
      assert.match(body.detail, /offset/);
    }
  });

  test('offset skips rows', async () => {
    const full = await listIds(api, 'card', { data__tags: tag, limit: 200 });
    assert.equal(full.length, 200);
    assert.deepEqual(await listIds(api, 'card', { data__tags: tag, offset: 0, limit: 10 }), full.slice(0, 10));
    assert.deepEqual(await listIds(api, 'card', { data__tags: tag, offset: 10, limit: 10 }), full.slice(10, 20));
    const tail = await list(api, 'card', { data__tags: tag, offset: 200, limit: 10 });
    assert.equal(tail.data.length, 5);
    assert.equal(tail.meta.has_more, false);
    assert.equal(tail.meta.next_cursor, null);
    const beyond = await list(api, 'card', { data__tags: tag, offset: 1000 });
    assert.deepEqual(beyond.data, []);
    assert.equal(beyond.meta.has_more, false);
    const edge = await list(api, 'card', { data__tags: tag, offset: 195, limit: 10 });
    assert.equal(edge.data.length, 10);
    assert.equal(edge.meta.has_more, false, 'offset 195 + 10 reaches exactly the 205th card');
    const boards = await listIds(api, 'board', { data__tags: boardTag, offset: 50 });
    assert.equal(boards.length, 2);
  });
});

// ---------------------------------------------------------------------------------------------
// full-text search

describe('q: full-text search', () => {
  let tag: string;
  let q1: Obj; // title zorblax quuxlaunch, description with and/or/near/not
  let q2: Obj; // description-only zorblax
  let q3: Obj; // title zorblaxian (prefix)
  let q5: Obj; // archived zorblax
  let boardA: Obj;
  let boardB: Obj;

  before(async () => {
    tag = uniqueTag('fts');
    q1 = await create(api, 'card', { title: 'Zorblax quuxlaunch checklist', description: 'prepare and review or near not', tags: [tag], priority: 'high' });
    q2 = await create(api, 'card', { title: 'Quarterly plan', description: 'this body mentions zorblax once', tags: [tag], priority: 'low' });
    q3 = await create(api, 'card', { title: 'Zorblaxian empire', tags: [tag], priority: 'high' });
    await create(api, 'card', { title: 'Unrelated thing', description: 'nothing to see', tags: [tag] }); // never found
    q5 = await create(api, 'card', { title: 'zorblax archived', tags: [tag] });
    q5 = await patch(api, 'card', q5.id, { is_archived: true });
    boardA = await create(api, 'board', { name: 'Frobnitzer roadmap', description: 'plans', tags: [tag] });
    boardB = await create(api, 'board', { name: 'Other board', description: 'all about frobnitzer work', tags: [tag] });
    await create(api, 'board', { name: 'Frobnitzer old', tags: [tag] }).then((b) => patch(api, 'board', b.id, { is_archived: true }));
  });

  test('finds by word (case-insensitive) over title and description, ranked: title matches first', async () => {
    for (const q of ['zorblax', 'ZORBLAX', 'Zorblax']) {
      const found = await listIds(api, 'card', { q });
      assert.deepEqual(sorted(found), sorted(ids([q1, q2, q3])), `q=${q} finds the live cards mentioning it (archived left out)`);
      assert.equal(found[found.length - 1], q2.id, `q=${q}: the description-only match ranks below title matches`);
    }
    assert.deepEqual(await listIds(api, 'card', { q: 'quuxlaunch' }), [q1.id]);
    assert.deepEqual(await listIds(api, 'card', { q: 'mentions' }), [q2.id], 'description words are searched');
  });

  test('a title match outranks a description-only match regardless of creation order', async () => {
    const word = `blemgar${seq}`;
    const desc = await create(api, 'card', { title: 'first made', description: `about ${word} in the body`, tags: [tag] });
    const title = await create(api, 'card', { title: `${word} in the title`, tags: [tag] });
    assert.deepEqual(await listIds(api, 'card', { q: word }), [title.id, desc.id]);
    // And as a keyset walk of one per page.
    assert.deepEqual(await walk(api, 'card', { q: word }, 1), [title.id, desc.id]);
  });

  test('finds by prefix', async () => {
    assert.deepEqual(sorted(await listIds(api, 'card', { q: 'zorbl' })), sorted(ids([q1, q2, q3])));
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblaxi' }), [q3.id]);
    assert.deepEqual(await listIds(api, 'card', { q: 'quux' }), [q1.id]);
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax quux' }), [q1.id], 'every word must match');
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax nomatchword' }), []);
  });

  test('searches boards by name and description', async () => {
    const found = await listIds(api, 'board', { q: 'frobnitzer' });
    assert.deepEqual(found, [boardA.id, boardB.id], 'name match first, archived board left out');
    assert.equal((await listIds(api, 'board', { q: 'frobnitzer', is_archived: 'true' })).length, 1);
    assert.deepEqual(await listIds(api, 'board', { q: 'roadmap' }), [boardA.id]);
  });

  test('q combines with filters', async () => {
    assert.deepEqual(sorted(await listIds(api, 'card', { q: 'zorblax', data__priority: 'high' })), sorted(ids([q1, q3])));
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax', data__priority: 'low' }), [q2.id]);
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax', is_archived: 'True' }), [q5.id]);
    assert.deepEqual(sorted(await listIds(api, 'card', { q: 'zorblax', is_archived: ['1', '0'], data__tags: tag })), sorted(ids([q1, q2, q3, q5])));
    assert.deepEqual(sorted(await listIds(api, 'card', { q: 'zorblax', owned_by: 'me' })), sorted(ids([q1, q2, q3])));
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax', owned_by: 'me' }), await listIds(api, 'card', { q: 'zorblax' }), 'filters keep the rank order');
    assert.deepEqual(await listIds(bob.api, 'card', { q: 'zorblax', owned_by: 'me' }), []);
  });

  test('q combines with sort (sort wins over rank)', async () => {
    const byCreatedThenId = (a: Obj, b: Obj) => cmp(a.created_at, b.created_at) || cmp(a.id, b.id);
    const expected = ids([q1, q2, q3].sort(byCreatedThenId));
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax', sort: 'created_at' }), expected);
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax', sort: '-created_at' }), [...expected].reverse());
    const byPriority = (await list(api, 'card', { q: 'zorblax', sort: '-data__priority' })).data;
    assert.deepEqual(ids(byPriority), [...sorted(ids([q1, q3])).reverse(), q2.id]);
    await listError(api, 'card', { q: 'zorblax', sort: 'rank' }, 'sort');
  });

  test('updates and deletes are reflected in search', async () => {
    const word = `snarfle${seq}`;
    let card = await create(api, 'card', { title: 'plain', tags: [tag] });
    assert.deepEqual(await listIds(api, 'card', { q: word }), []);
    card = await patch(api, 'card', card.id, { description: `now ${word}` });
    assert.deepEqual(await listIds(api, 'card', { q: word }), [card.id]);
    card = await patch(api, 'card', card.id, { description: null });
    assert.deepEqual(await listIds(api, 'card', { q: word }), []);
    card = await patch(api, 'card', card.id, { title: word });
    assert.deepEqual(await listIds(api, 'card', { q: word }), [card.id]);
    assert.equal((await api.delete(`/xapi2/data/card/${card.id}`)).status, 200);
    assert.deepEqual(await listIds(api, 'card', { q: word }), []);
  });

  test('an update that leaves the searched text (a move, a priority) keeps the card findable by title, description and comment', async () => {
    const word = `quibbet${seq}`;
    const board = await create(api, 'board', { name: `search moves ${seq}`, columns: 'To do, Doing, Done', tags: [tag] });
    let card = await create(api, 'card', { title: `${word} title`, description: `about glimmet${seq}`, board_id: board.id, tags: [tag] });
    const comment = await api.post(`/xapi2/cards/${card.id}/comments`, { body: { body: `said frazzle${seq}` } });
    assert.equal(comment.status, 201, JSON.stringify(comment.body));
    const other = await create(api, 'card', { title: 'elsewhere', description: `mentions ${word}`, tags: [tag] });
    const findsAll = async (why: string) => {
      assert.deepEqual(await listIds(api, 'card', { q: word }), [card.id, other.id], `${why}: the title match still ranks first`);
      assert.deepEqual(await listIds(api, 'card', { q: `glimmet${seq}` }), [card.id], `${why}: description`);
      assert.deepEqual(await listIds(api, 'card', { q: `frazzle${seq}` }), [card.id], `${why}: comment`);
    };
    await findsAll('as created');
    card = await patch(api, 'card', card.id, { status: 'doing' });
    assert.equal(card.data.status ?? (card as any).status, 'doing');
    await findsAll('after a move');
    card = await patch(api, 'card', card.id, { priority: 'high', position: 5 });
    await findsAll('after a priority and position change');
    // The text itself changes after a move: the entry follows it, comment included.
    card = await patch(api, 'card', card.id, { title: `renamed ${seq}` });
    assert.deepEqual(await listIds(api, 'card', { q: word }), [other.id], 'the old title no longer finds it');
    assert.deepEqual(await listIds(api, 'card', { q: `renamed ${seq}` }), [card.id]);
    assert.deepEqual(await listIds(api, 'card', { q: `frazzle${seq}` }), [card.id], 'its comment still finds it');
  });

  test('FTS syntax characters in q are plain text, never a 500', async () => {
    const zorblax = sorted(ids([q1, q2, q3]));
    // Syntax around a real word: the word is searched as plain text.
    for (const q of ['"zorblax"', 'zorblax*', '(zorblax)', '-zorblax', '^zorblax', 'zorblax"', '"zorblax', '+zorblax', 'zorblax:', '{zorblax}', "zorblax'", 'zorblax;', 'zorblax\\', '%zorblax%', '_zorblax_', 'zorblax)', '((zorblax']) {
      const res = await api.get('/xapi2/data/card', { query: { q } });
      assert.equal(res.status, 200, `q=${q}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.deepEqual(sorted(ids(res.body.data)), zorblax, `q=${q} searches the word zorblax`);
    }
    // Operators are plain words (q1's description holds and/or/near/not).
    for (const q of ['zorblax AND quuxlaunch', 'zorblax OR quuxlaunch', 'zorblax NOT quuxlaunch', 'zorblax NEAR quuxlaunch', 'NEAR(zorblax quuxlaunch)', 'NEAR(zorblax quuxlaunch, 2)', 'title:zorblax and', 'body:quuxlaunch', 'zorblax AND', 'OR zorblax', '"zorblax quuxlaunch"', 'zorblax -quuxlaunch', 'zorblax^quuxlaunch']) {
      const res = await api.get('/xapi2/data/card', { query: { q } });
      assert.equal(res.status, 200, `q=${q}: ${res.status} ${JSON.stringify(res.body)}`);
      for (const o of res.body.data as Obj[]) assert.ok([q1.id, q2.id, q3.id].includes(o.id), `q=${q} only finds zorblax cards`);
    }
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax AND quuxlaunch' }), [q1.id]);
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax OR nothingatall' }), [], 'OR is a word, not an operator');
    assert.deepEqual(await listIds(api, 'card', { q: 'NEAR(zorblax quuxlaunch)' }), [q1.id]);
    assert.deepEqual(await listIds(api, 'card', { q: 'zorblax NOT quuxlaunch' }), [q1.id], 'NOT is a word, not an exclusion');
    assert.deepEqual(await listIds(api, 'card', { q: 'title:zorblax' }), [], 'title: is a word, not a column filter');
    // Nothing searchable left: a clear 400 naming q, never a 500.
    for (const q of ['"', '*', '()', ':', '^', '-', '"*"', '(*)', '""', '+', '"-"', '{}', '*:*', '\'', '🙂', '...']) {
      const res = await api.get('/xapi2/data/card', { query: { q } });
      assert.ok(res.status === 200 || res.status === 400, `q=${q}: ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 400) {
        assert.ok(res.body.errors.some((e: { field: string }) => e.field === 'q'), `q=${q}: the 400 names q`);
        assert.match(res.body.detail, /\bq\b/);
      }
    }
    await listError(api, 'card', { q: '"*"' }, 'q');
    // Non-Latin scripts and odd letters do not break the query either.
    for (const q of ['café', 'ꭰ', '中文', 'ǅ', 'Ꟁ', '𞤀', 'ﬁle', 'x'.repeat(200)]) {
      const res = await api.get('/xapi2/data/card', { query: { q } });
      assert.equal(res.status, 200, `q=${q}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    await listError(api, 'card', { q: 'x'.repeat(201) }, 'q');
    await listError(api, 'card', { q: ['a', 'b'] }, 'q');
    // An empty or blank q is no search at all.
    assert.deepEqual(await listIds(api, 'card', { q: '', data__tags: tag, limit: 200 }), await listIds(api, 'card', { data__tags: tag, limit: 200 }));
    assert.deepEqual(await listIds(api, 'card', { q: '   ', data__tags: tag, limit: 200 }), await listIds(api, 'card', { data__tags: tag, limit: 200 }));
  });

  test('keyset after works with q, ranked and sorted, through ties in rank', async () => {
    const word = `glimmerwump${seq}`;
    const ftag = uniqueTag('ftsk');
    // Equal documents tie on rank; others rank above (title) or below (description only, longer body).
    for (let i = 0; i < 4; i += 1) await create(api, 'card', { title: `${word} twin`, tags: [ftag] });
    for (let i = 0; i < 3; i += 1) await create(api, 'card', { title: 'below', description: `some longer body text that has ${word} in it, number ${i}`, tags: [ftag] });
    await create(api, 'card', { title: `${word}`, tags: [ftag] });
    await create(api, 'card', { title: `${word} ${word} and twin`, description: word, tags: [ftag], priority: 'high' });
    await create(api, 'card', { title: 'nope', tags: [ftag] });
    const ranked = (await list(api, 'card', { q: word })).data;
    assert.equal(ranked.length, 9);
    const twins = ranked.filter((o) => o.data.title === `${word} twin`);
    assert.equal(twins.length, 4);
    const twinIdx = ranked.findIndex((o) => o.data.title === `${word} twin`);
    assert.deepEqual(ids(ranked.slice(twinIdx, twinIdx + 4)), sorted(ids(twins)), 'rank ties are adjacent and break by id');
    assert.ok(ranked.slice(-3).every((o) => o.data.title === 'below'), 'description-only matches rank last');
    for (const limit of [1, 2, 3, 4]) {
      assert.deepEqual(await walk(api, 'card', { q: word }, limit), ids(ranked), `ranked q walk with limit=${limit}`);
    }
    for (const sort of ['data__priority', '-data__priority', 'created_at', '-data__position', 'data__due_date']) {
      const full = await listIds(api, 'card', { q: word, sort });
      assert.equal(full.length, 9);
      assert.deepEqual(await walk(api, 'card', { q: word, sort }, 3), full, `q with sort=${sort}`);
    }
    // With a filter too.
    const filtered = await listIds(api, 'card', { q: word, data__tags: ftag });
    assert.deepEqual(filtered, ids(ranked));
    assert.deepEqual(await walk(api, 'card', { q: word, data__tags: ftag }, 2), filtered);
  });
});

// ---------------------------------------------------------------------------------------------
// workspace isolation

describe('workspaces never mix', () => {
  test("another workspace's objects never appear: filters, sorts, q, after, owned_by", async () => {
    const tag = uniqueTag('iso');
    const word = `wuzzlethorp${seq}`;
    const mineBoard = await create(api, 'board', { name: `${word} mine`, tags: [tag] });
    const mine = await create(api, 'card', { title: `${word} mine`, tags: [tag], board_id: mineBoard.id, priority: 'high' });
    const theirsBoard = await create(carol.api, 'board', { name: `${word} theirs`, tags: [tag] });
    const theirs = await create(carol.api, 'card', { title: `${word} theirs`, tags: [tag], board_id: theirsBoard.id, priority: 'high' });
    const theirsArchived = await create(carol.api, 'card', { title: `${word} archived`, tags: [tag] });
    await patch(carol.api, 'card', theirsArchived.id, { is_archived: true });

    assert.deepEqual(await listIds(api, 'card', { data__tags: tag }), [mine.id]);
    assert.deepEqual(await listIds(carol.api, 'card', { data__tags: tag }), [theirs.id]);
    assert.deepEqual(await listIds(api, 'card', { data__tags: tag, is_archived: ['true', 'false'] }), [mine.id]);
    assert.deepEqual(await listIds(api, 'board', { data__tags: tag }), [mineBoard.id]);
    assert.deepEqual(await listIds(api, 'card', { q: word }), [mine.id]);
    assert.deepEqual(await listIds(carol.api, 'card', { q: word }), [theirs.id]);
    assert.deepEqual(await listIds(api, 'board', { q: word }), [mineBoard.id]);
    assert.deepEqual(await listIds(api, 'card', { q: word, sort: '-created_at' }), [mine.id]);
    assert.deepEqual(await listIds(api, 'card', { data__board_id: theirsBoard.id }), []);
    assert.deepEqual(await listIds(api, 'card', { owned_by: carol.user.id }), []);
    assert.deepEqual(await listIds(api, 'board', { owned_by: carol.user.id, is_archived: ['1', '0'] }), []);
    assert.deepEqual(await listIds(api, 'card', { data__tags: tag, data__priority: 'high', sort: '-data__priority' }), [mine.id]);

    // Without any filter, every sort: none of carol's objects.
    const carolIds = new Set([theirs.id, theirsArchived.id, theirsBoard.id]);
    for (const sort of CARD_SORTS.flatMap((s) => [s, `-${s}`])) {
      for (const id of await listIds(api, 'card', { sort, limit: 200, is_archived: ['true', 'false'] })) {
        assert.ok(!carolIds.has(id), `sort=${sort} leaks ${id}`);
      }
    }
    const walked = await walk(api, 'board', { sort: '-created_at', is_archived: ['1', '0'] }, 50);
    for (const id of walked) assert.ok(!carolIds.has(id), 'a board walk never reaches another workspace');
    assert.ok(walked.includes(mineBoard.id));

    // A cursor from another workspace is not a cursor here (and reveals nothing).
    await listError(api, 'card', { after: theirs.id }, 'after');
    await listError(api, 'card', { after: theirs.id, sort: '-created_at' }, 'after');
    await listError(api, 'card', { q: word, after: theirs.id }, 'after');
    await listError(carol.api, 'card', { after: mine.id }, 'after');
  });
});

describe('pages are written by the database', () => {
  // List pages and GET responses are built as JSON in SQL; they must be exactly what presentObject
  // makes of the same row (as the responses to writes are), whatever the strings, numbers and flags hold.
  test('every listed object equals its GET and its last write response, with hostile strings, floats, arrays and both flags', async () => {
    const tag = uniqueTag('json');
    const board = await create(api, 'board', { name: `json "quoted" \\ board ${tag}`, tags: [tag] });
    const hostile = [
      'quote " backslash \\ slash / tab \t newline \n return \r',
      'control \u0001\u001f and del \u007f',
      'emoji 🧪🚀, accents café naïve, CJK 看板, RTL עברית',
      '</script><script>alert(1)</script> & <b>',
      'separators \u2028 \u2029 and a BOM \ufeff',
    ];
    const cards: Obj[] = [];
    for (const [i, title] of hostile.entries()) {
      cards.push(await create(api, 'card', {
        title,
        description: `${title}\n\n**markdown** ${'long '.repeat(200)}`,
        board_id: board.id,
        status: 'todo',
        priority: ['low', 'medium', 'high', 'critical', 'low'][i],
        tags: [tag, `t "${i}"`, '🏷️'],
        assignee: i % 2 ? null : 'ada',
        due_date: i % 2 ? '2027-02-28' : null,
      }));
    }
    // Positions that are not integers, and one archived card.
    const middle = (cards[0].data.position + cards[1].data.position) / 2 + 0.123456789;
    cards[4] = await patch(api, 'card', cards[4].id, { position: middle });
    cards[3] = await patch(api, 'card', cards[3].id, { is_archived: true });
    const written = new Map(cards.map((c) => [c.id, c]));

    const seen = new Map<string, Obj>();
    const queries: Array<Record<string, string | boolean>> = [{ data__tags: tag }, { data__tags: tag, is_archived: true }, { data__board_id: board.id, sort: 'data__position' }, { q: 'emoji' }];
    for (const query of queries) {
      const res = await api.get('/xapi2/data/card', { query });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.ok((res.body as ListBody).data.length > 0, `${JSON.stringify(query)} lists something`);
      for (const listed of (res.body as ListBody).data) seen.set(listed.id, listed);
    }
    assert.deepEqual(sorted([...seen.keys()]), sorted(ids(cards)), 'every card was listed by one of the queries');
    for (const [id, listed] of seen) {
      const got = await api.get(`/xapi2/data/card/${id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(listed, got.body, `card ${id} is listed exactly as GET presents it`);
      assert.deepEqual(got.body, written.get(id), `card ${id}'s GET equals the presenter's response to its last write`);
    }
    assert.equal(seen.get(cards[3].id)!.is_archived, true);
    assert.equal(seen.get(cards[4].id)!.data.position, middle);
    assert.deepEqual(seen.get(cards[0].id)!.data.tags, [tag, 't "0"', '🏷️']);

    const boards = await list(api, 'board', { data__tags: tag });
    assert.deepEqual(boards.data, [(await api.get(`/xapi2/data/board/${board.id}`)).body]);
    assert.deepEqual(boards.data, [board]);
  });
});
