/**
 * When the database cannot be reached, requests get a 503 that says so, with Retry-After, instead of
 * a bare 500; the server itself keeps running and answers again once the database is back.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { configFromEnv } from '../src/config.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/postgres-store.js';
import { request } from './helpers.js';

let app: FastifyInstance;
let store: PostgresStore;
let url: string;
/** The server's log lines, parsed. */
const logLines: Array<Record<string, unknown>> = [];

/** A local port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

before(async () => {
  store = openPostgresStore(`postgres://prodboard@127.0.0.1:${await closedPort()}/nowhere`, { connectionTimeoutMs: 1000 });
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  app = await buildApp({ store, config: { ...configFromEnv({}), port: 0 } }, { level: 'info', stream });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app.close();
  await store.close();
});

test('a database that refuses connections is a 503 with Retry-After that names the database, for reads and writes', async () => {
  const token = `pat_${'x'.repeat(43)}`;
  for (const [method, path, body] of [['GET', '/xapi2/data/card', undefined], ['POST', '/xapi2/data/board', { name: 'lost?' }], ['POST', '/xapi2/auth/login', { email: 'a@example.com', password: 'whatever1' }]] as const) {
    const res = await request({ url }, method, path, { token, body });
    assert.equal(res.status, 503, `${method} ${path}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.code, 'unavailable');
    assert.match(res.body.detail, /database cannot be reached/);
    assert.match(res.body.detail, /nothing was changed/);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.doesNotMatch(JSON.stringify(res.body), /127\.0\.0\.1|ECONNREFUSED|nowhere/, 'no connection details leak to the caller');
  }
  // The process is still serving (liveness), but says it is not ready (readiness) until the database is back.
  assert.equal((await request({ url }, 'GET', '/xapi2/health')).status, 200);
  const ready = await request({ url }, 'GET', '/xapi2/ready');
  assert.equal(ready.status, 503);
  assert.equal(ready.body.code, 'unavailable');
});

test('each refused request is logged once, with its own request id and the cause, and never the token', async () => {
  logLines.length = 0;
  const token = `pat_${'s'.repeat(43)}`;
  for (let i = 0; i < 3; i++) assert.equal((await request({ url }, 'GET', '/xapi2/data/card', { token })).status, 503);
  // Requests that succeed leave no line (request logging is off: one line each would cost more than a get).
  assert.equal((await request({ url }, 'GET', '/xapi2/health')).status, 200);
  const lines = logLines.filter((line) => line.msg === 'database unavailable');
  assert.equal(lines.length, 3, JSON.stringify(logLines));
  assert.equal(logLines.length, 3, `only the three refusals are logged: ${JSON.stringify(logLines)}`);
  assert.equal(new Set(lines.map((line) => line.reqId)).size, 3, 'each line carries its own request id');
  for (const line of lines) {
    assert.match(String(line.reqId), /^req-/);
    assert.equal(line.code, 'ECONNREFUSED');
    assert.equal(line.level, 40);
  }
  assert.doesNotMatch(JSON.stringify(logLines), new RegExp(token), 'the token never reaches the log');
});
