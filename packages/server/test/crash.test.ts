/**
 * `kill -9` under write load, with real `prodboard serve` processes (the built package).
 *
 * On SQLite (the suite's SQLite pass): concurrent writers create, edit and move cards and record every
 * write the server acknowledged; the server is killed mid-burst and restarted on the same file. Every
 * acknowledged write must be there exactly (or superseded only by the one write that was in flight
 * when the process died), positions within each column distinct, and activity exactly one event per
 * version of every card, with an event for each acknowledged create and edit.
 *
 * On PostgreSQL (the suite's PostgreSQL pass): two instances share a fresh database; card movers on
 * both; one instance is killed mid-burst and the other keeps serving. Afterwards every acknowledged
 * move is present, positions distinct, activity exact, and the live stream opened on the surviving
 * instance carried every event in order, without duplicates.
 *
 * The writers' choices come from a seeded generator (PRODBOARD_CRASH_SEED overrides it; printed).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { TEST_DATABASE_URL, TEST_STORE, request } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/prodboard.js', import.meta.url));
const SEED = Number(process.env.PRODBOARD_CRASH_SEED ?? 9);
const children: ChildProcess[] = [];
let dir: string;

/** A small seeded generator (mulberry32), so each run makes the same choices. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cli(dbArgs: string[], ...args: string[]): string {
  const result = spawnSync(process.execPath, [BIN, ...args, ...dbArgs], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', PRODBOARD_DB: '' } });
  assert.equal(result.status, 0, `prodboard ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** Starts `prodboard serve`; resolves once it listens. */
async function serve(dbArgs: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...dbArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', PRODBOARD_DB: '', PRODBOARD_LOG_LEVEL: 'info' } });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`prodboard did not start: ${out}`)), 20_000);
    child.stdout!.on('data', () => {
      // serve logs JSON lines; the start line carries the address as `url`.
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`prodboard exited (${code ?? signal}): ${out}`)));
  });
  return { url, child };
}

/** kill -9, and wait until the process is gone. */
async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'prodboard-crash-'));
});
after(async () => {
  for (const child of children) await killHard(child);
  rmSync(dir, { recursive: true, force: true });
});

/** What a writer meant by one request (kept while it is in flight). */
interface Intent {
  kind: 'create' | 'edit' | 'move';
  cardId?: string;
  title?: string;
  description?: string;
  status?: string;
}

/** A card as its writer last had it acknowledged. */
interface Known {
  title: string;
  description?: string;
  status: string;
}

/** One concurrent writer: owns its cards, records every acknowledged write and what was in flight when the server died. */
class Writer {
  readonly cards = new Map<string, Known>();
  readonly acked: Array<Intent & { cardId: string; version: number }> = [];
  /** The write in flight when the connection broke: it may or may not have committed. */
  inFlight?: Intent;
  readonly unexpected: string[] = [];
  stopped = false;
  acksAfterKill = 0;

  constructor(
    readonly name: string,
    private url: string,
    private readonly token: string,
    private readonly next: () => number,
    private readonly columns: string[],
    private readonly boardId: string,
    private readonly mix: { create: number; edit: number },
  ) {}

  private pick<T>(values: T[]): T {
    return values[Math.floor(this.next() * values.length)];
  }

