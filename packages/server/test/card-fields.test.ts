/**
 * Checklists and member assignees on cards, through the real server: validation that names the bad
 * item, ticking under If-Match, assignees limited to the workspace's members, the `me` filter, and
 * migration 8 turning free-text assignees that name a member into that member.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CHECKLIST_LIMITS, MAX_ASSIGNEES } from '@prodboard/shared';
import { withDatabaseBefore, } from './legacy-db.js';
import { databaseSnapshot, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let mate: Awaited<ReturnType<typeof signUp>>;
let stranger: Awaited<ReturnType<typeof signUp>>;

before(async () => {
  server = await startServer();
  owner = await signUp(server);
  mate = await signUp(server, { workspace: owner.workspace.slug, role: 'member' });
  stranger = await signUp(server);
});
after(() => server.close());

async function createCard(body: Record<string, unknown>, api = owner.api) {
  const res = await api.post('/xapi2/data/card', { body: { title: 'Card', ...body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

describe('checklists', () => {
  test('items are stored in order with ids, trimmed text and done defaulting to false', async () => {
    const card = await createCard({ checklist: [{ text: '  Write tests ' }, { id: 'ship', text: 'Ship', done: true }] });
    assert.equal(card.data.checklist.length, 2);
    assert.match(card.data.checklist[0].id, /^[A-Za-z0-9_-]{1,64}$/);
    assert.deepEqual(card.data.checklist[0], { id: card.data.checklist[0].id, text: 'Write tests', done: false });
    assert.deepEqual(card.data.checklist[1], { id: 'ship', text: 'Ship', done: true });
    const read = await owner.api.get(`/xapi2/data/card/${card.id}`);
    assert.deepEqual(read.body.data.checklist, card.data.checklist);

    // Rename, reorder and tick in one write; ids survive.
    const [write, ship] = card.data.checklist;
    const res = await owner.api.patch(`/xapi2/data/card/${card.id}`, {
      body: { checklist: [{ ...ship }, { ...write, text: 'Write more tests', done: true }] },
      headers: { 'if-match': String(card.version) },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.data.checklist, [ship, { id: write.id, text: 'Write more tests', done: true }]);

    // An empty list clears it.
    const cleared = await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { checklist: [] } });
    assert.equal('checklist' in cleared.body.data, false);
  });

  test('bad items are refused, each named by its field, and nothing changes', async () => {
    const card = await createCard({ checklist: [{ text: 'keep' }] });
    const cases: Array<[unknown, string, RegExp]> = [
      ['buy milk', 'checklist', /checklist must be an array/],
      [[{ text: '' }], 'checklist[0].text', /non-empty/],
      [[{ text: 'ok' }, { text: 42 }], 'checklist[1].text', /non-empty string/],
      [[{ text: 'a\u0000b' }], 'checklist[0].text', /NUL/],
      [[{ text: 'x'.repeat(CHECKLIST_LIMITS.maxTextLength + 1) }], 'checklist[0].text', /at most 500 characters/],
      [[{ text: 'a', done: 'yes' }], 'checklist[0].done', /true or false/],
      [[{ id: 'a b', text: 'a' }], 'checklist[0].id', /A-Z, a-z, 0-9/],
      [[{ id: 'x', text: 'a' }, { id: 'x', text: 'b' }], 'checklist[1].id', /used twice/],
      [[{ text: 'a', colour: 'red' }], 'checklist[0]', /unknown field colour/],
      [['just text'], 'checklist[0]', /must be an object/],
      [Array.from({ length: CHECKLIST_LIMITS.maxItems + 1 }, (_, i) => ({ text: `item ${i}` })), 'checklist', /at most 100 items; got 101/],
    ];
    const before = await databaseSnapshot(server);
    for (const [checklist, field, message] of cases) {
      const res = await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { checklist } });
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
      assert.ok(res.body.errors.some((e: { field: string }) => e.field === field), `${field} named in ${JSON.stringify(res.body.errors)}`);
      assert.match(res.body.detail, message);
      const created = await owner.api.post('/xapi2/data/card', { body: { title: 'x', checklist } });
      assert.equal(created.status, 400);
    }
    assert.deepEqual(await databaseSnapshot(server), before, 'a refused write changes nothing');
  });

  test('ticking on a stale version is a 412 and keeps the other tick; ticking on the fresh one works', async () => {
    const card = await createCard({ checklist: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }] });
    const tick = (id: string, items: Array<{ id: string; text: string; done: boolean }>) => items.map((i) => (i.id === id ? { ...i, done: true } : i));
    const first = await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { checklist: tick('a', card.data.checklist) }, headers: { 'if-match': String(card.version) } });
    assert.equal(first.status, 200);
    const stale = await mate.api.patch(`/xapi2/data/card/${card.id}`, { body: { checklist: tick('b', card.data.checklist) }, headers: { 'if-match': String(card.version) } });
    assert.equal(stale.status, 412, JSON.stringify(stale.body));
    const now = await owner.api.get(`/xapi2/data/card/${card.id}`);
    assert.deepEqual(now.body.data.checklist.map((i: { done: boolean }) => i.done), [true, false], 'the stale tick lost nothing');
    const fresh = await mate.api.patch(`/xapi2/data/card/${card.id}`, { body: { checklist: tick('b', now.body.data.checklist) }, headers: { 'if-match': String(now.body.version) } });
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.body.data.checklist.map((i: { done: boolean }) => i.done), [true, true]);
  });

  test('concurrent ticks under If-Match: exactly one wins, the others get 412', async () => {
    const card = await createCard({ checklist: Array.from({ length: 5 }, (_, i) => ({ id: `i${i}`, text: `Item ${i}` })) });
    const results = await Promise.all(
      card.data.checklist.map((item: { id: string }, n: number) =>
        (n % 2 ? mate : owner).api.patch(`/xapi2/data/card/${card.id}`, {
          body: { checklist: card.data.checklist.map((i: { id: string }) => (i.id === item.id ? { ...i, done: true } : i)) },
          headers: { 'if-match': String(card.version) },
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 412, 412, 412, 412]);
    const final = await owner.api.get(`/xapi2/data/card/${card.id}`);
    assert.equal(final.body.data.checklist.filter((i: { done: boolean }) => i.done).length, 1);
    assert.equal(final.body.version, card.version + 1);
  });
});

describe('assignees', () => {
  test('members (and "me") may be assigned; the list is stored as distinct user ids', async () => {
    const card = await createCard({ assignees: ['me', mate.user.id, owner.user.id] });
    assert.deepEqual(card.data.assignees, [owner.user.id, mate.user.id]);
    const byMate = await createCard({ assignees: 'me' }, mate.api);
    assert.deepEqual(byMate.data.assignees, [mate.user.id]);
    const cleared = await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { assignees: null } });
    assert.equal('assignees' in cleared.body.data, false);
  });

  test("another workspace's user, an unknown id and malformed values are refused by index, changing nothing", async () => {
    const card = await createCard({ assignees: [owner.user.id] });
    const before = await databaseSnapshot(server);
    const cases: Array<[unknown, string, RegExp]> = [
      [[owner.user.id, stranger.user.id], 'assignees[1]', /is not a member of this workspace/],
      [['0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60'], 'assignees[0]', /is not a member of this workspace/],
      [['ada'], 'assignees[0]', /user id \(a UUID\) or "me"/],
      [[42], 'assignees[0]', /user id/],
      [{ id: owner.user.id }, 'assignees', /must be an array/],
      [Array.from({ length: MAX_ASSIGNEES + 1 }, () => owner.user.id), 'assignees', /at most 20/],
    ];
    for (const [assignees, field, message] of cases) {
      const res = await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { assignees } });
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
      assert.ok(res.body.errors.some((e: { field: string }) => e.field === field), JSON.stringify(res.body.errors));
      assert.match(res.body.detail, message);
    }
    // The stranger's refusal reads like an id that names nobody: nothing leaks across workspaces.
    const leak = await owner.api.post('/xapi2/data/card', { body: { title: 'x', assignees: [stranger.user.id] } });
    assert.equal(leak.status, 400);
    assert.equal(leak.body.detail.includes(stranger.email), false);
    assert.deepEqual(await databaseSnapshot(server), before);
  });

  test('data__assignees=me lists the cards assigned to the caller, in every workspace its own', async () => {
    const tag = `me-${Date.now()}`;
    const mine = await createCard({ tags: [tag], assignees: ['me'] });
    const both = await createCard({ tags: [tag], assignees: [mate.user.id, owner.user.id] });
    const theirs = await createCard({ tags: [tag], assignees: [mate.user.id] });
    await createCard({ tags: [tag] });
    const ids = async (api: typeof owner.api, query: Record<string, string | string[]>) => {
      const res = await api.get('/xapi2/data/card', { query: { data__tags: tag, ...query } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data.map((c: { id: string }) => c.id).sort();
    };
    assert.deepEqual(await ids(owner.api, { data__assignees: 'me' }), [mine.id, both.id].sort());
    assert.deepEqual(await ids(mate.api, { data__assignees: 'me' }), [both.id, theirs.id].sort());
    assert.deepEqual(await ids(owner.api, { data__assignees: mate.user.id }), [both.id, theirs.id].sort());
    assert.deepEqual(await ids(owner.api, { data__assignees: ['me', mate.user.id] }), [mine.id, both.id, theirs.id].sort());
    assert.deepEqual(await ids(stranger.api, { data__assignees: 'me' }), []);
    const bad = await owner.api.get('/xapi2/data/card', { query: { data__assignees: 'me\u0000' } });
    assert.equal(bad.status, 400);
  });

  test('the free-text assignee the reference client sends still works beside assignees', async () => {
    const card = await createCard({ assignee: 'ada', assignees: ['me'] });
    assert.equal(card.data.assignee, 'ada');
    const listed = await owner.api.get('/xapi2/data/card', { query: { data__assignee: 'ada', data__assignees: 'me' } });
    assert.ok(listed.body.data.some((c: { id: string }) => c.id === card.id));
  });
});

describe('migration 8: free-text assignees become members', () => {
  const now = '2026-01-01T00:00:00.000Z';
  const ws = { a: '0190f5a2-0000-7000-8000-00000000000a', b: '0190f5a2-0000-7000-8000-00000000000b' };
  const users = [
    { id: '0190f5a2-0000-7000-8000-0000000000a1', email: 'Ada@Example.com', name: 'Ada Lovelace', ws: ws.a },
    { id: '0190f5a2-0000-7000-8000-0000000000a2', email: 'grace@example.com', name: 'Sam', ws: ws.a },
    { id: '0190f5a2-0000-7000-8000-0000000000a3', email: 'sam@example.com', name: 'Sam', ws: ws.a },
    { id: '0190f5a2-0000-7000-8000-0000000000b1', email: 'bob@example.com', name: 'Bob', ws: ws.b },
  ];
  // [card id suffix, workspace, assignee text, expected assignees, expected text left]
  const cards: Array<[string, string, string | undefined, string[] | undefined, string | undefined]> = [
    ['c1', ws.a, 'ada@example.COM', [users[0].id], undefined], // email, any case
    ['c2', ws.a, ' ada lovelace ', [users[0].id], undefined], // name, any case, spaces
    ['c3', ws.a, 'Sam', undefined, 'Sam'], // two members are called Sam: ambiguous, kept
    ['c4', ws.a, 'sam@example.com', [users[2].id], undefined], // but Sam's email is unique
    ['c5', ws.a, 'bob@example.com', undefined, 'bob@example.com'], // Bob is in another workspace
    ['c6', ws.a, 'the design team', undefined, 'the design team'], // nobody
    ['c7', ws.a, undefined, undefined, undefined], // no assignee at all
    ['c8', ws.b, 'Bob', [users[3].id], undefined],
  ];
  const cardId = (suffix: string) => `0190f5a2-0000-7000-8000-0000000000${suffix}`;
  const insertSql = {
    workspace: 'INSERT INTO workspaces (id, slug, name, created_at) VALUES (?, ?, ?, ?)',
    user: 'INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    member: "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'member', ?)",
    card: "INSERT INTO objects (id, workspace_id, type, owned_by, created_by, updated_by, created_at, updated_at, version, data) VALUES (?, ?, 'card', ?, ?, ?, ?, ?, 3, ?)",
  };

  async function seed(run: (sql: string, params: unknown[]) => Promise<unknown>) {
    for (const [key, id] of Object.entries(ws)) await run(insertSql.workspace, [id, `legacy-${key}`, key, now]);
    for (const u of users) {
      await run(insertSql.user, [u.id, u.email, u.name, 'h', now, now]);
      await run(insertSql.member, [u.ws, u.id, now]);
    }
    for (const [suffix, workspace, assignee] of cards) {
      const data = JSON.stringify({ title: suffix, ...(assignee !== undefined && { assignee }) });
      await run(insertSql.card, [cardId(suffix), workspace, users[0].id, users[0].id, users[0].id, now, now, data]);
    }
  }

  function check(rows: Array<{ id: string; version: number | string; data: string | Record<string, unknown> }>) {
    const byId = new Map(rows.map((r) => [r.id, { version: Number(r.version), data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data }]));
    for (const [suffix, , assignee, assignees, text] of cards) {
      const row = byId.get(cardId(suffix))!;
      assert.deepEqual(row.data.assignees, assignees, `${suffix} assignees`);
      assert.equal(row.data.assignee, text, `${suffix} text`);
      assert.equal(row.data.title, suffix, `${suffix} keeps its other fields`);
      assert.equal(row.version, assignees ? 4 : 3, `${suffix}: a changed card gets a new version (so stale If-Match fails), others keep theirs (had ${assignee})`);
    }
  }

  test('a database written before migration 8 migrates its cards by the rules', async () => {
    await withDatabaseBefore(8, async (db) => {
      await seed(db.run);
      assert.deepEqual(await db.store.migrate(), db.pending);
      check(await db.all("SELECT id, version, data FROM objects WHERE type = 'card'"));
      assert.deepEqual(await db.store.migrate(), [], 'a second run does nothing');
    });
  });
});
