/**
 * Comments on cards through HTTP: Markdown bodies with @mentions resolved to members, the author
 * rule (edit your own; owners and admins delete any), scopes and roles, another workspace's ids,
 * bad input, activity and a card's history, live delivery, search, and the trash taking a card's
 * comments away and bringing them back.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { COMMENT_LIMITS } from '@prodboard/shared';
import { type EventReader, openEvents } from './event-stream.js';
import { databaseSnapshot, makeToken, signUp, startServer, type TestServer } from './helpers.js';

type Account = Awaited<ReturnType<typeof signUp>>;

let server: TestServer;
let owner: Account;
let admin: Account;
let member: Account;
let viewer: Account;
let outsider: Account;
let board: any;
const readers: EventReader[] = [];

before(async () => {
  server = await startServer({ eventsHeartbeatMs: 200 });
  const slug = `comments-${Date.now().toString(36)}`;
  const stamp = Date.now().toString(36);
  owner = await signUp(server, { workspace: slug, role: 'owner', email: `olga.${stamp}@example.com` });
  admin = await signUp(server, { workspace: slug, role: 'admin', email: `adam.${stamp}@example.com` });
  member = await signUp(server, { workspace: slug, role: 'member', email: `mia.${stamp}@example.com` });
  viewer = await signUp(server, { workspace: slug, role: 'viewer', email: `vic.${stamp}@example.com` });
  outsider = await signUp(server, { workspace: `${slug}-other`, role: 'owner' });
  board = (await owner.api.post('/xapi2/data/board', { body: { name: 'Comment board', columns: 'To do, Done' } })).body;
});
after(async () => {
  for (const r of readers) r.close();
  await server.close();
});

async function newCard(title = `card ${randomUUID().slice(0, 8)}`): Promise<any> {
  const res = await owner.api.post('/xapi2/data/card', { body: { title, board_id: board.id } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

async function comment(api: Account['api'], cardId: string, body: string): Promise<any> {
  const res = await api.post(`/xapi2/cards/${cardId}/comments`, { body: { body } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

const handle = (account: Account) => account.email.split('@')[0];

describe('writing comments', () => {
  test('a member adds a Markdown comment; @mentions of members resolve to their ids and names, others stay text', async () => {
    const card = await newCard();
    const body = `**Ready** for review, @${handle(owner)} and @${handle(member)}. Not @nobody-here, nor mail@${handle(admin)}.`;
    const created = await comment(member.api, card.id, body);
    assert.equal(created.body, body);
    assert.equal(created.card_id, card.id);
    assert.deepEqual(created.author, { id: member.user.id, name: handle(member) });
    assert.deepEqual(
      created.mentions.map((m: any) => [m.user_id, m.handle, m.name]),
      [
        [owner.user.id, handle(owner), handle(owner)],
        [member.user.id, handle(member), handle(member)],
      ],
    );
    assert.equal(created.edited, false);
    const listed = await viewer.api.get(`/xapi2/cards/${card.id}/comments`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.data, [created]);
  });

  test('a full email mentions its member, and comments list oldest first', async () => {
    const card = await newCard();
    const first = await comment(owner.api, card.id, `ping @${admin.email}`);
    const second = await comment(admin.api, card.id, 'second');
    assert.deepEqual(first.mentions.map((m: any) => m.user_id), [admin.user.id]);
    const listed = await owner.api.get(`/xapi2/cards/${card.id}/comments`);
    assert.deepEqual(listed.body.data.map((c: any) => c.id), [first.id, second.id]);
  });

  test('the author edits their comment (mentions resolve again); nobody else may, not even an owner', async () => {
    const card = await newCard();
    const mine = await comment(member.api, card.id, 'first draft');
    for (const other of [owner, admin]) {
      const before = await databaseSnapshot(server);
      const refused = await other.api.patch(`/xapi2/comments/${mine.id}`, { body: { body: 'rewritten by someone else' } });
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'forbidden');
      assert.match(refused.body.detail, /author/);
      assert.deepEqual(await databaseSnapshot(server), before);
    }
    const edited = await member.api.patch(`/xapi2/comments/${mine.id}`, { body: { body: `final, cc @${handle(admin)}` }, headers: { 'if-match': '1' } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.version, 2);
    assert.equal(edited.body.edited, true);
    assert.deepEqual(edited.body.mentions.map((m: any) => m.user_id), [admin.user.id]);
    const stale = await member.api.patch(`/xapi2/comments/${mine.id}`, { body: { body: 'from an old copy' }, headers: { 'if-match': '1' } });
    assert.equal(stale.status, 412);
  });

  test('the author deletes their comment; owners and admins delete anyone\'s; a member may not delete another\'s', async () => {
    const card = await newCard();
    const byOwner = await comment(owner.api, card.id, 'owner says');
    const before = await databaseSnapshot(server);
    const refused = await member.api.delete(`/xapi2/comments/${byOwner.id}`);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'forbidden');
    assert.deepEqual(await databaseSnapshot(server), before);

    const byMember = await comment(member.api, card.id, 'member says');
    const byMember2 = await comment(member.api, card.id, 'member says again');
    assert.equal((await member.api.delete(`/xapi2/comments/${byMember.id}`)).status, 200);
    assert.equal((await admin.api.delete(`/xapi2/comments/${byMember2.id}`)).status, 200);
    assert.equal((await admin.api.delete(`/xapi2/comments/${byOwner.id}`)).status, 200);
    assert.equal((await owner.api.delete(`/xapi2/comments/${byOwner.id}`)).status, 404, 'already gone');
    assert.deepEqual((await owner.api.get(`/xapi2/cards/${card.id}/comments`)).body.data, []);
  });

  test('a viewer reads but cannot comment; a token needs card:read to read and card:write to comment', async () => {
    const card = await newCard();
    await comment(owner.api, card.id, 'hello');
    const reader = await makeToken(server, member, 'board:read,card:read');
    const blind = await makeToken(server, member, 'board:read');
    const before = await databaseSnapshot(server);
    const byViewer = await viewer.api.post(`/xapi2/cards/${card.id}/comments`, { body: { body: 'me too' } });
    assert.equal(byViewer.status, 403);
    assert.equal((await reader.api.get(`/xapi2/cards/${card.id}/comments`)).status, 200);
    const byReader = await reader.api.post(`/xapi2/cards/${card.id}/comments`, { body: { body: 'me too' } });
    assert.equal(byReader.status, 403);
    assert.equal(byReader.body.code, 'scope_denied');
    assert.match(byReader.body.detail, /card:write/);
    assert.equal((await blind.api.get(`/xapi2/cards/${card.id}/comments`)).body.code, 'scope_denied');
    assert.deepEqual(await databaseSnapshot(server), before);

    const writer = await makeToken(server, member, 'card:write');
    const viaToken = await comment(writer.api, card.id, 'from my assistant');
    assert.equal(viaToken.author.id, member.user.id);
  });

  test("another workspace's card and comment are answered exactly like ids that never existed, and nothing changes", async () => {
    const card = await newCard();
    const theirs = await comment(outsider.api, (await outsider.api.post('/xapi2/data/card', { body: { title: 'Secret' } })).body.id, 'Secret words');
    const mine = await comment(owner.api, card.id, 'mine');
    const before = await databaseSnapshot(server);
    for (const [label, foreign, missing] of [
      ['list', () => owner.api.get(`/xapi2/cards/${theirs.card_id}/comments`), () => owner.api.get(`/xapi2/cards/${randomUUID()}/comments`)],
      ['history', () => owner.api.get(`/xapi2/cards/${theirs.card_id}/history`), () => owner.api.get(`/xapi2/cards/${randomUUID()}/history`)],
      ['add', () => owner.api.post(`/xapi2/cards/${theirs.card_id}/comments`, { body: { body: 'x' } }), () => owner.api.post(`/xapi2/cards/${randomUUID()}/comments`, { body: { body: 'x' } })],
      ['edit', () => owner.api.patch(`/xapi2/comments/${theirs.id}`, { body: { body: 'x' } }), () => owner.api.patch(`/xapi2/comments/${randomUUID()}`, { body: { body: 'x' } })],
      ['delete', () => owner.api.delete(`/xapi2/comments/${theirs.id}`), () => owner.api.delete(`/xapi2/comments/${randomUUID()}`)],
    ] as const) {
      const a = await foreign();
      const b = await missing();
      assert.equal(a.status, 404, `${label}: ${JSON.stringify(a.body)}`);
      assert.equal(a.body.code, b.body.code, label);
      assert.equal(a.status, b.status, label);
      assert.ok(!JSON.stringify(a.body).includes('Secret'), label);
    }
    // The outsider cannot reach ours either.
    assert.equal((await outsider.api.delete(`/xapi2/comments/${mine.id}`)).status, 404);
    assert.deepEqual(await databaseSnapshot(server), before);
  });

  test('bad input is a 400 naming the field and the fix, and changes nothing', async () => {
    const card = await newCard();
    const mine = await comment(member.api, card.id, 'keep me');
    const before = await databaseSnapshot(server);
    const cases: Array<[unknown, string, RegExp]> = [
      [{}, 'body', /body is required/],
      [{ body: '   \n ' }, 'body', /must not be blank/],
      [{ body: 42 }, 'body', /must be a string/],
      [{ body: 'x'.repeat(COMMENT_LIMITS.maxBodyLength + 1) }, 'body', new RegExp(`at most ${COMMENT_LIMITS.maxBodyLength}`)],
      [{ body: 'nul \u0000 here' }, 'body', /NUL/],
      [{ body: 'ok', card_id: card.id }, 'card_id', /only body/],
      [['body'], 'body', /JSON object/],
    ];
    for (const [input, field, message] of cases) {
      for (const res of [
        await member.api.post(`/xapi2/cards/${card.id}/comments`, { body: input }),
        await member.api.patch(`/xapi2/comments/${mine.id}`, { body: input }),
      ]) {
        assert.equal(res.status, 400, `${JSON.stringify(input).slice(0, 60)}: ${JSON.stringify(res.body).slice(0, 200)}`);
        assert.equal(res.body.errors[0].field, field);
        assert.match(res.body.detail, message);
      }
    }
    const badId = await member.api.post('/xapi2/cards/not-a-uuid/comments', { body: { body: 'x' } });
    assert.equal(badId.status, 400);
    const badLimit = await member.api.get(`/xapi2/cards/${card.id}/history`, { query: { limit: 'lots' } });
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.body.errors[0].field, 'limit');
    assert.deepEqual(await databaseSnapshot(server), before);
  });

  test('a comment retried with its Idempotency-Key is added once, even when the retries race; the key with another body is a 422 that changes nothing', async () => {
    const card = await newCard();
    const key = randomUUID();
    const send = (body: string) => member.api.post(`/xapi2/cards/${card.id}/comments`, { body: { body }, headers: { 'idempotency-key': key } });
    const answers = await Promise.all([send('once only'), send('once only'), send('once only')]);
    assert.deepEqual(answers.map((r) => r.status), [201, 201, 201]);
    assert.equal(new Set(answers.map((r) => r.body.id)).size, 1, 'every retry answers with the first comment');
    assert.equal(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 2);
    const before = await databaseSnapshot(server);
    const other = await send('another body');
    assert.equal(other.status, 422);
    assert.match(other.body.detail, /Idempotency-Key was already used for a different request/);
    assert.deepEqual(await databaseSnapshot(server), before);
    const listed = (await owner.api.get(`/xapi2/cards/${card.id}/comments`)).body.data;
    assert.deepEqual(listed.map((c: any) => c.body), ['once only']);
    const tooLong = await member.api.post(`/xapi2/cards/${card.id}/comments`, { body: { body: 'x' }, headers: { 'idempotency-key': 'k'.repeat(201) } });
    assert.equal(tooLong.status, 400);
    assert.equal(tooLong.body.errors[0].field, 'Idempotency-Key');
  });

  test('comments racing on one card are all kept; two deletes of one comment: one succeeds, one finds nothing', async () => {
    const card = await newCard();
    const bodies = Array.from({ length: 8 }, (_, i) => `racer ${i}`);
    const created = await Promise.all(bodies.map((b, i) => comment(i % 2 ? owner.api : member.api, card.id, b)));
    const listed = (await owner.api.get(`/xapi2/cards/${card.id}/comments`)).body.data;
    assert.deepEqual(listed.map((c: any) => c.body).sort(), [...bodies].sort());
    const target = created[1];
    const statuses = (await Promise.all([owner.api.delete(`/xapi2/comments/${target.id}`), admin.api.delete(`/xapi2/comments/${target.id}`)])).map((r) => r.status);
    assert.deepEqual(statuses.sort(), [200, 404]);
  });
});

describe('activity, history and live updates', () => {
  test("a comment's writes are recorded on its card; the card's history lists everything newest first with who did it", async () => {
    const card = await newCard('History card');
    await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { priority: 'high' } });
    const c = await comment(member.api, card.id, 'a note');
    await member.api.patch(`/xapi2/comments/${c.id}`, { body: { body: 'a better note' } });
    await admin.api.delete(`/xapi2/comments/${c.id}`);
    const history = await viewer.api.get(`/xapi2/cards/${card.id}/history`);
    assert.equal(history.status, 200);
    const entries = history.body.data.map((e: any) => [e.object_type, e.action, e.actor_name]);
    assert.deepEqual(entries, [
      ['comment', 'delete', handle(admin)],
      ['comment', 'update', handle(member)],
      ['comment', 'create', handle(member)],
      ['card', 'update', handle(owner)],
      ['card', 'create', handle(owner)],
    ]);
    assert.deepEqual(history.body.data[2].changes, { id: [null, c.id] });
    assert.ok(!JSON.stringify(history.body).includes('a better note'), 'a deleted comment leaves no text behind in the history');
    const seqs = history.body.data.map((e: any) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a: number, b: number) => b - a));
    // The workspace activity carries them too (for card readers only).
    const activity = await owner.api.get('/xapi2/activity', { query: { limit: 500 } });
    assert.ok(activity.body.data.some((e: any) => e.object_type === 'comment' && e.object_id === card.id && e.action === 'create'));
    const boardOnly = await makeToken(server, owner, 'board:read');
    const hidden = await boardOnly.api.get('/xapi2/activity', { query: { limit: 500 } });
    assert.ok(!hidden.body.data.some((e: any) => e.object_type === 'comment'));
  });

  test('an open live stream hears of a new comment on the card, and a stream of another workspace hears nothing', async () => {
    const card = await newCard();
    const open = async (account: Account) => {
      const opened = await openEvents(server, { token: account.session });
      assert.equal(opened.status, 200);
      readers.push(opened.reader!);
      assert.equal((await opened.reader!.next()).event, 'ready');
      return opened.reader!;
    };
    const mine = await open(viewer);
    const theirs = await open(outsider);
    const c = await comment(member.api, card.id, 'live!');
    const event = await mine.next();
    assert.equal(event.event, 'activity');
    assert.equal(event.data.object_type, 'comment');
    assert.equal(event.data.object_id, card.id);
    assert.deepEqual(event.data.changes, { id: [null, c.id] });
    // The sentinel: the outsider's next event is their own change, so ours never reached them.
    const own = (await outsider.api.post('/xapi2/data/board', { body: { name: 'sentinel' } })).body;
    const next = await theirs.next();
    assert.equal(next.data.object_id, own.id);
  });
});

describe('search and the trash', () => {
  test('a card search finds a card by its comments, follows edits and deletes, and leaves other workspaces out', async () => {
    const word = `zebra${Date.now().toString(36)}`;
    const card = await newCard('Plain title');
    const search = async (account: Account, q: string) => (await account.api.get('/xapi2/data/card', { query: { q } })).body.data.map((c: any) => c.id);
    assert.deepEqual(await search(owner, word), []);
    const c = await comment(member.api, card.id, `Found the **${word}** crossing`);
    assert.deepEqual(await search(owner, word), [card.id]);
    assert.deepEqual(await search(outsider, word), []);
    // The card's own edits keep its comments in the index.
    await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { description: 'edited description' } });
    assert.deepEqual(await search(owner, word), [card.id]);
    const sorted = await owner.api.get('/xapi2/data/card', { query: { q: word, sort: '-created_at' } });
    assert.deepEqual(sorted.body.data.map((x: any) => x.id), [card.id]);
    await member.api.patch(`/xapi2/comments/${c.id}`, { body: { body: 'Found the giraffe instead' } });
    assert.deepEqual(await search(owner, word), []);
    assert.ok((await search(owner, 'giraffe')).includes(card.id));
    await member.api.delete(`/xapi2/comments/${c.id}`);
    assert.ok(!(await search(owner, 'giraffe')).includes(card.id));
  });

  test("a trashed card's comments are gone with it and come back when it is restored (also through its board)", async () => {
    const card = await newCard();
    const c = await comment(member.api, card.id, 'survives the trash');
    assert.equal((await owner.api.delete(`/xapi2/data/card/${card.id}`)).status, 200);
    assert.equal((await owner.api.get(`/xapi2/cards/${card.id}/comments`)).status, 404);
    const before = await databaseSnapshot(server);
    assert.equal((await member.api.patch(`/xapi2/comments/${c.id}`, { body: { body: 'edited in the trash' } })).status, 404);
    assert.equal((await member.api.post(`/xapi2/cards/${card.id}/comments`, { body: { body: 'x' } })).status, 404);
    assert.deepEqual(await databaseSnapshot(server), before);
    assert.equal((await owner.api.post(`/xapi2/trash/card/${card.id}/restore`)).status, 200);
    assert.deepEqual((await owner.api.get(`/xapi2/cards/${card.id}/comments`)).body.data.map((x: any) => x.body), ['survives the trash']);

    const otherBoard = (await owner.api.post('/xapi2/data/board', { body: { name: 'Doomed', columns: 'A' } })).body;
    const onIt = (await owner.api.post('/xapi2/data/card', { body: { title: 'on the doomed board', board_id: otherBoard.id } })).body;
    await comment(owner.api, onIt.id, 'with the board');
    await owner.api.delete(`/xapi2/data/board/${otherBoard.id}`);
    assert.equal((await owner.api.get(`/xapi2/cards/${onIt.id}/comments`)).status, 404);
    await owner.api.post(`/xapi2/trash/board/${otherBoard.id}/restore`);
    assert.equal((await owner.api.get(`/xapi2/cards/${onIt.id}/comments`)).body.meta.count, 1);
  });
});