  /** Writes until stopped or the server is gone; `onAck` is told of each acknowledged write. */
  async run(onAck: () => void, isKilled: () => boolean): Promise<void> {
    let n = 0;
    while (!this.stopped) {
      n++;
      const roll = this.next();
      const own = [...this.cards.keys()];
      let intent: Intent;
      let call: { method: string; path: string; body: unknown };
      if (own.length === 0 || roll < this.mix.create) {
        intent = { kind: 'create', title: `${this.name}-${n}`, status: this.pick(this.columns) };
        call = { method: 'POST', path: '/xapi2/data/card', body: { title: intent.title, board_id: this.boardId, status: intent.status } };
      } else if (roll < this.mix.create + this.mix.edit) {
        intent = { kind: 'edit', cardId: this.pick(own), description: `${this.name} edit ${n}` };
        call = { method: 'PATCH', path: `/xapi2/data/card/${intent.cardId}`, body: { description: intent.description } };
      } else {
        intent = { kind: 'move', cardId: this.pick(own), status: this.pick(this.columns) };
        call = { method: 'PATCH', path: `/xapi2/data/card/${intent.cardId}`, body: { status: intent.status, position: Math.floor(this.next() * 8) * 1024 + (this.next() < 0.5 ? 0 : 512) } };
      }
      this.inFlight = intent;
      let res;
      try {
        res = await request({ url: this.url }, call.method, call.path, { token: this.token, body: call.body });
      } catch {
        // The connection broke: the server died with this write in flight.
        return;
      }
      this.inFlight = undefined;
      if (res.status === 503) continue;
      if (res.status >= 300) {
        this.unexpected.push(`${this.name}: ${call.method} ${call.path} ${JSON.stringify(call.body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        continue;
      }
      const card = res.body;
      const cardId = card.id as string;
      if (intent.kind === 'create') this.cards.set(cardId, { title: intent.title!, status: card.data.status });
      else if (intent.kind === 'edit') this.cards.get(cardId)!.description = intent.description;
      else this.cards.get(cardId)!.status = card.data.status;
      this.acked.push({ ...intent, cardId, version: card.version });
      if (isKilled()) this.acksAfterKill++;
      onAck();
    }
  }
}

/** Every card of the board, through the API (pages of 200 by cursor). */
async function allCards(url: string, token: string, boardId: string): Promise<any[]> {
  const cards: any[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await request({ url }, 'GET', '/xapi2/data/card', { token, query: { data__board_id: boardId, limit: 200, ...(after ? { after } : {}) } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    cards.push(...res.body.data);
    if (!res.body.meta.has_more) return cards;
    after = res.body.meta.next_cursor;
  }
  throw new Error('more than 100 pages of cards');
}

/** Every activity event of the workspace, oldest first. */
async function allActivity(url: string, token: string): Promise<any[]> {
  const rows: any[] = [];
  let since = '0';
  for (let page = 0; page < 1000; page++) {
    const res = await request({ url }, 'GET', '/xapi2/activity', { token, query: { since, limit: 500 } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    rows.push(...res.body.data);
    if (!res.body.meta.has_more) return rows;
    since = res.body.meta.next_cursor;
  }
  throw new Error('more than 1000 pages of activity');
}

/** The checks shared by both stores, against the server that survived (or was restarted); failures listed. */
async function checkAfterCrash(url: string, token: string, boardId: string, writers: Writer[], preexisting: Map<string, Known> = new Map()): Promise<string[]> {
  const failures: string[] = [];
  const cards = await allCards(url, token, boardId);
  const byId = new Map(cards.map((c) => [c.id, c]));

  // Every acknowledged write is there: the card as its writer last saw it, or as the write in flight would have left it.
  const expectedIds = new Set<string>(preexisting.keys());
  for (const writer of writers) {
    failures.push(...writer.unexpected);
    const flight = writer.inFlight;
    for (const [id, known] of writer.cards) {
      expectedIds.add(id);
      const card = byId.get(id);
      if (!card) {
        failures.push(`${writer.name}: acknowledged card ${id} (${known.title}) is missing`);
        continue;
      }
      const pending = flight?.cardId === id ? flight : undefined;
      if (card.data.title !== known.title) failures.push(`${writer.name}: card ${id} has title ${JSON.stringify(card.data.title)}, acknowledged ${JSON.stringify(known.title)}`);
      const descriptionOk = card.data.description === known.description || (pending?.kind === 'edit' && card.data.description === pending.description);
      if (!descriptionOk) failures.push(`${writer.name}: card ${id} has description ${JSON.stringify(card.data.description)}, last acknowledged ${JSON.stringify(known.description)}${pending ? ` (in flight: ${JSON.stringify(pending)})` : ''}`);
      const statusOk = card.data.status === known.status || (pending?.kind === 'move' && card.data.status === pending.status);
      if (!statusOk) failures.push(`${writer.name}: card ${id} is in column ${card.data.status}, last acknowledged ${known.status}${pending ? ` (in flight: ${JSON.stringify(pending)})` : ''}`);
    }
    // A create in flight may have committed; if it did, it is whole.
    if (flight?.kind === 'create') {
      const made = cards.find((c) => c.data.title === flight.title);
      if (made) expectedIds.add(made.id);
    }
  }
  for (const [id, known] of preexisting) {
    const card = byId.get(id);
    if (!card) failures.push(`pre-existing card ${id} (${known.title}) is missing`);
  }
  for (const card of cards) if (!expectedIds.has(card.id)) failures.push(`card ${card.id} (${card.data.title}) was never acknowledged nor in flight`);

  // Positions within each column are distinct.
  const columns = new Map<string, Map<number, string>>();
  for (const card of cards) {
    const column = columns.get(card.data.status) ?? new Map<number, string>();
    columns.set(card.data.status, column);
    const other = column.get(card.data.position);
    if (other) failures.push(`cards ${other} and ${card.id} share position ${card.data.position} in column ${card.data.status}`);
    column.set(card.data.position, card.id);
  }

  // Activity is exact: one event per version of every card, and one for each acknowledged create and edit.
  const activity = await allActivity(url, token);
  const perObject = new Map<string, any[]>();
  for (const row of activity) perObject.set(row.object_id, [...(perObject.get(row.object_id) ?? []), row]);
  const seqs = activity.map((r) => Number(r.seq));
  if (new Set(seqs).size !== seqs.length) failures.push('activity has duplicate seqs');
  for (const card of cards) {
    const rows = perObject.get(card.id) ?? [];
    if (rows.length !== card.version) failures.push(`card ${card.id} is at version ${card.version} but has ${rows.length} activity events (${rows.map((r) => r.action).join(', ')})`);
  }
  for (const writer of writers) {
    for (const write of writer.acked) {
      const rows = perObject.get(write.cardId) ?? [];
      if (write.kind === 'create' && !rows.some((r) => r.action === 'create')) failures.push(`${writer.name}: no create event for acknowledged card ${write.cardId}`);
      if (write.kind === 'edit' && !rows.some((r) => r.changes?.description?.[1] === write.description)) failures.push(`${writer.name}: no event for the acknowledged edit ${JSON.stringify(write.description)} of ${write.cardId}`);
    }
  }
  return failures;
}

test('SQLite: kill -9 mid-burst, restart on the same file: every acknowledged write is there, positions distinct, activity exact', { skip: TEST_STORE !== 'sqlite' && 'runs in the SQLite pass', timeout: 180_000 }, async () => {
  const db = join(dir, 'crash.db');
  const dbArgs = ['--db', db];
  cli(dbArgs, 'migrate');
  cli(dbArgs, 'user', 'create', '--email', 'crash@example.com', '--password', 'kill dash nine', '--role', 'owner', '--workspace', 'crash');
  const token = cli(dbArgs, 'token', 'create', '--email', 'crash@example.com', '--name', 'crash').trim().split('\n').pop()!;
  let server = await serve(dbArgs);
  const board = await request({ url: server.url }, 'POST', '/xapi2/data/board', { token, body: { name: 'Crash board', columns: 'To do, Doing, Done' } });
  assert.equal(board.status, 201, JSON.stringify(board.body));
  const columns = board.body.data.columns.map((c: { key: string }) => c.key);

  const KILL_AFTER = 200;
  let acks = 0;
  let killed = false;
  const writers = Array.from({ length: 4 }, (_, i) => new Writer(`w${i}`, server.url, token, random(SEED * 100 + i), columns, board.body.id, { create: 0.3, edit: 0.35 }));
  let kill: Promise<void> | undefined;
  console.log(`crash (sqlite): seed ${SEED}, ${writers.length} writers, kill -9 after ${KILL_AFTER} acknowledged writes`);
  await Promise.all(
    writers.map((w) =>
      w.run(
        () => {
          if (++acks === KILL_AFTER) {
            killed = true;
            kill = killHard(server.child);
          }
        },
        () => killed,
      ),
    ),
  );
  await kill;
  assert.ok(killed, 'the server was killed mid-burst');
  const inFlight = writers.filter((w) => w.inFlight).length;
  console.log(`crash (sqlite): ${acks} writes acknowledged, ${inFlight} in flight when the server died`);

  server = await serve(dbArgs);
  const failures = await checkAfterCrash(server.url, token, board.body.id, writers);
  assert.deepEqual(failures, [], `after kill -9 and a restart (seed ${SEED}):\n${failures.slice(0, 60).join('\n')}`);
  await killHard(server.child);
});

/** An event stream read as it arrives: activity event ids in order of arrival, and the first seq. */
function openEvents(url: string, token: string, lastEventId?: number) {
  const controller = new AbortController();
  const ids: number[] = [];
  const other: string[] = [];
  let startSeq: number | undefined;
  const ready = (async () => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    const res = await fetch(`${url}/xapi2/events`, { headers, signal: controller.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let resolveStart!: () => void;
    const started = new Promise<void>((r) => (resolveStart = r));
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
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event === 'ready') {
              startSeq = JSON.parse(data!).seq;
              resolveStart();
            } else if (event === 'activity') ids.push(Number(id));
            else if (event) other.push(`${event} ${data}`);
          }
        }
      } catch {
        // aborted
      }
    })();
    await started;
  })();
  return { ids, other, ready, startSeq: () => startSeq!, close: () => controller.abort() };
}

test('PostgreSQL: two instances, one killed -9 mid-burst of card moves: the other keeps serving, nothing acknowledged is lost, its live stream stays ordered', { skip: TEST_STORE !== 'postgres' && 'runs in the PostgreSQL pass', timeout: 180_000 }, async () => {
  const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  const name = `pb_crash_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const databaseUrl = new URL(TEST_DATABASE_URL);
  databaseUrl.pathname = `/${name}`;
  const dbArgs = ['--database-url', databaseUrl.toString()];
  const stream: { close(): void }[] = [];
  try {
    cli(dbArgs, 'migrate');
    cli(dbArgs, 'user', 'create', '--email', 'crash@example.com', '--password', 'kill dash nine', '--role', 'owner', '--workspace', 'crash');
    const token = cli(dbArgs, 'token', 'create', '--email', 'crash@example.com', '--name', 'crash').trim().split('\n').pop()!;
    const [doomed, survivor] = await Promise.all([serve(dbArgs), serve(dbArgs)]);
    const board = await request({ url: doomed.url }, 'POST', '/xapi2/data/board', { token, body: { name: 'Crash board', columns: 'To do, Doing, Done' } });
    assert.equal(board.status, 201, JSON.stringify(board.body));
    const columns = board.body.data.columns.map((c: { key: string }) => c.key);

    // Eight movers, four on each instance, each moving six cards of its own between the columns (and now and then adding one).
    const writers = Array.from({ length: 8 }, (_, i) => new Writer(`m${i}@${i % 2 ? 'survivor' : 'doomed'}`, (i % 2 ? survivor : doomed).url, token, random(SEED * 100 + i), columns, board.body.id, { create: 0.15, edit: 0 }));
    for (const writer of writers) {
      for (let k = 0; k < 6; k++) {
        const made = await request({ url: survivor.url }, 'POST', '/xapi2/data/card', { token, body: { title: `${writer.name}-card-${k}`, board_id: board.body.id, status: columns[k % columns.length] } });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        writer.cards.set(made.body.id, { title: made.body.data.title, status: made.body.data.status });
      }
    }
    const events = openEvents(survivor.url, token);
    // A client of the doomed instance, which resumes on the survivor from the last event it got.
    const orphan = openEvents(doomed.url, token);
    stream.push(events, orphan);
    await Promise.all([events.ready, orphan.ready]);

    const KILL_AFTER = 120;
    const AFTER_KILL = 20;
    let acks = 0;
    let killed = false;
    let kill: Promise<void> | undefined;
    const midBurst: Array<ReturnType<typeof openEvents>> = [];
    console.log(`crash (postgres): seed ${SEED}, ${writers.length} movers on two instances, kill -9 of one after ${KILL_AFTER} acknowledged moves`);
    await Promise.all(
      writers.map((w) =>
        w.run(
          () => {
            if (++acks === KILL_AFTER) {
              killed = true;
              kill = killHard(doomed.child);
            }
            // Fresh streams opened on the survivor in the middle of the burst, while notifications are in flight.
            if (acks % 30 === 0 && midBurst.length < 4) midBurst.push(openEvents(survivor.url, token));
            // The survivor's movers go on for a while after the kill, then stop.
            if (killed && w.acksAfterKill >= AFTER_KILL) w.stopped = true;
          },
          () => killed,
        ),
      ),
    );
    await kill;
    assert.ok(killed, 'one instance was killed mid-burst');
    const survivors = writers.filter((_, i) => i % 2 === 1);
    for (const w of survivors) assert.ok(w.acksAfterKill >= AFTER_KILL, `${w.name} kept being served after the kill (${w.acksAfterKill} moves acknowledged since)`);
    console.log(`crash (postgres): ${acks} moves acknowledged, ${writers.filter((w) => w.inFlight).length} in flight when the instance died`);

    const resumed = openEvents(survivor.url, token, orphan.ids.length > 0 ? orphan.ids[orphan.ids.length - 1] : orphan.startSeq());
    stream.push(resumed);
    await resumed.ready;
    const failures = await checkAfterCrash(survivor.url, token, board.body.id, writers);

    // The survivor's stream: every event since it opened, once each, in order.
    const activity = await allActivity(survivor.url, token);
    const expected = activity.map((r) => Number(r.seq)).filter((seq) => seq > events.startSeq());
    const last = expected[expected.length - 1];
    for (let i = 0; i < 200 && !(events.ids.length > 0 && events.ids[events.ids.length - 1] >= last); i++) await new Promise((r) => setTimeout(r, 50));
    for (let i = 1; i < events.ids.length; i++) {
      if (events.ids[i] <= events.ids[i - 1]) failures.push(`the live stream sent event ${events.ids[i]} after ${events.ids[i - 1]} (out of order or duplicated)`);
    }
    const seen = new Set(events.ids);
    const missing = expected.filter((seq) => !seen.has(seq));
    if (missing.length > 0) failures.push(`the live stream on the survivor missed ${missing.length} of ${expected.length} events: ${missing.slice(0, 20).join(', ')}`);
    const extra = events.ids.filter((id) => !expected.includes(id));
    if (extra.length > 0) failures.push(`the live stream, which started at seq ${events.startSeq()} (its ready event), sent ${extra.length} events that are not after it: ${extra.slice(0, 20).join(', ')}`);
    if (events.other.length > 0) failures.push(`the live stream sent ${events.other.join('; ').slice(0, 300)}`);

    // The orphaned client, resumed on the survivor with Last-Event-ID: the two streams together carry
    // every event since it first opened, once each, in order.
    for (let i = 0; i < 200 && !(resumed.ids.length > 0 && resumed.ids[resumed.ids.length - 1] >= last); i++) await new Promise((r) => setTimeout(r, 50));
    const joined = [...orphan.ids, ...resumed.ids];
    for (let i = 1; i < joined.length; i++) {
      if (joined[i] <= joined[i - 1]) failures.push(`the stream resumed on the survivor (Last-Event-ID ${orphan.ids.at(-1) ?? orphan.startSeq()}) sent event ${joined[i]} after ${joined[i - 1]} (out of order or duplicated)`);
    }
    const wanted = activity.map((r) => Number(r.seq)).filter((seq) => seq > orphan.startSeq());
    const got = new Set(joined);
    const lost = wanted.filter((seq) => !got.has(seq));
    if (lost.length > 0) failures.push(`the client of the killed instance, resumed on the survivor, missed ${lost.length} of ${wanted.length} events: ${lost.slice(0, 20).join(', ')}`);
    if (resumed.other.length > 0) failures.push(`the resumed stream sent ${resumed.other.join('; ').slice(0, 300)}`);

    // Each stream opened mid-burst starts at the newest event then (its ready seq) and carries every
    // later one, once, in order: never one from before its start.
    for (const [n, opened] of midBurst.entries()) {
      stream.push(opened);
      await opened.ready;
      for (let i = 0; i < 200 && !(opened.ids.length > 0 && opened.ids[opened.ids.length - 1] >= last); i++) await new Promise((r) => setTimeout(r, 50));
      const label = `stream ${n + 1} opened mid-burst on the survivor (ready at seq ${opened.startSeq()})`;
      const early = opened.ids.filter((id) => id <= opened.startSeq());
      if (early.length > 0) failures.push(`${label} sent ${early.length} events from before its start: ${early.slice(0, 20).join(', ')}`);
      for (let i = 1; i < opened.ids.length; i++) {
        if (opened.ids[i] <= opened.ids[i - 1]) {
          failures.push(`${label} sent event ${opened.ids[i]} after ${opened.ids[i - 1]} (out of order or duplicated)`);
          break;
        }
      }
      const owed = activity.map((r) => Number(r.seq)).filter((seq) => seq > opened.startSeq());
      const have = new Set(opened.ids);
      const gone = owed.filter((seq) => !have.has(seq));
      if (gone.length > 0) failures.push(`${label} missed ${gone.length} of ${owed.length} events: ${gone.slice(0, 20).join(', ')}`);
    }
    assert.deepEqual(failures, [], `after kill -9 of one instance (seed ${SEED}):\n${failures.slice(0, 60).join('\n')}`);
    await killHard(survivor.child);
  } finally {
    for (const s of stream) s.close();
    for (const child of children) await killHard(child);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
