/**
 * GET /metrics: off unless PRODBOARD_METRICS_TOKEN is set, then only with that Bearer token;
 * request latency by route pattern (never an id), database connection use (checked while
 * transactions hold the connections), open live streams and event lag.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_STORE, request, signUp, startServer, type TestServer } from './helpers.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let server: TestServer;
let off: TestServer;

before(async () => {
  server = await startServer({ metricsToken: METRICS_TOKEN });
  off = await startServer();
});
after(async () => {
  await server.close();
  await off.close();
});

async function scrape(): Promise<string> {
  const res = await request(server, 'GET', '/metrics', { token: METRICS_TOKEN, headers: { accept: 'text/plain' } });
  assert.equal(res.status, 200, String(res.body));
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.body as string;
}

/** The value of one sample (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Polls the metrics (bounded) until `check` holds; returns the last scrape. */
async function scrapeUntil(check: (text: string) => boolean, what: string): Promise<string> {
  let text = '';
  for (let i = 0; i < 200; i++) {
    text = await scrape();
    if (check(text)) return text;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`metrics never showed ${what}:\n${text}`);
}

test('/metrics is off without PRODBOARD_METRICS_TOKEN, and needs that exact token when on', async () => {
  const offRes = await request(off, 'GET', '/metrics', { token: METRICS_TOKEN });
  assert.equal(offRes.status, 404);
  assert.match(offRes.body.detail, /metrics are off; set PRODBOARD_METRICS_TOKEN/);
  for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-token-0123456789abcdef' }, { authorization: `Bearer ${METRICS_TOKEN}x` }, { authorization: METRICS_TOKEN }]) {
    const res = await request(server, 'GET', '/metrics', { headers });
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.equal(res.body.code, 'unauthenticated');
    assert.match(res.body.detail, /PRODBOARD_METRICS_TOKEN/);
    assert.ok(!JSON.stringify(res.body).includes(METRICS_TOKEN), 'the token is never echoed');
  }
  // A user's own token is not the metrics token.
  const user = await signUp(server);
  assert.equal((await request(server, 'GET', '/metrics', { token: user.session })).status, 401);
});

test('request latency is labelled by route pattern, never by the URL with its ids', async () => {
  const user = await signUp(server);
  const created = await user.api.post('/xapi2/data/board', { body: { name: 'Metrics board' } });
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  for (let i = 0; i < 3; i++) assert.equal((await user.api.get(`/xapi2/data/board/${id}`)).status, 200);
  assert.equal((await user.api.get('/xapi2/data/board/01890000-0000-7000-8000-000000000000')).status, 404);
  // Nothing matched: one label for all such requests, not one per URL.
  assert.equal((await user.api.post(`/xapi2/no-such-route/${id}`, { body: {} })).status, 404);
  const text = await scrape();
  assert.equal(sample(text, 'prodboard_http_request_duration_seconds_count', { method: 'GET', route: '/xapi2/data/:type/:id', status_code: '200' }), 3);
  assert.equal(sample(text, 'prodboard_http_request_duration_seconds_count', { method: 'GET', route: '/xapi2/data/:type/:id', status_code: '404' }), 1);
  assert.equal(sample(text, 'prodboard_http_request_duration_seconds_count', { method: 'POST', route: '/xapi2/data/:type', status_code: '201' }), 1);
  assert.equal(sample(text, 'prodboard_http_request_duration_seconds_count', { method: 'POST', route: 'unmatched', status_code: '404' }), 1);
  assert.ok(!text.includes(id), 'no raw id in any label');
  assert.ok(!text.includes('01890000-0000-7000-8000-000000000000'));
  assert.ok(!text.includes('route="/metrics"'), 'scrapes are not timed');
  assert.ok((sample(text, 'prodboard_process_cpu_seconds_total') ?? -1) >= 0, 'process metrics too');
});

test('database connection use is reported while transactions hold the connections', async () => {
  const pool = TEST_STORE === 'postgres' ? 'main' : 'sqlite';
  // Hold every connection of the pool (SQLite has one; the test pool on PostgreSQL has 5), then queue one more.
  const holders = TEST_STORE === 'postgres' ? 5 : 1;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started = 0;
  const held = Array.from({ length: holders }, () => server.store.transaction(async () => {
    started += 1;
    await gate;
  }));
  const queued = server.store.transaction(async () => undefined);
  try {
    const text = await scrapeUntil(
      (t) => started === holders && sample(t, 'prodboard_db_pool_connections', { pool, state: 'waiting' }) === 1,
      'one transaction waiting',
    );
    assert.equal(sample(text, 'prodboard_db_pool_connections', { pool, state: 'idle' }), 0);
    assert.equal(sample(text, 'prodboard_db_pool_connections', { pool, state: 'total' }), holders);
  } finally {
    open();
    await Promise.all([...held, queued]);
  }
  const text = await scrapeUntil((t) => sample(t, 'prodboard_db_pool_connections', { pool, state: 'waiting' }) === 0, 'nothing waiting');
  assert.ok((sample(text, 'prodboard_db_pool_connections', { pool, state: 'idle' }) ?? 0) >= 1);
});

test('open live streams are counted, and events delivered to them give the event lag', async () => {
  const user = await signUp(server);
  const before = await scrape();
  const lagBefore = sample(before, 'prodboard_event_lag_seconds_count') ?? 0;
  assert.equal(sample(before, 'prodboard_live_streams'), 0);

  const controller = new AbortController();
  const res = await fetch(new URL('/xapi2/events', server.url), { headers: { authorization: `Bearer ${user.session}`, accept: 'text/event-stream' }, signal: controller.signal });
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
    assert.equal(sample(await scrape(), 'prodboard_live_streams'), 1);
    assert.equal((await user.api.post('/xapi2/data/board', { body: { name: 'Live' } })).status, 201);
    await readUntil(/event: activity/);
    const text = await scrapeUntil((t) => (sample(t, 'prodboard_event_lag_seconds_count') ?? 0) === lagBefore + 1, 'one event delivered');
    const sum = sample(text, 'prodboard_event_lag_seconds_sum')!;
    assert.ok(sum >= 0 && sum < 60, `a lag in seconds: ${sum}`);
    assert.ok((sample(text, 'prodboard_event_lag_seconds_bucket', { le: '+Inf' }) ?? 0) >= 1);
  } finally {
    controller.abort();
  }
  await scrapeUntil((t) => sample(t, 'prodboard_live_streams') === 0, 'the stream closed');
});
