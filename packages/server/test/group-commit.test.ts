/**
 * SQLite's group commit (store/sqlite/sqlite-store.ts): transactions that queue while one runs share
 * its COMMIT, each in a savepoint of its own. What must hold: none is acknowledged (its promise, a
 * request's answer) before a COMMIT that holds it, as a second connection sees the file; a failing
 * one rolls back alone; a COMMIT that fails fails every member and leaves nothing; and queued
 * transactions do share a COMMIT (otherwise this is dead code). A second connection reads what is
 * committed; the WAL's commit frames count the COMMITs. SQLite only: PostgreSQL commits each
 * transaction on its own connection.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createConnection, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import type { StoreTx } from '../src/store/types.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { TEST_STORE, signUp, startServer, type TestServer } from './helpers.js';

const sqliteOnly = TEST_STORE === 'postgres' ? 'PostgreSQL commits each transaction on its own connection' : false;

let server: TestServer;
let store: SqliteStore;
/** A second connection to the server's file: what is committed, as anyone else would see it. */
let observer: Database.Database;

before(async () => {
  if (sqliteOnly) return;
  server = await startServer();
  store = server.store as SqliteStore;
  observer = new Database(server.config.dbPath as string, { readonly: true });
  store.connection.pragma('wal_autocheckpoint = 0');
});
after(async () => {
  if (sqliteOnly) return;
  observer.close();
  await server.close();
});

/**
 * Counts the server's COMMITs from now on: the commit frames its WAL gains (a frame that ends a
 * transaction records the database's size; the others record 0). The server's automatic checkpoint
 * is off in these tests, so the WAL only grows (its salts, checked, would change on a restart).
 */
function commitCounter(): () => number {
  const wal = `${server.config.dbPath}-wal`;
  const read = () => {
    const bytes = readFileSync(wal);
    const pageSize = bytes.readUInt32BE(8);
    const salts = bytes.subarray(16, 24);
    let commits = 0;
    for (let at = 32; at + 24 + pageSize <= bytes.length; at += 24 + pageSize) {
      if (!bytes.subarray(at + 8, at + 16).equals(salts)) break;
      if (bytes.readUInt32BE(at + 4) !== 0) commits++;
    }
    return { commits, salts: salts.toString('hex') };
  };
  const start = read();
  return () => {
    const now = read();
    assert.equal(now.salts, start.salts, 'the WAL was restarted while counting');
    return now.commits - start.commits;
  };
}

