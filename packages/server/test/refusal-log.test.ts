/**
 * A live stream whose credential stops working mid-stream (a signed-out session, found at a
 * heartbeat) is a refusal too: logged at info with its reason and the stream's request id, and
 * never with the token, which this route takes in its query.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { configFromEnv } from '../src/config.js';
import { hashToken } from '../src/auth/tokens.js';
import { openTestStore, request, signUp, type TestServer } from './helpers.js';

const lines: Array<Record<string, any>> = [];
let wake: (() => void) | undefined;
let app: FastifyInstance;
let server: TestServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prodboard-log-'));
  const { store, config: storeConfig, query, drop } = await openTestStore(dir);
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, any>);
      wake?.();
      done();
    },
  });
  const config = { ...configFromEnv({}), ...storeConfig, port: 0, eventsHeartbeatMs: 100 };
  app = await buildApp({ store, config }, { level: 'info', stream });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  server = {
    url, app, store, config, dir, query,
    async close() {
      await app.close();
      await drop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
after(async () => {
  await server.close();
});

/** Waits (bounded, woken by each log write) for a log line. */
async function logged(match: (line: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = lines.find(match);
    if (found) return found;
    const left = deadline - Date.now();
    if (left <= 0) assert.fail(`no log line for ${what}: ${JSON.stringify(lines)}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

test('a live stream refused at a heartbeat is logged at info with its reason and request id, never the token', async () => {
  const user = await signUp(server);
  const controller = new AbortController();
  const res = await fetch(new URL(`/xapi2/events?access_token=${user.session}`, server.url), { headers: { accept: 'text/event-stream' }, signal: controller.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  const readUntil = async (pattern: RegExp) => {
    while (!pattern.test(received)) {
      const { value, done } = await reader.read();
      if (done) assert.fail(`stream ended before ${pattern}: ${received}`);
      received += decoder.decode(value, { stream: true });
    }
  };
  try {
    await readUntil(/event: ready/);
    assert.equal((await request(server, 'POST', '/xapi2/auth/logout', { token: user.session })).status, 200);
    await readUntil(/event: unauthorized/);
    const line = await logged((l) => l.msg === 'live stream refused', 'the refused stream');
    assert.equal(line.level, 30);
    assert.equal(line.status, 401);
    assert.equal(line.reason, 'token_expired', 'a signed-out session reads as expired');
    assert.equal(line.route, '/xapi2/events');
    assert.match(String(line.reqId), /^req-/);
  } finally {
    controller.abort();
  }
  const all = JSON.stringify(lines);
  assert.ok(!all.includes(user.session), 'the token never reaches the log');
  assert.ok(!all.includes(hashToken(user.session)), 'nor its hash');
});
