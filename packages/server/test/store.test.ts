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
