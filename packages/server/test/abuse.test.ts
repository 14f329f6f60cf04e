/**
 * Abuse at the HTTP edge: oversize bodies (every route that takes one, with and without a
 * Content-Length), JSON nested deep enough to exhaust a recursive parser, floods of headers, and slow
 * clients: one that never reads its response, one that never finishes sending its request, and a
 * live stream that is never read while changes pour in. None of them may crash or stall the server
 * for anyone else, and none of the refused requests may change anything.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { databaseSnapshot, registeredRoutes, request, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let board: any;
const sockets: Socket[] = [];

before(async () => {
  server = await startServer();
  owner = await signUp(server);
  board = (await owner.api.post('/xapi2/data/board', { body: { name: 'Abuse board', columns: 'To do, Done' } })).body;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await server.close();
});

/** A raw TCP connection to the server (for what fetch will not do). */
function rawSocket(): Promise<Socket> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** The server still answers, and a write still goes through, while `what` is going on. */
async function stillServing(what: string): Promise<void> {
  const health = await request(server, 'GET', '/xapi2/health');
  assert.equal(health.status, 200, `the server stopped answering ${what}`);
  const card = await owner.api.post('/xapi2/data/card', { body: { title: `written ${what}`, board_id: board.id } });
  assert.equal(card.status, 201, `a write failed ${what}: ${JSON.stringify(card.body)}`);
}

/** The routes that take a request body, from the app itself, with their params filled in. */
function bodyRoutes(): Array<{ method: string; path: string }> {
  return registeredRoutes(server.app)
    .filter((r) => /^(POST|PATCH|PUT|DELETE) /.test(r))
    .map((r) => {
      const [method, pattern] = r.split(' ');
      return { method, path: pattern.replace(':type', 'card').replace(/:[a-zA-Z]+/g, '01a20000-0000-7000-8000-000000000000') };
    });
}

describe('oversize bodies', () => {
  test('every route that takes a body answers a body over its limit with 413 and changes nothing', async () => {
    const routes = bodyRoutes();
    assert.ok(routes.length >= 10, `routes with bodies: ${routes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    const huge = JSON.stringify({ title: 'x'.repeat(server.config.bodyLimit + 1) });
    const before = await databaseSnapshot(server);
    const failures: string[] = [];
    for (const { method, path } of routes) {
      const res = await request(server, method, path, { token: owner.session, raw: huge, headers: { 'content-type': 'application/json' } });
      if (res.status !== 413 || res.body?.code !== 'payload_too_large' || typeof res.body?.detail !== 'string') {
        failures.push(`${method} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    assert.deepEqual(failures, [], `routes that did not answer 413 payload_too_large:\n${failures.join('\n')}`);
    assert.deepEqual(await databaseSnapshot(server), before, 'an oversize request changed the database');
    await stillServing('after oversize bodies');
  });

  test('a chunked body with no Content-Length is cut off at the limit too (413), and the server stays up', async () => {
    const socket = await rawSocket();
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk) => (answer += chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST /xapi2/data/card HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.session}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    // Keep sending until the server answers; never more than 4 times its limit.
    while (!answer && sent < server.config.bodyLimit * 4 && !socket.destroyed) {
      await new Promise<void>((resolve) => socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`, () => resolve()));
      sent += chunk.length;
    }
    for (let i = 0; i < 100 && !answer.includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(answer, /^HTTP\/1\.1 413 /, `after ${sent} bytes: ${answer.slice(0, 300)}`);
    socket.destroy();
    await closed;
    await stillServing('after a chunked oversize body');
  });

  test('telemetry has its own smaller limit', async () => {
    const events = Array.from({ length: 100 }, () => ({ type: 'big', meta: { text: 'y'.repeat(1000) } }));
    const res = await request(server, 'POST', '/xapi2/analytics/track', { body: { events } });
    assert.equal(res.status, 413, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.code, 'payload_too_large');
  });
});

describe('deep JSON nesting', () => {
  for (const [label, depth] of [['just past the limit', 65], ['ten thousand levels', 10_000], ['as deep as 1 MiB allows', 500_000]] as const) {
    test(`${label} (${depth}) is a 400, never a crash, and changes nothing`, async () => {
      const before = await databaseSnapshot(server);
      for (const [open, close] of [['[', ']'], ['{"a":', '}']]) {
        const nested = open.repeat(depth) + '1' + close.repeat(depth);
        if (nested.length + 30 > server.config.bodyLimit) continue;
        const bodies = [`{"title":"deep","settings":${nested}}`, nested];
        for (const raw of bodies) {
          for (const path of ['/xapi2/data/card', '/xapi2/data/board', '/xapi2/tokens', '/xapi2/analytics/track']) {
            const res = await request(server, 'POST', path, { token: owner.session, raw, headers: { 'content-type': 'application/json' } });
            // Telemetry's own limit (64 KiB) comes first for the deepest bodies.
            const limited = path === '/xapi2/analytics/track' && raw.length > server.config.analyticsBodyLimit;
            assert.equal(res.status, limited ? 413 : 400, `${path} with ${depth} levels of ${open}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
            assert.equal(typeof res.body.detail, 'string');
          }
        }
      }
      assert.deepEqual(await databaseSnapshot(server), before, 'a deeply nested body changed the database');
      await stillServing(`after ${depth} levels of nesting`);
    });
  }

  test('a settings object nested just within the limit is stored and read back whole', async () => {
    let settings: any = 'leaf';
    for (let i = 0; i < 30; i++) settings = { [`k${i}`]: settings };
    const created = await owner.api.post('/xapi2/data/board', { body: { name: 'Nested settings', settings } });
    assert.equal(created.status, 201, JSON.stringify(created.body).slice(0, 300));
    const read = await owner.api.get(`/xapi2/data/board/${created.body.id}`);
    assert.deepEqual(read.body.data.settings, settings);
  });
});