const committed = (key: string) =>
  (observer.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;

/** A transaction held open until `release()`: the ones started meanwhile queue behind it. */
function heldTransaction(write: (tx: StoreTx) => Promise<void>) {
  let opened!: () => void;
  const isOpen = new Promise<void>((r) => (opened = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const done = store.transaction(async (tx) => {
    await write(tx);
    opened();
    await gate;
  });
  return { isOpen, release, done };
}

/** Each promise's outcome, and what the observer saw of `key` at the moment it settled. */
function watch(promise: Promise<unknown>, key: string) {
  const seen: { settled: boolean; ok?: boolean; value?: string } = { settled: false };
  const settle = (ok: boolean) => () => Object.assign(seen, { settled: true, ok, value: committed(key) });
  void promise.then(settle(true), settle(false));
  return seen;
}

describe('SQLite group commit', { skip: sqliteOnly }, () => {
  test('transactions queued behind one share its COMMIT, and none settles before that COMMIT', async () => {
    const commits = commitCounter();
    const first = heldTransaction((tx) => tx.setSetting('gc-first', 'one'));
    await first.isOpen;
    const queued = [1, 2, 3, 4].map((n) => store.transaction((tx) => tx.setSetting(`gc-q${n}`, `v${n}`)));
    const seen = queued.map((p, i) => watch(p, `gc-q${i + 1}`));
    const seenFirst = watch(first.done, 'gc-first');
    first.release();
    await Promise.all([first.done, ...queued]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seenFirst, { settled: true, ok: true, value: 'one' }, 'the first settled only once its write was committed');
    seen.forEach((s, i) => assert.deepEqual(s, { settled: true, ok: true, value: `v${i + 1}` }, `queued transaction ${i + 1} settled only once committed`));
    assert.equal(commits(), 1, 'five transactions, one COMMIT');
  });

  test('a failing transaction in a group rolls back alone; the others commit', async () => {
    const commits = commitCounter();
    const first = heldTransaction((tx) => tx.setSetting('gc-a', 'a'));
    await first.isOpen;
    const ok1 = store.transaction((tx) => tx.setSetting('gc-b', 'b'));
    const failing = store.transaction(async (tx) => {
      await tx.setSetting('gc-c', 'c');
      await tx.setSetting('gc-b', 'overwritten by the failing one');
      throw new Error('fails after writing');
    });
    const refused = assert.rejects(failing, /fails after writing/);
    const ok2 = store.transaction((tx) => tx.setSetting('gc-d', 'd'));
    first.release();
    await Promise.all([first.done, ok1, refused, ok2]);
    assert.deepEqual(['gc-a', 'gc-b', 'gc-c', 'gc-d'].map(committed), ['a', 'b', undefined, 'd']);
    assert.equal(commits(), 1);
  });

  test('a COMMIT that fails fails every transaction of the group and leaves nothing behind', async () => {
    // A deferred foreign key is checked at COMMIT: the dangling row makes the group's COMMIT fail.
    store.connection.exec(`CREATE TABLE IF NOT EXISTS gc_parent (id TEXT PRIMARY KEY);
      CREATE TABLE IF NOT EXISTS gc_child (parent TEXT REFERENCES gc_parent(id) DEFERRABLE INITIALLY DEFERRED)`);
    const commits = commitCounter();
    const first = heldTransaction((tx) => tx.setSetting('gc-x', 'x'));
    await first.isOpen;
    const dangling = store.transaction(async (tx) => {
      await tx.setSetting('gc-y', 'y');
      // Raw SQL on the connection runs inside the open transaction (as the store's own statements do).
      store.connection.prepare("INSERT INTO gc_child (parent) VALUES ('nobody')").run();
    });
    const refused = [first.done, dangling].map((p) => assert.rejects(p, /FOREIGN KEY constraint failed/));
    first.release();
    await Promise.all(refused);
    assert.deepEqual(['gc-x', 'gc-y'].map(committed), [undefined, undefined]);
    assert.equal((observer.prepare('SELECT count(*) AS n FROM gc_child').get() as { n: number }).n, 0);
    assert.equal(commits(), 0);
    // The connection is usable again: the next transaction commits on its own.
    await store.transaction((tx) => tx.setSetting('gc-after', 'after'));
    assert.equal(committed('gc-after'), 'after');
    assert.equal(commits(), 1);
  });

  test('when SQLite ends the transaction under a member that carries on, neither it nor its group is acknowledged', async () => {
    const first = heldTransaction((tx) => tx.setSetting('ee-a', 'a'));
    await first.isOpen;
    const second = store.transaction(async (tx) => {
      await tx.setSetting('ee-b', 'b');
      // What SQLite does by itself on an I/O error or a full disk, and the member swallows.
      store.connection.exec('ROLLBACK');
    });
    const third = store.transaction((tx) => tx.setSetting('ee-c', 'c'));
    const refused = [first.done, second].map((p) => assert.rejects(p, /SQLite ended the transaction before its COMMIT/));
    first.release();
    await Promise.all([...refused, third]);
    assert.deepEqual(['ee-a', 'ee-b', 'ee-c'].map(committed), [undefined, undefined, 'c'], 'only the transaction after the ended group committed');
  });

  test('concurrent card creates over HTTP: every 201 is committed when it arrives, in fewer COMMITs than creates', async () => {
    const alice = await signUp(server);
    const board = await alice.api.post('/xapi2/data/board', { body: { name: 'Group commit', columns: 'To do, Done' } });
    assert.equal(board.status, 201, JSON.stringify(board.body));
    const N = 40;
    // Connected and accepted first, then written in one go: the server reads the requests in one turn
    // of its event loop, as it reads those of busy kept-alive connections (it accepts one connection
    // a turn, and a client in this process would trickle its requests besides).
    let accepted = 0;
    const onConnection = () => accepted++;
    server.app.server.on('connection', onConnection);
    const sockets = await Promise.all(Array.from({ length: N }, () => connected(server.url)));
    for (let turn = 0; accepted < N; turn++) {
      assert.ok(turn < 10_000, `the server accepted ${accepted} of ${N} connections`);
      await new Promise((r) => setImmediate(r));
    }
    server.app.server.off('connection', onConnection);
    const commits = commitCounter();
    const visibleOnArrival: boolean[] = [];
    const answers = sockets.map(async (socket, i) => {
      const res = await rawExchange(socket, 'POST', '/xapi2/data/card', alice.session, { title: `group ${i}`, board_id: board.body.id });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      visibleOnArrival.push(observer.prepare('SELECT 1 FROM objects WHERE id = ?').get(res.body.id) !== undefined);
    });
    await Promise.all(answers);
    assert.equal(visibleOnArrival.length, N);
    assert.ok(visibleOnArrival.every(Boolean), 'a create was answered before its COMMIT');
    const keys = (observer.prepare("SELECT key FROM objects WHERE type = 'card' AND json_extract(data, '$.board_id') = ?").all(board.body.id) as Array<{ key: string }>).map((r) => r.key);
    assert.equal(new Set(keys).size, N, 'every card has its own key');
    const n = commits();
    assert.ok(n >= 1 && n < N, `${N} concurrent creates took ${n} COMMITs: queued transactions did not share them`);
  });
});

function connected(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes one HTTP/1.1 request at once (Connection: close) and reads the whole answer. */
function rawExchange(socket: Socket, method: string, path: string, token: string, body: unknown): Promise<{ status: number; body: any }> {
  const payload = Buffer.from(JSON.stringify(body));
  const chunks: Buffer[] = [];
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', reject);
    socket.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      resolve({ status, body: JSON.parse(text.slice(split + 4)) });
    });
  });
  socket.write(
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n`,
  );
  socket.write(payload);
  return answer;
}
