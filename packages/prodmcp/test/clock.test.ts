/**
 * prodmcp's waits, on a mocked clock (node:test's MockTimers drives setTimeout and Date) against
 * small real HTTP servers: the call deadline (PRODMCP_TIMEOUT), Retry-After, and the 200 ms a
 * stale cached manifest waits for a fresh one. Each wait is checked to the millisecond, however
 * loaded the machine is: nothing here reads the wall clock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, mock, test } from 'node:test';
import { MANIFEST } from '@prodboard/shared';
import { ApiClient } from '../src/http/api-client.js';
import { ApiError } from '../src/http/api-error.js';
import { loadManifest } from '../src/manifest-source.js';
import type { Runtime } from '../src/runtime.js';
import { STATE_FILES, StateDir } from '../src/state.js';
import { sendJson, startFakeServer, type FakeServer } from './support.js';

const START = Date.parse('2026-01-01T00:00:00Z');
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  mock.timers.reset();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fake(handler: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const server = await startFakeServer(handler);
  cleanups.push(() => server.close());
  return server;
}

function client(baseUrl: string, timeoutMs: number): ApiClient {
  const api = new ApiClient({ baseUrl, timeoutMs, token: () => ({ origin: 'env', token: 'pat_x' }) });
  cleanups.push(() => api.close());
  return api;
}

/** A promise's state, read after every pending callback (microtasks included) has run. */
function tracked<T>(promise: Promise<T>): { settled: () => Promise<boolean>; promise: Promise<T> } {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  return { promise, settled: () => new Promise((resolve) => setImmediate(() => resolve(settled))) };
}

/** A request through node:http (fetch's own timers would be mocked too), answered in full. */
function sentinel(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

/** Moves the mocked clock; setImmediate is left real so callbacks and I/O still run. */
function tick(ms: number): void {
  mock.timers.tick(ms);
}

/** The delays of the timers armed since the clock was mocked, and who waits for one. */
let armed: number[] = [];
let armWaiters: Array<{ ms: number; resolve: () => void }> = [];

function useMockedClock(): void {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: START });
  armed = [];
  armWaiters = [];
  const mocked = globalThis.setTimeout;
  // Watch the mocked setTimeout, so a test can wait for the code under test to arm a timer.
  globalThis.setTimeout = ((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = mocked(fn, ms, ...args);
    armed.push(ms ?? 0);
    for (const waiter of armWaiters.filter((w) => w.ms === ms)) waiter.resolve();
    return timer;
  }) as typeof setTimeout;
}

/** Settles once a timer of `ms` has been armed (already, or from now on): an event, not a poll. */
function timerArmed(ms: number): Promise<void> {
  return armed.includes(ms) ? Promise.resolve() : new Promise((resolve) => armWaiters.push({ ms, resolve }));
}

describe('waits on a mocked clock', { timeout: 30_000 }, () => {
  test('a call that gets no answer fails with code timeout at PRODMCP_TIMEOUT, not a millisecond before, and is aborted', async () => {
    const silent = await fake(() => undefined);
    useMockedClock();
    const call = tracked(client(silent.url, 1000).json('GET', '/xapi2/data/card'));
    const seen = await silent.request((r) => r.url === '/xapi2/data/card');
    tick(999);
    assert.equal(await call.settled(), false, 'still waiting at 999 ms');
    tick(1);
    await assert.rejects(call.promise, (err: ApiError) => err.code === 'timeout' && /did not answer within 1 s/.test(err.message));
    assert.equal(await seen.aborted, true, 'the HTTP request was aborted');
  });

  test('a read answered 429 with Retry-After: 1 is sent again exactly 1000 ms later', async () => {
    const flaky = await fake((req, res, server) => {
      if (server.requests.length === 1) return sendJson(res, 429, { detail: 'slow down', code: 'rate_limited' }, { 'retry-after': '1' });
      return sendJson(res, 200, { id: 'u1', email: 'flaky@example.com' });
    });
    useMockedClock();
    const call = tracked(client(flaky.url, 30_000).json<{ email: string }>('GET', '/xapi2/auth/me'));
    await timerArmed(1000);
    assert.equal(await call.settled(), false);
    tick(999);
    // Silence: the sentinel request reaches the server after anything the client sent before it.
    await sentinel(`${flaky.url}/sentinel`);
    assert.deepEqual(flaky.requests.map((r) => r.url), ['/xapi2/auth/me', '/sentinel'], 'no retry before 1000 ms');
    tick(1);
    assert.equal((await call.promise).email, 'flaky@example.com');
    assert.deepEqual(flaky.requests.map((r) => r.url), ['/xapi2/auth/me', '/sentinel', '/xapi2/auth/me']);
  });

  test('a Retry-After beyond the deadline is reported at once: the clock never moves', async () => {
    const limited = await fake((_req, res) => sendJson(res, 429, { detail: 'too many requests; wait 600 s', code: 'rate_limited' }, { 'retry-after': '600' }));
    useMockedClock();
    const response = await client(limited.url, 5000).call('GET', '/xapi2/data/card');
    assert.equal(response.status, 429);
    assert.equal(Date.now(), START);
    assert.deepEqual(armed, [5000], 'only the deadline was armed, no wait for the retry');
    assert.equal(limited.requests.length, 1);
  });

  test('with a stale cached manifest, a slow server gets 200 ms before the stale copy serves; the fetch goes on', async () => {
    const slow = await fake(() => undefined);
    const home = mkdtempSync(join(tmpdir(), 'prodmcp-clock-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const state = new StateDir(join(home, '.prodmcp'));
    state.write(STATE_FILES.manifest, { base_url: slow.url, fetched_at: START - 2 * 3600_000, ttl_seconds: 300, models: MANIFEST });
    const api = client(slow.url, 30_000);
    const runtime = { settings: { baseUrl: slow.url }, state, api } as unknown as Runtime;
    useMockedClock();
    const loading = tracked(loadManifest(runtime, { waitMs: 3000 }));
    const fetch = await slow.request((r) => r.url === '/xapi2/mcp/manifest');
    tick(199);
    assert.equal(await loading.settled(), false, 'still waiting for a fresh manifest at 199 ms');
    tick(1);
    const loaded = await loading.promise;
    assert.equal(loaded.origin, 'cache');
    assert.equal(loaded.note, 'stale cache: the server did not answer in time');
    assert.equal(loaded.fetchedAt, START - 2 * 3600_000);
    let aborted = false;
    void fetch.aborted.then((value) => (aborted = value));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(aborted, false, 'the fetch is still open, to refresh the cache for the next start');
  });
});
