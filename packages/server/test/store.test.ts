/**
 * The stores under hostile use (issue 10): their statement caches stay bounded whatever list shapes
 * clients send; a transaction is never joined by another request's store calls; both stores behave
 * alike where they used to differ (lockKey, insertActivity, email matching); and the periodic sweep
 * deletes what would otherwise pile up. Every test runs on whichever store the suite runs on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { makeToken, request, signUp, startServer, type TestServer } from './helpers.js';

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
    await assert.rejects(leaked.transaction(async () => 1), /transaction has ended/);
    assert.equal(await server.store.getSetting('leaked-probe'), undefined);
  });
});
