/**
 * Several prodboard processes on one PostgreSQL database: live events and credential changes cross
 * instances through LISTEN/NOTIFY (and survive losing it), cached pages stay exact, concurrent
 * writes to one card or one column lose nothing, and `prodboard copy` moves a SQLite server's data
 * into PostgreSQL with every row accounted for.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { TEST_DATABASE_URL, request } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/prodboard.js', import.meta.url));
const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
let dir: string;
const children: ChildProcess[] = [];
const databases: string[] = [];

/** A fresh, empty PostgreSQL database; its URL. */
async function freshDatabase(): Promise<string> {
  const name = `pb_multi_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  databases.push(name);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', PRODBOARD_DB: '' } });
  assert.equal(result.status, 0, `prodboard ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Starts `prodboard serve` on the database; resolves to its URL once it listens. */
async function serve(databaseUrl: string): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--database-url', databaseUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prodboard did not start: ${out}`)), 15_000);
    child.stdout!.on('data', () => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`prodboard exited with ${code}: ${out}`)));
  });
}

/** Opens an SSE stream and collects its events. */
function openEvents(url: string, token: string) {
  const controller = new AbortController();
  const events: Array<{ id: string; data: any }> = [];
  const ready = fetch(`${url}/xapi2/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal }).then(async (res) => {
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (id && data) events.push({ id, data: JSON.parse(data) });
          }
        }
      } catch {
        // aborted
      }
    })();
  });
  return { events, ready, close: () => controller.abort() };
}

/**
 * Polls `probe` until it returns a value. The bound only turns a hang into a failure that names what
 * never happened; it is far above any wait the tests expect and nothing asserts how long a wait took.
 */
async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, tries = 600): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what} after ${tries} tries`);
}

/** The first event of `stream` whose object is `id` (an event b can only send once it has heard the NOTIFY of that write). */
function eventFor(stream: ReturnType<typeof openEvents>, id: string) {
  return waitFor(`the event of ${id} on the stream`, () => stream.events.find((e) => e.data.object_id === id));
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'prodboard-multi-'));
});

