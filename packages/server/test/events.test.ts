/**
 * Live events through a real socket: a fresh stream starts at "now", a resumed one replays exactly
 * what was missed (Last-Event-ID), scopes and workspaces are respected, and a revoked token stops
 * receiving at the next heartbeat.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { REPLAY_LIMIT } from '../src/live/activity-feed.js';
import { EventReader, openEvents } from './event-stream.js';
import { makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

/** Turns a stream that never delivers into a failure instead of a hang; generous, and never what a test asserts. */
const TEST_OPTIONS = { timeout: 120_000 };

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
const readers: EventReader[] = [];
/**
 * The server's clock (config.now), held still: replay_seconds counts back from it, so a window holds
 * what a test wrote into it however slowly the test runs. Activity is stamped by the wall clock, which
 * only moves on from here.
 */
let clock = Date.now();

async function stream(options: Parameters<typeof openEvents>[1]): Promise<EventReader> {
  const opened = await openEvents(server, options);
  assert.equal(opened.status, 200, JSON.stringify(opened.body));
  readers.push(opened.reader!);
  return opened.reader!;
}

before(async () => {
  server = await startServer({ eventsHeartbeatMs: 200, now: () => clock });
  owner = await signUp(server);
});
after(async () => {
  for (const r of readers) r.close();
  await server.close();
});

