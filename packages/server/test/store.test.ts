/**
 * The stores under hostile use (issue 10): their statement caches stay bounded whatever list shapes
 * clients send; a transaction is never joined by another request's store calls; both stores behave
 * alike where they used to differ (lockKey, insertActivity, email matching); and the periodic sweep
 * deletes what would otherwise pile up. Every test runs on whichever store the suite runs on.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { configFromEnv } from '../src/config.js';
import { emailKeysFor } from '../src/store/email.js';
import { PageCache, cacheKey } from '../src/store/page-cache.js';
import { Sweeper } from '../src/store/sweeper.js';
import type { ObjectListQuery, Store } from '../src/store/types.js';
import { POSITION_SQL, PostgresStore, columnWhere } from '../src/store/postgres/postgres-store.js';
import { SqliteStore, } from '../src/store/sqlite/sqlite-store.js';
import { withDatabaseBefore, } from './legacy-db.js';
import { TEST_DATABASE_URL, TEST_STORE, makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let alice: Awaited<ReturnType<typeof signUp>>;

before(async () => {
  server = await startServer();
  alice = await signUp(server);
});
after(() => server.close());

/** Polls `condition` until it holds, failing after `tries` turns of the event loop (never a fixed sleep). */
async function until(condition: () => boolean | Promise<boolean>, what: string, tries = 10_000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await condition()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('prepared statements stay bounded', () => {
  test('thousands of distinct list shapes keep every statement cache at its bound', async () => {
    const store = server.store;
    const bound = store.statementCacheLimit;
    assert.ok(bound >= 64 && bound <= 1024, `a sensible bound (${bound})`);
    const board = (await alice.api.post('/xapi2/data/board', { body: { name: 'Shapes', columns: 'Todo, Done' } })).body;
    const card = (await alice.api.post('/xapi2/data/card', { body: { title: 'one', board_id: board.id } })).body;
    const sorts = ['created_at', 'updated_at', 'data__position', 'data__status', 'data__priority', 'data__due_date'].flatMap((s) => [s, `-${s}`]);
    // Each count of status values is a different IN list, each sort a different ORDER BY: 12 × 100 shapes.
    const shapes: Array<Record<string, string | string[]>> = [];
    for (let n = 1; n <= 100; n++) {
      for (const sort of sorts) shapes.push({ data__board_id: board.id, data__status: Array.from({ length: n }, (_, i) => (i === 0 ? 'todo' : `s${i}`)), sort });
    }
    assert.ok(shapes.length >= 4 * bound, `${shapes.length} shapes against a bound of ${bound}`);
    let served = 0;
    const worker = async () => {
      while (shapes.length > 0) {
        const query = shapes.pop()!;
        const res = await alice.api.get('/xapi2/data/card', { query });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body.data.map((c: { id: string }) => c.id), [card.id]);
        served++;
        // Checked during the run, not only at the end.
        if (served % 100 === 0) assert.ok(store.statementCacheSizes().every((n) => n <= bound), `cache sizes ${store.statementCacheSizes()} within ${bound}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    assert.equal(served, 1200);
    const sizes = store.statementCacheSizes();
    assert.ok(sizes.length > 0 && sizes.every((n) => n <= bound), `cache sizes ${sizes} within ${bound}`);
    if (store instanceof PostgresStore) {
      // What the server itself holds for a connection of the pool, read on that connection.
      const [{ n }] = await store.rawQuery<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements');
      assert.ok(n <= bound, `${n} statements prepared on a connection, bound ${bound}`);
    }
    // The hot paths still answer (and their statements come back after eviction).
    assert.equal((await alice.api.get(`/xapi2/data/card/${card.id}`)).status, 200);
    assert.equal((await alice.api.get('/xapi2/data/card', { query: { data__board_id: board.id } })).body.data.length, 1);
  });
});

describe('a transaction is never joined', () => {
  test("another request's store calls wait for an open transaction instead of joining it (and rolling back with it)", async () => {
    const store = server.store;
    // A token never used: the first request with it writes last_used_at outside any transaction.
    const pat = await makeToken(server, alice);
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rolledBack = store.transaction(async (tx) => {
      await tx.setSetting('isolation-probe', 'inside');
      opened();
      await gate; // the one extra await the old rule forbade
      throw new Error('roll back');
    });
    await isOpen;
    const me = pat.api.get('/xapi2/auth/me');
    // SQLite: the request's calls queue behind the transaction; PostgreSQL: they run on another connection.
    let answered = false;
    void me.then(() => (answered = true));
    await until(() => answered || store.waitingForTransaction > 0, 'the request answers or waits for the transaction');
    release();
    await assert.rejects(rolledBack, /roll back/);
    assert.equal((await me).status, 200);
    assert.equal(await store.getSetting('isolation-probe'), undefined, 'the transaction rolled back');
    const [token] = await server.query<{ last_used_at: string | null }>('SELECT last_used_at FROM access_tokens WHERE id = ?', pat.row.id);
    assert.notEqual(token.last_used_at, null, "the request's own write survived the other transaction's rollback");
    assert.equal(store.waitingForTransaction, 0);
  });

  test('on SQLite, calls waiting for a transaction run when it ends, before the next transaction begins', async (t) => {
    const store = server.store;
    if (!(store instanceof SqliteStore)) return t.skip('PostgreSQL runs such calls at once, on other connections');
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = store.transaction(async (tx) => {
      await tx.getSetting('order-probe');
      opened();
      await gate;
    });
    await isOpen;
    let seen: string | undefined;
    const next = store.transaction(async (tx) => {
      seen = await tx.getSetting('order-probe');
    });
    const waiting = store.setSetting('order-probe', 'written while waiting');
    await until(() => store.waitingForTransaction > 0, 'the call waits');
    release();
    await Promise.all([first, next, waiting]);
    assert.equal(seen, 'written while waiting', 'the waiting call ran before the next transaction began');
    await store.setSetting('order-probe', null);
  });

  test('calling the store itself inside its own transaction fails loudly on both stores', async () => {
    const store = server.store;
    await assert.rejects(
      store.transaction(async () => {
        await store.setSetting('inside-probe', 'x');
      }),
      /inside store\.transaction.*tx\.setSetting/,
    );
    await assert.rejects(store.transaction(async () => store.transaction(async () => 1)), /inside store\.transaction/);
    assert.equal(await store.getSetting('inside-probe'), undefined);
    // Once the transaction is over, work it started may use the store again.
    let ended!: () => void;
    const isEnded = new Promise<void>((r) => (ended = r));
    let later!: Promise<string | undefined>;
    await store.transaction(async (tx) => {
      await tx.getSetting('x');
      later = isEnded.then(() => store.getSetting('inside-probe'));
    });
    ended();
    assert.equal(await later, undefined);
  });

  test('a transaction handle used after its transaction ended is refused', async () => {
    let leaked!: Parameters<Parameters<typeof server.store.transaction>[0]>[0];
    await server.store.transaction(async (tx) => {
      leaked = tx;
    });
    await assert.rejects(leaked.setSetting('leaked-probe', 'x'), /transaction has ended/);
    // StoreTx has no `transaction` (the type forbids it); the handle still refuses it at run time.
    await assert.rejects((leaked as Store).transaction(async () => 1), /transaction has ended/);
    assert.equal(await server.store.getSetting('leaked-probe'), undefined);
  });
});

describe('both stores behave alike', () => {
  test('lockKey outside a transaction throws on both stores', async () => {
    await assert.rejects(server.store.lockKey('column:x'), /lockKey needs a transaction/);
    assert.equal(await server.store.transaction(async (tx) => (await tx.lockKey('column:x'), 'locked')), 'locked');
  });

  test('lockKey takes several names in one call, and a name held already again, on both stores', async () => {
    // Two transactions each lock [a, b] (in order), then a again: neither deadlocks on itself.
    const lockBoth = () => server.store.transaction(async (tx) => {
      await tx.lockKey(['column:multi-a', 'column:multi-b']);
      await tx.lockKey('column:multi-a');
      return 'done';
    });
    assert.deepEqual(await Promise.all([lockBoth(), lockBoth()]), ['done', 'done']);
  });

  test('getCardAndBoard reads a card with its own board or a named one, never another workspace\'s', async () => {
    const bob = await signUp(server);
    const board = (await alice.api.post('/xapi2/data/board', { body: { name: 'Reads', columns: 'To do, Done' } })).body;
    const other = (await alice.api.post('/xapi2/data/board', { body: { name: 'Reads 2' } })).body;
    const foreign = (await bob.api.post('/xapi2/data/board', { body: { name: 'Not yours' } })).body;
    const card = (await alice.api.post('/xapi2/data/card', { body: { title: 'read me', board_id: board.id } })).body;
    const ws = alice.workspace.id;
    const read = (cardId: string, boardId: string | null) =>
      server.store.transaction(async (tx) => {
        const { card: c, board: b } = await tx.getCardAndBoard(ws, cardId, boardId);
        return [c?.id, c?.type, b?.id, b?.type];
      });
    assert.deepEqual(await read(card.id, null), [card.id, 'card', board.id, 'board']);
    assert.deepEqual(await read(card.id, other.id), [card.id, 'card', other.id, 'board']);
    assert.deepEqual(await read(card.id, foreign.id), [card.id, 'card', undefined, undefined]);
    assert.deepEqual(await read(board.id, null), [undefined, undefined, undefined, undefined], 'a board is not a card');
    assert.deepEqual(await read('00000000-0000-7000-8000-00000000dead', other.id), [undefined, undefined, other.id, 'board']);
  });

  test('insertActivity outside a transaction commits on its own, even while another transaction rolls back', async () => {
    const store = server.store;
    const ws = alice.workspace.id;
    const heard: number[] = [];
    const unsubscribe = store.subscribeActivity((workspaceId, seq) => {
      if (workspaceId === ws) heard.push(seq);
    });
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rolledBack = store.transaction(async (tx) => {
      await tx.setSetting('activity-probe', 'x');
      opened();
      await gate;
      throw new Error('roll back');
    });
    await isOpen;
    const recorded = store.insertActivity({
      workspace_id: ws, actor_id: alice.user.id, token_id: null, object_type: 'card', object_id: '00000000-0000-7000-8000-000000000001',
      action: 'update', changes: {}, created_at: new Date().toISOString(),
    });
    let seq: number | undefined;
    void recorded.then((s) => (seq = s));
    await until(() => seq !== undefined || store.waitingForTransaction > 0, 'the insert commits or waits for the transaction');
    release();
    await assert.rejects(rolledBack, /roll back/);
    seq = await recorded;
    await until(() => heard.includes(seq!), 'listeners hear of the committed activity');
    unsubscribe();
    assert.equal(await store.latestActivitySeq(ws), seq);
    const rows = await server.query('SELECT seq FROM activity WHERE seq = ?', seq);
    assert.equal(rows.length, 1, 'the activity outlived the rolled-back transaction');
  });

  test('activitySeqAt: the seq of the last activity before a time, on both stores (since=<ISO time>)', async () => {
    const store = server.store;
    const ws = `00000000-0000-7000-8000-${String(Date.now()).padStart(12, '0').slice(-12)}`;
    await store.insertWorkspace({ id: ws, slug: `seq-at-${Date.now()}`, name: 'Seq at', created_at: new Date().toISOString() });
    assert.equal(await store.activitySeqAt(ws, '2100-01-01T00:00:00.000Z'), 0, 'no activity: 0');
    const day = (d: number) => `2100-01-0${d}T00:00:00.000Z`;
    const seqs: number[] = [];
    for (const d of [1, 2, 3]) {
      seqs.push(await store.insertActivity({
        workspace_id: ws, actor_id: null, token_id: null, object_type: 'card', object_id: `00000000-0000-7000-8000-00000000000${d}`,
        action: 'update', changes: {}, created_at: day(d),
      }));
    }
    assert.equal(await store.activitySeqAt(ws, day(1)), 0, 'nothing before the first');
    assert.equal(await store.activitySeqAt(ws, day(2)), seqs[0], 'a time equal to an event keeps that event after the cursor');
    assert.equal(await store.activitySeqAt(ws, '2100-01-02T00:00:00.001Z'), seqs[1]);
    assert.equal(await store.activitySeqAt(ws, day(4)), seqs[2]);
    assert.equal(await store.transaction((tx) => tx.activitySeqAt(ws, day(3))), seqs[1], 'the same inside a transaction');
  });

  test('emails match case-insensitively across all of Unicode, on both stores', async () => {
    const email = `Ölaf.ÅSE-${Date.now()}@Example.COM`;
    const olaf = await signUp(server, { email });
    const login = await request(server, 'POST', '/xapi2/auth/login', { body: { email: email.toLowerCase(), password: olaf.password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.user.email, email, 'the address is kept as it was typed');
    const upper = await request(server, 'POST', '/xapi2/auth/login', { body: { email: email.toUpperCase(), password: olaf.password } });
    assert.equal(upper.status, 200);
    await assert.rejects(signUp(server, { email: email.toLowerCase() }), /already exists/);
    assert.equal((await server.store.getUserByEmail(email.toUpperCase()))?.id, olaf.user.id);
  });
});

describe('credential announcements (PostgreSQL)', () => {
  test('a credential write that changed no row tells no instance to drop its cache; one that did, does', { skip: TEST_STORE !== 'postgres' }, async () => {
    const [{ schema }] = await server.query<{ schema: string }>('SELECT current_schema() AS schema');
    const listener = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (msg) => heard.push(msg.payload ?? ''));
    await listener.query('LISTEN prodboard_credentials');
    // Notifications arrive in commit order: once this one is heard, every earlier commit's has been.
    const heardAll = async (sentinel: string) => {
      await listener.query('SELECT pg_notify($1, $2)', ['prodboard_credentials', sentinel]);
      await until(() => heard.includes(sentinel), `the sentinel ${sentinel} arrives`);
    };
    try {
      const past = '2000-01-01T00:00:00.000Z';
      await server.store.sweep({ idempotencyBefore: past, sessionsExpiredBefore: past, loginFailuresBefore: 0, analyticsKeep: 1e9, batch: 10 });
      await server.store.revokeAccessToken('00000000-0000-7000-8000-0000000000ff', new Date().toISOString());
      await server.store.expireSession('00000000-0000-7000-8000-0000000000ff', past);
      await heardAll(`${schema}|quiet`);
      assert.deepEqual(heard.filter((p) => p === schema), [], 'writes that changed nothing announced nothing');
      const membership = (await server.store.getMembership(alice.workspace.id, alice.user.id))!;
      await server.store.upsertMembership(membership);
      await heardAll(`${schema}|changed`);
      assert.equal(heard.filter((p) => p === schema).length, 1, 'a write that changed a row is announced once');
    } finally {
      await listener.end();
    }
  });
});

describe('email keys for existing users', () => {
  test('the oldest account keeps an address that only differs in a case the old store did not fold', () => {
    const keys = emailKeysFor([
      { id: 'b', email: 'öla@example.com', created_at: '2021-01-01T00:00:00.000Z' },
      { id: 'a', email: ' Öla@Example.com', created_at: '2020-01-01T00:00:00.000Z' },
      { id: 'c', email: 'Bob@Example.COM', created_at: '2019-01-01T00:00:00.000Z' },
    ]);
    assert.deepEqual(keys, [{ id: 'c', key: 'bob@example.com' }, { id: 'a', key: 'öla@example.com' }, { id: 'b', key: null }]);
  });

  test('migrating a database with users fills their keys, so they still sign in by any case of their address', async () => {
    const legacy = [
      { id: 'u1', email: 'Bob@Example.COM', created_at: '2020-01-01T00:00:00.000Z' },
      { id: 'u2', email: 'Åsa@Example.com', created_at: '2020-01-02T00:00:00.000Z' },
    ];
    const insert = 'INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ';
    await withDatabaseBefore(3, async (db) => {
      for (const u of legacy) await db.run(`${insert}(?, ?, 'n', 'h', ?, ?)`, [u.id, u.email, u.created_at, u.created_at]);
      assert.deepEqual(await db.store.migrate(), db.pending);
      assert.equal((await db.store.getUserByEmail('bob@example.com'))?.id, 'u1');
      assert.equal((await db.store.getUserByEmail('ÅSA@EXAMPLE.COM'))?.id, 'u2');
    });
  });
});

describe('the periodic sweep', () => {
  const HOUR = 3_600_000;

  test('deletes idempotency keys past their window, expired sessions, old login failures and telemetry beyond its bound', async () => {
    const store = server.store;
    const bob = await signUp(server);
    const ws = bob.workspace.id;
    // Two creates with keys: one to age past the 24 h window, one to keep.
    const created = await bob.api.post('/xapi2/data/board', { body: { name: 'Kept' }, headers: { 'idempotency-key': 'sweep-new' } });
    assert.equal(created.status, 201);
    assert.equal((await bob.api.post('/xapi2/data/board', { body: { name: 'Old' }, headers: { 'idempotency-key': 'sweep-old' } })).status, 201);
    const t0 = Date.now();
    await server.query("UPDATE idempotency_keys SET created_at = ? WHERE workspace_id = ? AND key = 'sweep-old' RETURNING key", new Date(t0 - 25 * HOUR).toISOString(), ws);
    // Sessions: three expired (the batch below is 2, so the sweep must go round), the live one kept.
    for (let i = 0; i < 3; i++) {
      await store.insertSession({
        id: `00000000-0000-7000-8000-00000000000${i}`, token_hash: `expired-${i}-${t0}`, user_id: bob.user.id, workspace_id: ws,
        created_at: new Date(t0 - 30 * HOUR).toISOString(), expires_at: new Date(t0 - HOUR).toISOString(),
        family_id: `00000000-0000-7000-8000-00000000000${i}`, parent_id: null, renewed_at: null, renewal_salt: 'salt',
      });
    }
    await store.recordLoginFailure(`email:sweep-${t0}`, t0 - 2 * HOUR);
    await store.recordLoginFailure(`email:sweep-${t0}`, t0);
    await store.transaction((tx) =>
      tx.insertAnalytics(Array.from({ length: 5 }, (_, i) => ({ received_at: new Date(t0).toISOString(), device_id: null, type: `sweep-${i}`, payload: '{}' })), 1000),
    );
    const analyticsBefore = await store.countAnalytics();
    const count = async (sql: string, ...params: unknown[]) => Number((await server.query<{ n: number }>(sql, ...params))[0].n);

    // Password reset links: one expired, one still usable.
    const reset = (id: string, expiresAt: number) => ({
      id, token_hash: `sweep-${id}`, user_id: bob.user.id, workspace_id: null, created_by: null, created_at: new Date(t0 - 25 * HOUR).toISOString(),
      expires_at: new Date(expiresAt).toISOString(), used_at: null,
    });
    await store.insertPasswordReset(reset(randomUUID(), t0 - HOUR));
    const liveReset = randomUUID();
    await store.insertPasswordReset(reset(liveReset, t0 + HOUR));

    const sweeper = new Sweeper(store, { loginWindowMs: HOUR, analyticsKeep: analyticsBefore - 4, batch: 2, now: () => t0 });
    const swept = await sweeper.sweepNow();
    assert.equal(swept.passwordResets, 1);
    assert.equal(await count('SELECT count(*) AS n FROM password_resets WHERE user_id = ?', bob.user.id), 1, 'the usable reset link stays');
    assert.ok(swept.idempotency >= 1 && swept.sessions >= 3 && swept.loginFailures >= 1, JSON.stringify(swept));
    assert.equal(swept.analytics, 4);
    assert.equal(await count('SELECT count(*) AS n FROM idempotency_keys WHERE workspace_id = ?', ws), 1, 'the key inside its window stays');
    assert.equal(await count('SELECT count(*) AS n FROM sessions WHERE user_id = ?', bob.user.id), 1, 'only the live session stays');
    assert.equal(await count('SELECT count(*) AS n FROM login_failures WHERE key = ?', `email:sweep-${t0}`), 1);
    assert.equal(await store.countAnalytics(), analyticsBefore - 4);
    // What stays still works: the live session, and the key inside its window replays.
    assert.equal((await bob.api.get('/xapi2/auth/me')).status, 200);
    const replay = await bob.api.post('/xapi2/data/board', { body: { name: 'Kept' }, headers: { 'idempotency-key': 'sweep-new' } });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(replay.body.id, created.body.id);
    // A second sweep finds nothing more.
    assert.deepEqual(await sweeper.sweepNow(), { idempotency: 0, sessions: 0, loginFailures: 0, analytics: 0, oauth: 0, passwordResets: 0 });
  });

  test('PRODBOARD_SWEEP_SECONDS sets the interval, never below a second', () => {
    assert.equal(configFromEnv({}).sweepIntervalMs, 600_000);
    assert.equal(configFromEnv({ PRODBOARD_SWEEP_SECONDS: '60' }).sweepIntervalMs, 60_000);
    assert.equal(configFromEnv({ PRODBOARD_SWEEP_SECONDS: '0' }).sweepIntervalMs, 1000);
  });

  test('the server sweeps on an unref\'d timer and stops it when it closes', async () => {
    const other = await startServer({ sweepIntervalMs: 20 });
    try {
      const carol = await signUp(other);
      const timer = other.app.sweeper.scheduled;
      assert.ok(timer, 'the sweep is scheduled once the server is ready');
      assert.equal(timer.hasRef(), false, 'the timer never keeps the process alive');
      const now = Date.now();
      await other.store.insertSession({
        id: '00000000-0000-7000-8000-0000000000ff', token_hash: `expired-timer-${now}`, user_id: carol.user.id, workspace_id: carol.workspace.id,
        created_at: new Date(now - 2 * HOUR).toISOString(), expires_at: new Date(now - HOUR).toISOString(),
        family_id: '00000000-0000-7000-8000-0000000000ff', parent_id: null, renewed_at: null, renewal_salt: 'salt',
      });
      for (let i = 0; ; i++) {
        const rows = await other.query('SELECT id FROM sessions WHERE id = ?', '00000000-0000-7000-8000-0000000000ff');
        if (rows.length === 0) break;
        assert.ok(i < 500, 'the timer swept the expired session');
        await new Promise((r) => setTimeout(r, 10)); // polling, bounded above
      }
    } finally {
      await other.close();
    }
    assert.equal(other.app.sweeper.scheduled, undefined, 'closing the server stops the timer');
  });
});

describe('list pages stay bounded', () => {
  test('the page cache counts its keys, so many distinct queries with small pages stay within its bytes', async () => {
    const maxBytes = 64 * 1024;
    const cache = new PageCache(maxBytes);
    const empty = { items: [], lastId: null, hasMore: false };
    let keyBytes = 0;
    for (let i = 0; i < 2000; i++) {
      const query = {
        workspaceId: alice.workspace.id, type: 'card', filters: [{ param: 'data__assignee', target: { kind: 'top', name: 'owned_by' }, values: [`user-${i}-${'x'.repeat(200)}`] }],
        sort: null, limit: 50, offset: 0, terms: [], includeArchived: false,
      } as unknown as ObjectListQuery;
      keyBytes = 2 * cacheKey(query).length;
      await cache.read(query, async () => 1, async () => empty);
    }
    assert.ok(cache.size > 0);
    assert.ok(cache.size * keyBytes <= maxBytes, `${cache.size} keys of ${keyBytes} bytes within ${maxBytes}`);
  });

  test('the page cache evicts the least recently used page: a hit, repeated or not, keeps its page', async () => {
    const query = (name: string): ObjectListQuery => ({ workspaceId: alice.workspace.id, type: 'card', filters: [], sort: null, limit: 50, offset: 0, terms: [name], includeArchived: false });
    const page = { items: ['x'.repeat(1000)], lastId: null, hasMore: false };
    const entryBytes = 2 * (1000 + 64 + cacheKey(query('A')).length);
    // Room for four pages, not five.
    const cache = new PageCache(4 * entryBytes + entryBytes / 2);
    const loads: string[] = [];
    const read = (name: string) => cache.read(query(name), async () => 1, async () => (loads.push(name), page));
    for (const name of ['A', 'B', 'C', 'D']) await read(name);
    await read('A');
    await read('A');
    await read('C');
    await read('E');
    assert.deepEqual(loads, ['A', 'B', 'C', 'D', 'E'], 'A and C were hits');
    assert.equal(cache.size, 4);
    // E pushed out B, the least recently used (A and C had been used since); A, C and E are hits.
    await read('A');
    await read('C');
    await read('E');
    assert.deepEqual(loads, ['A', 'B', 'C', 'D', 'E']);
    await read('B');
    assert.deepEqual(loads, ['A', 'B', 'C', 'D', 'E', 'B'], 'B had been evicted');
    // B's return pushed out D, the least recently used of A, C, D, E.
    await read('D');
    assert.deepEqual(loads, ['A', 'B', 'C', 'D', 'E', 'B', 'D'], 'D had been evicted');
  });
});

describe('position reads (PostgreSQL)', () => {
  test('the last position and the neighbours of a 2,000-card column each read one index entry, and agree with the column', { skip: TEST_STORE !== 'postgres' && 'PostgreSQL plans' }, async () => {
    const ws = alice.workspace.id;
    const board = `pos-board-${randomUUID()}`;
    const n = 2000;
    await server.query(
      `INSERT INTO objects (id, workspace_id, type, status, owned_by, created_by, updated_by, is_archived, is_deleted, created_at, updated_at, version, data, search)
       SELECT $1 || i, $2, 'card', 'active', 'u', 'u', 'u', false, false, '2026-01-01', '2026-01-01', 1,
         jsonb_build_object('title', 'c', 'board_id', $3::text, 'status', 'todo', 'position', i * 1024.0), ''
       FROM generate_series(1, ${n}) i`,
      `${board}-`, ws, board,
    );
    await server.query('ANALYZE objects');
    const column = { workspaceId: ws, boardId: board, status: 'todo' };
    // What the store reads: the last position, and the neighbours of a position in the middle (the card at it left out).
    const middle = 1000 * 1024;
    const last = await server.store.transaction((tx) => tx.maxPosition(column));
    assert.equal(last, n * 1024);
    assert.equal(await server.store.transaction((tx) => tx.maxPosition(column, `${board}-${n}`)), (n - 1) * 1024, 'the card left out');
    assert.deepEqual(await server.store.transaction((tx) => tx.neighbourPositions(column, middle, `${board}-1000`)), { below: 999 * 1024, atOrAbove: 1001 * 1024 });
    assert.deepEqual(await server.store.transaction((tx) => tx.neighbourPositions(column, middle + 1, undefined)), { below: middle, atOrAbove: 1001 * 1024 });
    assert.deepEqual(await server.store.transaction((tx) => tx.maxPosition({ ...column, status: 'empty' })), undefined, 'an empty column');
    // How it reads them: no aggregate or sort over the column, and each index scan returns one row.
    const plans: Array<[string, string, unknown[]]> = [
      ['last', POSITION_SQL.last(columnWhere(column, 2).sql), [null, ...columnWhere(column, 2).params]],
      ['neighbours', POSITION_SQL.neighbours(columnWhere(column, 3).sql), [`${board}-1000`, middle, ...columnWhere(column, 3).params]],
    ];
    for (const [name, sql, params] of plans) {
      const [{ 'QUERY PLAN': plan }] = await server.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, ...params);
      const nodes: PlanNode[] = [];
      const walk = (node: PlanNode) => {
        nodes.push(node);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan[0].Plan);
      const scans = nodes.filter((node) => node['Node Type'].includes('Scan'));
      assert.ok(scans.length > 0, `${name}: ${JSON.stringify(plan)}`);
      for (const scan of scans) assert.ok(scan['Actual Rows'] <= 1, `${name}: a scan returned ${scan['Actual Rows']} rows (${scan['Node Type']} on ${scan['Index Name'] ?? scan['Relation Name']})`);
      assert.deepEqual(nodes.filter((node) => ['Aggregate', 'Sort'].includes(node['Node Type'])).map((node) => node['Node Type']), [], `${name} reads the column in index order`);
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