after(async () => {
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('two instances on one PostgreSQL database', () => {
  let a: string;
  let b: string;
  let token: string;
  let database: string;
  /** The account's password (one test changes it). */
  let password = 'two instances';
  const logIn = async () => {
    const login = await request({ url: a }, 'POST', '/xapi2/auth/login', { body: { email: 'multi@example.com', password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    return login.body.access_token as string;
  };

  before(async () => {
    const url = await freshDatabase();
    database = new URL(url).pathname.slice(1);
    cli('migrate', '--database-url', url);
    cli('user', 'create', '--email', 'multi@example.com', '--password', 'two instances', '--role', 'owner', '--database-url', url);
    token = cli('token', 'create', '--email', 'multi@example.com', '--name', 'multi', '--database-url', url).trim().split('\n').pop()!;
    [a, b] = await Promise.all([serve(url), serve(url)]);
    assert.notEqual(a, b);
  });

  test('a write through one instance reaches an event stream opened on the other', async () => {
    const stream = openEvents(b, token);
    await stream.ready;
    const created = await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name: 'Seen everywhere' } });
    assert.equal(created.status, 201);
    const event = await waitFor('the event on instance b', () => stream.events.find((e) => e.data.object_id === created.body.id));
    assert.equal(event.data.action, 'create');
    assert.equal(event.data.object_type, 'board');
    stream.close();
  });

  test('a token revoked or a password changed through one instance stops working on the other at once', async () => {
    // Each instance caches credential lookups; a change on one must reach the other's cache.
    const session = await logIn();
    const created = await request({ url: a }, 'POST', '/xapi2/tokens', { token: session, body: { name: 'short-lived', scopes: 'board:read' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const pat: string = created.body.token;
    // Both credentials are read (and so cached) on b, several times.
    for (let i = 0; i < 3; i++) {
      assert.equal((await request({ url: b }, 'GET', '/xapi2/data/board', { token: pat })).status, 200);
      assert.equal((await request({ url: b }, 'GET', '/xapi2/auth/me', { token: session })).status, 200);
    }

    // A sentinel instead of a stopwatch: b hears NOTIFYs on one connection in commit order, so once
    // b has streamed a write committed after the change, it has heard the change too. Its very next
    // request must be refused: the change reached b's cache by NOTIFY, not by the cache's 10 s expiry.
    const stream = openEvents(b, token);
    await waitFor('the stream on b to start', () => stream.events[0]);
    const sentinel = async (name: string) => {
      const board = await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name } });
      assert.equal(board.status, 201);
      await eventFor(stream, board.body.id);
    };

    assert.equal((await request({ url: a }, 'DELETE', `/xapi2/tokens/${created.body.id}`, { token: session })).status, 200);
    await sentinel('After the revoke');
    const refused = await request({ url: b }, 'GET', '/xapi2/data/board', { token: pat });
    assert.equal(refused.status, 401, 'b refuses the revoked token as soon as it has heard of the revoke');
    assert.equal(refused.body.code, 'unauthenticated');

    const changed = await request({ url: a }, 'POST', '/xapi2/auth/password', { token: session, body: { current_password: password, new_password: 'two instances again' } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    password = 'two instances again';
    await sentinel('After the password change');
    assert.equal((await request({ url: b }, 'GET', '/xapi2/auth/me', { token: session })).status, 401, 'b refuses the signed-out session as soon as it has heard of the change');
    stream.close();
    // The token made with the CLI is untouched by either change.
    assert.equal((await request({ url: b }, 'GET', '/xapi2/data/board', { token })).status, 200);
  });

  test('an instance that loses its LISTEN connection serves no stale credential and misses no event', async () => {
    const session = await logIn();
    const created = await request({ url: a }, 'POST', '/xapi2/tokens', { token: session, body: { name: 'outage', scopes: 'board:read' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const pat: string = created.body.token;
    assert.equal((await request({ url: b }, 'GET', '/xapi2/data/board', { token: pat })).status, 200);
    assert.equal((await request({ url: b }, 'GET', '/xapi2/data/board', { token: pat })).status, 200);
    const stream = openEvents(b, token);
    await stream.ready;

    // Cut both instances' LISTEN connections, as a database restart or a network blip would.
    const listeners = async () =>
      (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'prodboard-listener'`, [database])).rows.map((r) => r.pid);
    const before = await listeners();
    assert.equal(before.length, 2, 'each instance holds one LISTEN connection');
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    // A terminated backend sends its client a FATAL before it leaves pg_stat_activity: once both have
    // left, each instance has been told (an event to wait for, not a guess at how long telling takes).
    await waitFor('the cut LISTEN connections to end', async () => ((await listeners()).some((pid) => before.includes(pid)) ? undefined : true));

    // While b hears nothing: a revoke through a must still reach b's next request, and a write must not be lost.
    assert.equal((await request({ url: a }, 'DELETE', `/xapi2/tokens/${created.body.id}`, { token: session })).status, 200);
    assert.equal((await request({ url: b }, 'GET', '/xapi2/data/board', { token: pat })).status, 401, 'b reads the revoked token from the database, not its cache');
    const during = (await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name: 'Written during the outage' } })).body;

    await waitFor('both instances to LISTEN again', async () => {
      const now = await listeners();
      return now.length === 2 && now.every((pid) => !before.includes(pid)) ? now : undefined;
    });
    const afterwards = (await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name: 'Written after it' } })).body;
    await waitFor('both boards on b\'s event stream', () =>
      [during.id, afterwards.id].every((id) => stream.events.some((e) => e.data.object_id === id)) ? true : undefined);
    assert.equal((await request({ url: b }, 'GET', '/xapi2/data/board', { token: pat })).status, 401);
    stream.close();
  });

  test('a list page cached by one instance shows a write made through the other at once', async () => {
    const board = (await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name: 'Cached pages' } })).body;
    const card = (await request({ url: a }, 'POST', '/xapi2/data/card', { token, body: { title: 'first draft', board_id: board.id } })).body;
    const titles = async () => {
      const res = await request({ url: b }, 'GET', '/xapi2/data/card', { token, query: { data__board_id: board.id, sort: 'data__position' } });
      assert.equal(res.status, 200);
      return res.body.data.map((c: { data: { title: string } }) => c.data.title);
    };
    assert.deepEqual(await titles(), ['first draft']);
    assert.deepEqual(await titles(), ['first draft'], 'the same page again (now from b\'s cache)');

    assert.equal((await request({ url: a }, 'PATCH', `/xapi2/data/card/${card.id}`, { token, body: { title: 'final' } })).status, 200);
    assert.deepEqual(await titles(), ['final'], 'an update through a is listed by b on the next request');
    const second = (await request({ url: a }, 'POST', '/xapi2/data/card', { token, body: { title: 'second', board_id: board.id } })).body;
    assert.deepEqual(await titles(), ['final', 'second']);
    assert.equal((await request({ url: a }, 'DELETE', `/xapi2/data/card/${second.id}`, { token })).status, 200);
    assert.deepEqual(await titles(), ['final']);
  });

  test('clients writing one card at once through both instances: no lost update, one If-Match winner, one card per Idempotency-Key', async () => {
    const board = (await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name: 'One card, many writers' } })).body;
    const card = (await request({ url: a }, 'POST', '/xapi2/data/card', { token, body: { title: 'shared', board_id: board.id } })).body;
    const via = (i: number) => ({ url: i % 2 ? a : b });

    // Each client changes a different field, with no If-Match: every change must land.
    const changes: Array<Record<string, unknown>> = [
      { title: 'retitled' }, { description: 'described' }, { priority: 'critical' }, { assignee: 'grace' }, { due_date: '2027-03-01' }, { tags: ['racy'] },
    ];
    const results = await Promise.all(changes.map((body, i) => request(via(i), 'PATCH', `/xapi2/data/card/${card.id}`, { token, body })));
    for (const res of results) assert.equal(res.status, 200, JSON.stringify(res.body));
    const merged = (await request({ url: b }, 'GET', `/xapi2/data/card/${card.id}`, { token })).body;
    for (const body of changes) for (const [field, value] of Object.entries(body)) assert.deepEqual(merged.data[field], value, `${field} survived the others' writes`);
    assert.equal(merged.version, card.version + changes.length, 'one version per write');

    // Eight clients all holding the same version: exactly one write wins, the rest get 412.
    const racers = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      request(via(i), 'PATCH', `/xapi2/data/card/${card.id}`, { token, body: { title: `racer ${i}` }, headers: { 'if-match': `"${merged.version}"` } })));
    assert.deepEqual(racers.map((r) => r.status).sort(), [200, 412, 412, 412, 412, 412, 412, 412]);
    const winner = racers.find((r) => r.status === 200)!.body;
    const final = (await request({ url: a }, 'GET', `/xapi2/data/card/${card.id}`, { token })).body;
    assert.equal(final.version, merged.version + 1);
    assert.equal(final.data.title, winner.data.title);

    // Eight retries of one create with one Idempotency-Key: one card, the same answer for all.
    const created = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      request(via(i), 'POST', '/xapi2/data/card', { token, body: { title: 'exactly once', board_id: board.id }, headers: { 'idempotency-key': `multi-${board.id}` } })));
    for (const res of created) assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(new Set(created.map((r) => r.body.id)).size, 1, 'every retry names the same card');
    assert.equal(created.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 7);
    const titles = (await request({ url: b }, 'GET', '/xapi2/data/card', { token, query: { data__board_id: board.id, limit: 50 } })).body.data.map((c: { data: { title: string } }) => c.data.title);
    assert.deepEqual(titles.filter((t: string) => t === 'exactly once'), ['exactly once']);
  });

  test('8 concurrent clients moving cards in one column end with distinct positions and every move recorded', async () => {
    const board = (await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name: 'Contended', columns: 'Todo, Done' } })).body;
    const cards: string[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await request({ url: i % 2 ? a : b }, 'POST', '/xapi2/data/card', { token, body: { title: `c${i}`, board_id: board.id } });
      assert.equal(res.status, 201);
      cards.push(res.body.id);
    }
    const before = (await request({ url: a }, 'GET', '/xapi2/activity', { token, query: { limit: 500 } })).body;
    let since = before.meta.next_cursor;
    // Every client moves cards onto the position of the first card: the worst case for collisions.
    const target = (await request({ url: a }, 'GET', `/xapi2/data/card/${cards[0]}`, { token })).body.data.position;
    const moves = Array.from({ length: 8 }, (_, client) => async () => {
      for (let round = 0; round < 3; round++) {
        const card = cards[(client * 3 + round) % cards.length];
        const res = await request({ url: client % 2 ? a : b }, 'PATCH', `/xapi2/data/card/${card}`, { token, body: { position: target } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
    });
    await Promise.all(moves.map((move) => move()));

    const column = await request({ url: b }, 'GET', '/xapi2/data/card', { token, query: { data__board_id: board.id, limit: 200 } });
    const positions = column.body.data.map((c: { data: { position: number } }) => c.data.position);
    assert.equal(positions.length, 16);
    assert.equal(new Set(positions).size, 16, `positions are distinct: ${positions.join(', ')}`);
    assert.ok(positions.every((p: number, i: number) => i === 0 || p > positions[i - 1]), 'listed in position order');

    const events: Array<{ object_id: string; changes: Record<string, unknown> }> = [];
    for (;;) {
      const page = (await request({ url: a }, 'GET', '/xapi2/activity', { token, query: { since, limit: 500 } })).body;
      events.push(...page.data);
      since = page.meta.next_cursor;
      if (!page.meta.has_more) break;
    }
    const moved = events.filter((e) => 'position' in e.changes);
    // 24 requested moves; a move onto a free slot may keep the card's position (no change, no event),
    // but every position change, moves and respacing alike, is recorded.
    const finalById = new Map(column.body.data.map((c: { id: string; data: { position: number } }) => [c.id, c.data.position]));
    for (const [id, position] of finalById) {
      const last = moved.filter((e) => e.object_id === id).pop();
      if (last) assert.equal((last.changes.position as number[])[1], position, `the last recorded move of ${id} is its final position`);
    }
    assert.ok(moved.length >= 8, `moves are recorded (${moved.length})`);
  });

  test('movers into and out of one column through both instances, with forced respaces: positions stay distinct and acknowledged moves stay put', async () => {
    const board = (await request({ url: a }, 'POST', '/xapi2/data/board', { token, body: { name: 'Respaced under load', columns: 'Todo, Done' } })).body;
    const via = (i: number) => ({ url: i % 2 ? a : b });
    type Listed = { id: string; version: number; data: { status: string; position: number } };
    const list = async (status: string, i: number): Promise<Listed[]> => {
      const res = await request(via(i), 'GET', '/xapi2/data/card', { token, query: { data__board_id: board.id, data__status: status, limit: 200 } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.data;
    };
    const create = async (status: string, i: number) => {
      const res = await request(via(i), 'POST', '/xapi2/data/card', { token, body: { title: `card ${i}`, board_id: board.id, status } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    // Four movers own three cards each and move them between the columns; one squeezer per column owns
    // two cards there and forces a respace: it parks one card a hair below another, then asks for the
    // other's position, so the gap is too small to split.
    const movers = await Promise.all(Array.from({ length: 4 }, (_, m) => Promise.all([0, 1, 2].map((k) => create(k % 2 ? 'done' : 'todo', m + k)))));
    const squeezers = await Promise.all(['todo', 'done'].map(async (status, s) => ({ status, cards: [await create(status, s), await create(status, s + 1)] })));
    for (let i = 0; i < 6; i++) await create(i % 2 ? 'done' : 'todo', i);

    const initial = new Map<string, { status: string; position: number }>();
    for (const status of ['todo', 'done']) for (const c of await list(status, 0)) initial.set(c.id, { status, position: c.data.position });
    let since = (await request({ url: a }, 'GET', '/xapi2/activity', { token, query: { limit: 500 } })).body.meta.next_cursor as string;
    for (;;) {
      const page = (await request({ url: a }, 'GET', '/xapi2/activity', { token, query: { since, limit: 500 } })).body;
      since = page.meta.next_cursor;
      if (!page.meta.has_more) break;
    }

    // What each client was told: the card's column and position, and whether a move of it is under way.
    const acked = new Map<string, { status: string; position: number; serial: number }>();
    for (const [id, at] of initial) acked.set(id, { ...at, serial: 0 });
    const inFlight = new Set<string>();
    const ackedPositions = new Map<string, number[]>();
    let random = 7;
    const pick = (n: number) => ((random = (random * 48271) % 2147483647) % n);
    const move = async (i: number, id: string, body: Record<string, unknown>) => {
      inFlight.add(id);
      try {
        const res = await request(via(i), 'PATCH', `/xapi2/data/card/${id}`, { token, body });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        acked.set(id, { status: res.body.data.status, position: res.body.data.position, serial: acked.get(id)!.serial + 1 });
        ackedPositions.set(id, [...(ackedPositions.get(id) ?? []), res.body.data.position]);
      } finally {
        inFlight.delete(id);
      }
    };

    let running = true;
    const problems: string[] = [];
    let polls = 0;
    const poller = (async () => {
      while (running) {
        const settled = new Map([...acked].filter(([id]) => !inFlight.has(id)));
        const columns = { todo: await list('todo', polls), done: await list('done', polls + 1) };
        polls++;
        for (const [status, cards] of Object.entries(columns)) {
          const positions = cards.map((c) => c.data.position);
          if (new Set(positions).size !== positions.length) problems.push(`poll ${polls}: two cards share a position in ${status}: ${positions.join(', ')}`);
        }
        for (const [id, ack] of settled) {
          if (inFlight.has(id) || acked.get(id)!.serial !== ack.serial) continue;
          const where = Object.entries(columns).filter(([, cards]) => cards.some((c) => c.id === id)).map(([status]) => status);
          if (where.length !== 1 || where[0] !== ack.status) problems.push(`poll ${polls}: card ${id} was acknowledged in ${ack.status}, listed in [${where.join(', ')}]`);
        }
      }
    })();

    const moverRuns = movers.map(async (cards, m) => {
      for (let round = 0; round < 12; round++) {
        const id = cards[round % cards.length];
        const to = acked.get(id)!.status === 'todo' ? 'done' : 'todo';
        const column = (await list(to, m + round)).filter((c) => c.id !== id);
        const before = column[1 + pick(Math.max(1, column.length - 1))];
        await move(m + round, id, before ? { status: to, position: before.data.position } : { status: to });
      }
    });
    const squeezerRuns = squeezers.map(async ({ status, cards: [parked, squeezed] }, s) => {
      for (let round = 0; round < 8; round++) {
        const column = (await list(status, s + round)).filter((c) => c.id !== parked && c.id !== squeezed);
        if (column.length < 2) continue;
        const next = column[1 + pick(column.length - 1)];
        await move(s + round, parked, { position: next.data.position - 1e-7 });
        await move(s + round + 1, squeezed, { position: next.data.position });
      }
    });
    try {
      await Promise.all([...moverRuns, ...squeezerRuns]);
    } finally {
      running = false;
      await poller;
    }
    assert.ok(polls >= 3, `the columns were polled during the run (${polls} polls)`);
    assert.deepEqual(problems, []);

    // The activity tells the same story: every event's "before" is what the card held, and replaying
    // the events from the starting state gives exactly what is listed now.
    const events: Array<{ seq: number; object_id: string; action: string; changes: Record<string, [any, any]> }> = [];
    for (;;) {
      const page = (await request({ url: b }, 'GET', '/xapi2/activity', { token, query: { since, limit: 500 } })).body;
      events.push(...page.data);
      since = page.meta.next_cursor;
      if (!page.meta.has_more) break;
    }
    const state = new Map([...initial].map(([id, at]) => [id, { ...at }]));
    const afters = new Map<string, number[]>();
    let respaces = 0;
    for (const e of events) {
      if (e.action === 'respace') {
        respaces++;
        const r = e.changes.order[1] as { status: string; ids: string[]; positions: number[] };
        r.ids.forEach((id, i) => {
          assert.equal(state.get(id)!.status, r.status, `seq ${e.seq}: respace of ${r.status} names ${id}, which the activity puts in ${state.get(id)!.status}`);
          state.get(id)!.position = r.positions[i];
          afters.set(id, [...(afters.get(id) ?? []), r.positions[i]]);
        });
        continue;
      }
      const card = state.get(e.object_id)!;
      if (e.changes.status) {
        assert.equal(e.changes.status[0], card.status, `seq ${e.seq}: the status before matches the card's last recorded status`);
        card.status = e.changes.status[1];
      }
      if (e.changes.position) {
        assert.equal(e.changes.position[0], card.position, `seq ${e.seq}: the position before matches the card's last recorded position`);
        card.position = e.changes.position[1];
        afters.set(e.object_id, [...(afters.get(e.object_id) ?? []), card.position]);
      }
    }
    assert.ok(respaces >= 4, `the squeezers forced respaces (${respaces})`);
    for (const status of ['todo', 'done']) {
      for (const c of await list(status, 0)) assert.deepEqual(state.get(c.id), { status, position: c.data.position }, `card ${c.id} is where the activity says`);
    }
    for (const [id, positions] of ackedPositions) {
      for (const p of positions) assert.ok(p === initial.get(id)!.position || afters.get(id)?.includes(p), `the acknowledged position ${p} of ${id} is one the activity gave it`);
    }
  });
});

describe('prodboard copy', () => {
  test('moves a SQLite server into an empty PostgreSQL database with every row counted', async () => {
    const file = join(dir, 'source.db');
    cli('user', 'create', '--email', 'mover@example.com', '--password', 'moving up now', '--role', 'owner', '--db', file);
    const pat = cli('token', 'create', '--email', 'mover@example.com', '--name', 'mover', '--db', file).trim().split('\n').pop()!;
    const sqliteUrl = await serve(`sqlite-placeholder`).catch(() => undefined);
    assert.equal(sqliteUrl, undefined, 'a non-postgres URL is refused');

    // Fill the SQLite server through its API, then stop it.
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c) => (out += c));
    const url = await waitFor('the SQLite server', () => /running at (http:\/\/\S+)/.exec(out)?.[1]);
    const board = (await request({ url }, 'POST', '/xapi2/data/board', { token: pat, body: { name: 'Moving', tags: ['move'] } })).body;
    const titles = ['Pack the café', 'Label boxes', 'Book the van'];
    const cardIds: string[] = [];
    for (const title of titles) cardIds.push((await request({ url }, 'POST', '/xapi2/data/card', { token: pat, body: { title, board_id: board.id, priority: 'high' } })).body.id);
    assert.equal((await request({ url }, 'POST', `/xapi2/cards/${cardIds[1]}/comments`, { token: pat, body: { body: 'Mind the **glassware**' } })).status, 201);
    const gone = (await request({ url }, 'POST', '/xapi2/data/card', { token: pat, body: { title: 'Trashed', board_id: board.id } })).body;
    await request({ url }, 'DELETE', `/xapi2/data/card/${gone.id}`, { token: pat });
    await new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')));

    // A pending password reset link comes along too, and still works on PostgreSQL.
    const resetUrl = cli('user', 'password', '--email', 'mover@example.com', '--db', file).trim().split('\n').pop()!;
    const target = await freshDatabase();
    const result = spawnSync(process.execPath, [BIN, 'copy', '--from', file, '--to', target], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /every table matches/);
    assert.match(result.stdout, /objects\s+5\s+5/);
    assert.match(result.stdout, /comments\s+1\s+1/);
    assert.match(result.stdout, /password_resets\s+1\s+1/);
    assert.match(result.stderr, /objects .*100%/, 'progress is shown');
    const again = spawnSync(process.execPath, [BIN, 'copy', '--from', file, '--to', target], { encoding: 'utf8' });
    assert.equal(again.status, 1, 'copying into a database that holds data is refused');
    assert.match(again.stderr, /copy into an empty database/);

    // The same token, data, search, trash and activity work on PostgreSQL.
    const pgUrl = await serve(target);
    const me = await request({ url: pgUrl }, 'GET', '/xapi2/auth/me', { token: pat });
    assert.equal(me.status, 200);
    const reset = await request({ url: pgUrl }, 'POST', '/xapi2/password-reset/preview', { body: { token: resetUrl.split('#token=')[1] } });
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.equal(reset.body.email, 'mover@example.com');
    const cards = await request({ url: pgUrl }, 'GET', '/xapi2/data/card', { token: pat, query: { data__board_id: board.id } });
    assert.deepEqual(cards.body.data.map((c: { data: { title: string } }) => c.data.title), titles);
    const search = await request({ url: pgUrl }, 'GET', '/xapi2/data/card', { token: pat, query: { q: 'cafe' } });
    assert.deepEqual(search.body.data.map((c: { data: { title: string } }) => c.data.title), ['Pack the café']);
    // Comments came along, and their card is still found by them.
    const comments = await request({ url: pgUrl }, 'GET', `/xapi2/cards/${cardIds[1]}/comments`, { token: pat });
    assert.deepEqual(comments.body.data.map((c: { body: string }) => c.body), ['Mind the **glassware**']);
    const byComment = await request({ url: pgUrl }, 'GET', '/xapi2/data/card', { token: pat, query: { q: 'glassware' } });
    assert.deepEqual(byComment.body.data.map((c: { data: { title: string } }) => c.data.title), ['Label boxes']);
    const trash = await request({ url: pgUrl }, 'GET', '/xapi2/trash', { token: pat });
    assert.deepEqual(trash.body.data.map((o: { id: string }) => o.id), [gone.id]);
    const activity = await request({ url: pgUrl }, 'GET', '/xapi2/activity', { token: pat, query: { limit: 500 } });
    assert.equal(activity.body.data.length, 7);
    // Keys came along: the board's and each card's resolve, and numbering goes on after the highest given (the trashed card's 4).
    assert.match(board.key, /^[A-Z]/);
    const byKey = await request({ url: pgUrl }, 'GET', `/xapi2/data/card/${board.key}-2`, { token: pat });
    assert.equal(byKey.status, 200, JSON.stringify(byKey.body));
    assert.equal(byKey.body.id, cardIds[1]);
    assert.equal((await request({ url: pgUrl }, 'GET', `/xapi2/data/board/${board.key}`, { token: pat })).body.id, board.id);
    assert.match(result.stdout, /card_numbers\s+4\s+4/);
    const created = await request({ url: pgUrl }, 'POST', '/xapi2/data/card', { token: pat, body: { title: 'After the move', board_id: board.id } });
    assert.equal(created.status, 201);
    assert.equal(created.body.key, `${board.key}-5`);
    const next = await request({ url: pgUrl }, 'GET', '/xapi2/activity', { token: pat, query: { since: activity.body.meta.next_cursor } });
    assert.equal(next.body.data.length, 1, 'activity numbering continues after the copied events');
  });
});