describe('header floods', () => {
  test('thousands of headers, or one enormous header, get a 4xx and the server stays up', async () => {
    for (const [label, head] of [
      ['3,000 headers', Array.from({ length: 3000 }, (_, i) => `X-Flood-${i}: ${i}\r\n`).join('')],
      ['a 100 KB header', `X-Big: ${'h'.repeat(100_000)}\r\n`],
      ['a 100 KB URL', ''],
    ] as const) {
      const socket = await rawSocket();
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk) => (answer += chunk));
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const path = label === 'a 100 KB URL' ? `/xapi2/data/card?q=${'u'.repeat(100_000)}` : '/xapi2/health';
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.session}\r\n${head}\r\n`);
      await closed;
      assert.match(answer, /^HTTP\/1\.1 4\d\d /, `${label}: ${answer.slice(0, 200)}`);
      assert.doesNotMatch(answer, /^HTTP\/1\.1 5/, label);
    }
    await stillServing('after header floods');
  });
});

describe('slow clients', () => {
  test('a client that never reads its responses does not stall anyone else', async () => {
    const socket = await rawSocket();
    socket.pause();
    // Fifty pipelined requests for the largest response the server has, none of it ever read.
    const one = `GET /xapi2/mcp/script HTTP/1.1\r\nHost: x\r\n\r\n`;
    socket.write(one.repeat(50));
    // Meanwhile everyone else is served, including large responses and writes.
    for (let i = 0; i < 10; i++) {
      const script = await request(server, 'GET', '/xapi2/mcp/script');
      assert.equal(script.status, 200);
      await stillServing('while a client never reads its responses');
    }
    assert.ok(!socket.destroyed && socket.isPaused(), 'the stalled client is still connected and still not reading');
  });

  test('a client that never finishes sending its request does not stall anyone else', async () => {
    const halfHeaders = await rawSocket();
    halfHeaders.on('error', () => {});
    halfHeaders.write('GET /xapi2/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const halfBody = await rawSocket();
    halfBody.on('error', () => {});
    halfBody.write(`POST /xapi2/data/card HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.session}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"title":"never finish`);
    for (let i = 0; i < 10; i++) await stillServing('while two clients have not finished their requests');
    assert.ok(!halfBody.destroyed, 'the half-sent request is still open');
    const cards = (await owner.api.get('/xapi2/data/card', { query: { q: 'never finish' } })).body.data;
    assert.deepEqual(cards, [], 'the unfinished request created nothing');
  });

  test('a live stream nobody reads does not hold back the writes or the other streams', { timeout: 120_000 }, async () => {
    // The server's side of each connection, to see that the stalled stream really is backed up.
    const serverSockets: Socket[] = [];
    const track = (socket: Socket) => serverSockets.push(socket);
    server.app.server.on('connection', track);
    const stalled = await rawSocket();
    stalled.on('error', () => {});
    let firstBytes = '';
    stalled.setEncoding('utf8').once('data', (chunk) => {
      firstBytes = String(chunk);
      stalled.pause();
    });
    stalled.write(`GET /xapi2/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${owner.session}\r\nAccept: text/event-stream\r\n\r\n`);
    for (let i = 0; i < 100 && !firstBytes; i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(firstBytes, /^HTTP\/1\.1 200 /, 'the stalled stream opened');

    // A reader that keeps up, counting the activity events for the boards below.
    const controller = new AbortController();
    const res = await fetch(`${server.url}/xapi2/events`, { headers: { authorization: `Bearer ${owner.session}` }, signal: controller.signal });
    assert.equal(res.status, 200);
    const seen = new Set<string>();
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (const m of buffer.matchAll(/"name":"flood (\d+)"/g)) seen.add(m[1]);
          buffer = buffer.slice(Math.max(0, buffer.lastIndexOf('\n\n')));
        }
      } catch {
        // aborted
      }
    })();

    // Enough events (each carrying a board with ~16 KB of settings) to fill the stalled socket's
    // buffers, kernel ones included, several times over.
    const N = 400;
    const settings = { notes: 'z'.repeat(16 * 1024 - 100) };
    for (let i = 0; i < N; i++) {
      const created = await owner.api.post('/xapi2/data/board', { body: { name: `flood ${i}`, settings } });
      assert.equal(created.status, 201, JSON.stringify(created.body).slice(0, 200));
    }
    for (let i = 0; i < 500 && seen.size < N; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(seen.size, N, `the reading stream got ${seen.size} of ${N} events while another stream was never read`);
    assert.ok(!stalled.destroyed && stalled.isPaused(), 'the stalled stream is still open and unread');
    server.app.server.off('connection', track);
    const backedUp = serverSockets.filter((socket) => socket.writableNeedDrain || socket.writableLength > 0);
    assert.ok(backedUp.length > 0, `no connection is backed up: the flood (${N} events of ~16 KB) did not fill the stalled client's buffers, so this test proves nothing`);
    controller.abort();
    await reading;
    await stillServing('while a live stream is never read');
  });
});