describe('GET /xapi2/events', () => {
  test('a fresh stream starts at the newest event and then carries each change with the object as it is now', TEST_OPTIONS, async () => {
    await owner.api.post('/xapi2/data/board', { body: { name: 'Before the stream' } });
    const events = await stream({ token: owner.session });
    const ready = await events.next();
    assert.equal(ready.event, 'ready');
    assert.equal(ready.data.resumed, false);
    assert.ok(ready.data.seq > 0, 'the board created before is behind the starting point');
    assert.equal(ready.id, String(ready.data.seq));

    const board = (await owner.api.post('/xapi2/data/board', { body: { name: 'Live' } })).body;
    const created = await events.next();
    assert.equal(created.event, 'activity');
    assert.equal(created.data.action, 'create');
    assert.equal(created.data.object_id, board.id);
    assert.equal(created.data.object.data.name, 'Live');
    assert.equal(created.data.object.version, 1);
    assert.equal(Number(created.id), created.data.seq);
    assert.ok(created.data.seq > ready.data.seq);

    await owner.api.patch(`/xapi2/data/board/${board.id}`, { body: { name: 'Live, renamed' } });
    const updated = await events.next();
    assert.deepEqual(updated.data.changes.name, ['Live', 'Live, renamed']);
    assert.equal(updated.data.object.version, 2);
    events.close();
  });

  test('Last-Event-ID resumes with exactly the missed events, in order, then follows live', TEST_OPTIONS, async () => {
    const first = await stream({ token: owner.session, header: true });
    const ready = await first.next();
    const card = (await owner.api.post('/xapi2/data/card', { body: { title: 'Seen' } })).body;
    const seen = await first.next();
    first.close();

    await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { title: 'Missed 1' } });
    await owner.api.delete(`/xapi2/data/card/${card.id}`);

    const resumed = await stream({ token: owner.session, header: true, lastEventId: seen.id });
    const hello = await resumed.next();
    assert.equal(hello.event, 'ready');
    assert.equal(hello.data.resumed, true);
    assert.equal(hello.id, seen.id);
    const missed1 = await resumed.next();
    const missed2 = await resumed.next();
    assert.deepEqual([missed1.data.action, missed2.data.action], ['update', 'delete']);
    assert.ok(Number(missed1.id) > Number(seen.id) && Number(missed2.id) > Number(missed1.id));
    // Each event carries the object as it is now: already deleted.
    assert.equal(missed1.data.object.is_deleted, true);

    // Nothing else is replayed: the next event is the restore made after the stream resumed (a sentinel, not a wait).
    await owner.api.post(`/xapi2/trash/card/${card.id}/restore`);
    const live = await resumed.next();
    assert.equal(live.data.action, 'restore');
    assert.equal(live.data.object_id, card.id);
    assert.ok(ready.data.seq < Number(live.id));
  });

  test('the last_event_id query parameter resumes too (a new EventSource cannot set the header)', TEST_OPTIONS, async () => {
    const card = (await owner.api.post('/xapi2/data/card', { body: { title: 'Query resume' } })).body;
    const activity = await owner.api.get('/xapi2/activity', { query: { since: 0, limit: 500 } });
    const last = activity.body.data.at(-1);
    assert.equal(last.object_id, card.id);
    await owner.api.patch(`/xapi2/data/card/${card.id}`, { body: { priority: 'high' } });
    const events = await stream({ token: owner.session, query: { last_event_id: String(last.seq - 1) } });
    assert.equal((await events.next()).event, 'ready');
    assert.equal((await events.next()).data.seq, last.seq);
    const change = await events.next();
    assert.deepEqual(change.data.changes.priority, [null, 'high']);
  });

  test('replay_seconds starts a fresh stream a few seconds back, so data read while it opened misses nothing', TEST_OPTIONS, async () => {
    const fresh = await signUp(server);
    const before = (await fresh.api.post('/xapi2/data/board', { body: { name: 'Just before the stream' } })).body;
    const events = await stream({ token: fresh.session, query: { replay_seconds: '10' } });
    const ready = await events.next();
    assert.equal(ready.event, 'ready');
    assert.equal(ready.data.replayed, 1);
    const replayed = await events.next();
    assert.equal(replayed.data.object_id, before.id);
    assert.equal(Number(ready.id) < Number(replayed.id), true);
    await fresh.api.post('/xapi2/data/board', { body: { name: 'After' } });
    assert.equal((await events.next()).data.object.data.name, 'After');
    const bad = await openEvents(server, { token: fresh.session, query: { replay_seconds: '600' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'replay_seconds');
  });

  test('replay_seconds counts back from the server\'s clock', TEST_OPTIONS, async () => {
    const fresh = await signUp(server);
    await fresh.api.post('/xapi2/data/board', { body: { name: 'An hour before the stream' } });
    const held = clock;
    clock += 3_600_000;
    try {
      const events = await stream({ token: fresh.session, query: { replay_seconds: '10' } });
      const ready = await events.next();
      assert.equal(ready.event, 'ready');
      assert.equal(ready.data.replayed, 0, 'a board written an hour back (by the server\'s clock) is not replayed');
      events.close();
    } finally {
      clock = held;
    }
  });

  test('a client too far behind is told to reload instead of being replayed to', TEST_OPTIONS, async () => {
    const fresh = await signUp(server);
    const ws = fresh.workspace.id;
    const now = new Date().toISOString();
    for (let i = 0; i < 1002; i++) {
      await server.store.insertActivity({
        workspace_id: ws, actor_id: fresh.user.id, token_id: null, object_type: 'card', object_id: '00000000-0000-7000-8000-000000000000',
        action: 'update', changes: {}, created_at: now,
      });
    }
    const latest = await server.store.latestActivitySeq(ws);
    const behind = await stream({ token: fresh.session, lastEventId: '1' });
    const reset = await behind.next();
    assert.equal(reset.event, 'reset');
    assert.equal(reset.data.seq, latest);
    assert.equal(reset.id, String(latest));
    const ahead = await stream({ token: fresh.session, lastEventId: String(latest + 1000) });
    assert.equal((await ahead.next()).event, 'reset', 'an id this database never issued also means reload');
  });

  test('streams opened and resumed while others write send each later event once, in order, and never history', TEST_OPTIONS, async () => {
    // A stream waits for its socket to drain many times; each wait must leave no listener behind.
    const leaks: Error[] = [];
    const onWarning = (warning: Error) => warning.name === 'MaxListenersExceededWarning' && leaks.push(warning);
    process.on('warning', onWarning);
    const team = await signUp(server);
    const ws = team.workspace.id;
    const seqs = async () => (await server.query<{ seq: number }>('SELECT seq FROM activity WHERE workspace_id = ? ORDER BY seq', ws)).map((r) => Number(r.seq));
    // More history than the replay cap, so a stream that replays from the start could not go unnoticed.
    // Stamped by the server's clock, so replay_seconds=60 below reaches it however long the test runs.
    const at = new Date(clock).toISOString();
    for (let i = 0; i < REPLAY_LIMIT + 200; i++) {
      await server.store.insertActivity({
        workspace_id: ws, actor_id: team.user.id, token_id: null, object_type: 'card', object_id: '00000000-0000-7000-8000-000000000000',
        action: 'update', changes: {}, created_at: at,
      });
    }
    const history = await seqs();

    // Two clients write cards through HTTP the whole time the streams open.
    const writer = async (name: string) => {
      for (let i = 0; i < 40; i++) assert.equal((await team.api.post('/xapi2/data/card', { body: { title: `${name} ${i}` } })).status, 201);
    };
    const writing = Promise.all([writer('a'), writer('b')]);

    type Opened = { kind: 'fresh' | 'resumed' | 'behind'; floor: number; from?: number; reader: EventReader };
    const opened: Opened[] = [];
    for (let round = 0; round < 4; round++) {
      const floor = await server.store.latestActivitySeq(ws);
      opened.push({ kind: 'fresh', floor, reader: await stream({ token: team.session }) });
      // 300 to 750 events behind (plus whatever the writers add): replayed, within the cap.
      const from = history[history.length - 300 - round * 150];
      opened.push({ kind: 'resumed', floor, from, reader: await stream({ token: team.session, header: true, lastEventId: String(from) }) });
      // Further behind than the cap, by Last-Event-ID or by replay_seconds: told to reload, never replayed to.
      opened.push({
        kind: 'behind', floor,
        reader: await stream(round % 2 ? { token: team.session, lastEventId: String(history[round]) } : { token: team.session, query: { replay_seconds: '60' } }),
      });
    }
    await writing;
    const all = await seqs();
    const final = all[all.length - 1];

    for (const { kind, floor, from, reader } of opened) {
      const first = await reader.next();
      let start: number;
      if (kind === 'behind') {
        assert.equal(first.event, 'reset', `${kind}: ${JSON.stringify(first)}`);
        start = first.data.seq;
        assert.ok(start >= floor, `${kind}: a reset starts at the newest event (${start} >= ${floor})`);
      } else if (kind === 'resumed') {
        assert.equal(first.event, 'ready', `${kind}: ${JSON.stringify(first)}`);
        assert.equal(first.data.resumed, true);
        start = from!;
      } else {
        assert.equal(first.event, 'ready', `${kind}: ${JSON.stringify(first)}`);
        start = first.data.seq;
        assert.ok(start >= floor, `${kind}: a fresh stream starts at the newest event (${start} >= ${floor})`);
      }
      assert.equal(first.id, String(start));
      const received: number[] = [];
      while ((received.at(-1) ?? start) < final) {
        const event = await reader.next();
        assert.equal(event.event, 'activity');
        assert.equal(Number(event.id), event.data.seq);
        received.push(event.data.seq);
      }
      // Exactly the workspace's events after the start point: none earlier, none twice, none skipped, in order.
      assert.deepEqual(received, all.filter((seq) => seq > start), `${kind} stream from ${start}`);
      reader.close();
    }
    process.off('warning', onWarning);
    assert.deepEqual(leaks.map((w) => w.message), []);
  });

  test('a commit that lands while the previous one is still being sent is sent too', TEST_OPTIONS, async () => {
    const team = await signUp(server);
    const events = await stream({ token: team.session });
    assert.equal((await events.next()).event, 'ready');
    const insert = () => server.store.insertActivity({
      workspace_id: team.workspace.id, actor_id: team.user.id, token_id: null, object_type: 'card', object_id: '00000000-0000-7000-8000-000000000000',
      action: 'update', changes: {}, created_at: new Date().toISOString(),
    });
    // The second commit lands a few more microtasks later each round, so some round hits the moment the
    // stream finishes sending the first one; its event must arrive all the same.
    for (let delay = 0; delay < 60; delay++) {
      const first = await insert();
      for (let i = 0; i < delay; i++) await Promise.resolve();
      const second = await insert();
      const ids: number[] = [];
      while ((ids.at(-1) ?? 0) < second) ids.push(Number((await events.next()).id));
      assert.deepEqual(ids, [first, second], `round ${delay}`);
    }
  });

  test('another workspace never shows up, and a token sees only the models it may read', TEST_OPTIONS, async () => {
    const stranger = await signUp(server);
    const boardOnly = await makeToken(server, owner, 'board:read,card:none');
    const mine = await stream({ token: boardOnly.token });
    assert.equal((await mine.next()).event, 'ready');
    await stranger.api.post('/xapi2/data/board', { body: { name: 'Not yours' } });
    await owner.api.post('/xapi2/data/card', { body: { title: 'Hidden from a board-only token' } });
    // A sentinel written after both: it must be the very next event, so neither came before it.
    await owner.api.post('/xapi2/data/board', { body: { name: 'Visible' } });
    const board = await mine.next();
    assert.equal(board.event, 'activity');
    assert.equal(board.data.object.data.name, 'Visible');
  });

  test('a revoked token is told so at the next heartbeat and the stream ends', TEST_OPTIONS, async () => {
    const pat = await makeToken(server, owner, 'board:read,card:read');
    const events = await stream({ token: pat.token });
    assert.equal((await events.next()).event, 'ready');
    await events.heartbeat();
    await server.store.revokeAccessToken(pat.row.id, new Date().toISOString());
    const pingsBefore = events.pings;
    const stop = await events.next();
    assert.equal(stop.event, 'unauthorized');
    // Counted in heartbeats, not milliseconds: a ping or two may already be on its way (a check that ran
    // before the revoke), where a revoke noticed only at the credential cache's 10 s expiry would let ~50 by.
    assert.ok(events.pings - pingsBefore <= 2, `${events.pings - pingsBefore} heartbeats passed before the stream was told`);
    assert.equal(stop.data.code, 'unauthenticated');
    await events.done;
    assert.ok(events.isEnded);
  });

  test('bad requests get JSON errors: no token, a wrong token, a bad Last-Event-ID, an unknown parameter', TEST_OPTIONS, async () => {
    const none = await openEvents(server, {});
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'unauthenticated');
    const wrong = await openEvents(server, { token: 'ses_nope' });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(JSON.stringify(wrong.body), /ses_nope/, 'the token is never echoed');
    const badId = await openEvents(server, { token: owner.session, lastEventId: 'abc' });
    assert.equal(badId.status, 400);
    const unknown = await openEvents(server, { token: owner.session, query: { since: '3' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.detail, /access_token, last_event_id and replay_seconds/);
    // The token query parameter is for this route only.
    const elsewhere = await request(server, 'GET', `/xapi2/auth/me?access_token=${owner.session}`);
    assert.equal(elsewhere.status, 401);
  });
});
