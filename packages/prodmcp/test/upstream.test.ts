/**
 * prodmcp against upstreams that fail in every way a network can fail, each played by a small real
 * HTTP server: down, slow, HTML, rate-limited, redirecting to another host; plus what it must get
 * right with the real server: expired tokens, sliding sessions, telemetry, the manifest.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MANIFEST } from '@prodboard/shared';
import { hashToken } from '../../server/src/auth/tokens.js';
import { makeToken, signUp, startServer, type TestServer } from '../../server/test/helpers.js';
import type { ServerResponse } from 'node:http';
import { RawHost, errorResult, freshHome, okResult, prodmcpEnv, runCli, sendJson, startFakeServer, type FakeServer, type SeenRequest } from './support.js';

const homes: string[] = [];
const hosts: RawHost[] = [];
const fakes: FakeServer[] = [];

/** A started host with a fresh home, cleaned up after the file's tests. */
async function host(baseUrl: string, extra: Record<string, string | undefined> = {}, home = freshHome()): Promise<RawHost> {
  homes.push(home);
  const h = new RawHost(prodmcpEnv(home, baseUrl, extra));
  hosts.push(h);
  await h.initialize();
  return h;
}

/** A fake API: no manifest (so the built-in one is used), `routes` for the rest. */
async function fake(routes: (req: SeenRequest, res: ServerResponse) => unknown): Promise<FakeServer> {
  const server = await startFakeServer((req, res) => {
    if (req.url.startsWith('/xapi2/mcp/manifest') || req.url.startsWith('/xapi2/analytics')) return sendJson(res, 404, { detail: 'not here' });
    return routes(req, res);
  });
  fakes.push(server);
  return server;
}

/** Bounds a test that waits on an event that never comes; no assertion here reads the clock (see clock.test.ts). */
const HANG_GUARD = { timeout: 120_000 };

after(async () => {
  for (const h of hosts) h.kill();
  for (const f of fakes) await f.close();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('an upstream that fails', HANG_GUARD, () => {
  test('down: an isError result with status 0 that names PRODMCP_BASE_URL', async () => {
    const down = await fake(() => undefined);
    const url = down.url;
    await down.close();
    const h = await host(url, { PRODMCP_TOKEN: 'pat_x' });
    const failure = errorResult(await h.tool('whoami'));
    assert.equal(failure.http_status, 0);
    assert.equal(failure.code, 'network_error');
    assert.match(failure.error, /cannot reach the prodboard server at http:\/\/127\.0\.0\.1:\d+ \(connection refused\).*Check PRODMCP_BASE_URL/);
  });

  test('slow: the call gives up after PRODMCP_TIMEOUT and says so', async () => {
    const slow = await fake(() => undefined);
    const h = await host(slow.url, { PRODMCP_TOKEN: 'pat_x', PRODMCP_TIMEOUT: '1' });
    // That it gives up at exactly 1 s, not before, is checked on a mocked clock in clock.test.ts.
    const failure = errorResult(await h.tool('card_list'));
    assert.equal(failure.code, 'timeout');
    assert.match(failure.error, /did not answer within 1 s; try again, or raise PRODMCP_TIMEOUT/);
    assert.equal(await slow.requests.find((r) => r.url.startsWith('/xapi2/data/card'))!.aborted, true);
  });

  test('answering HTML: the message says the URL is not a prodboard server', async () => {
    const html = await fake((req, res) => {
      res.writeHead(req.url.startsWith('/xapi2/data') ? 502 : 200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body>Welcome to nginx</body></html>');
    });
    const h = await host(html.url, { PRODMCP_TOKEN: 'pat_x' });
    const ok200 = errorResult(await h.tool('whoami'));
    assert.equal(ok200.http_status, 200);
    assert.match(ok200.error, /answered HTTP 200 with an HTML page instead of the prodboard API; check PRODMCP_BASE_URL/);
    const bad502 = errorResult(await h.tool('card_list'));
    assert.equal(bad502.http_status, 502);
    assert.match(bad502.error, /HTML page/);
  });

  test('429 and 503 on reads are retried, honouring Retry-After; writes are not retried', async () => {
    let meHits = 0;
    let listHits = 0;
    const flaky = await fake((req, res) => {
      if (req.url === '/xapi2/auth/me') {
        meHits += 1;
        if (meHits === 1) return sendJson(res, 429, { detail: 'slow down', code: 'rate_limited' }, { 'retry-after': '1' });
        return sendJson(res, 200, { id: 'u1', email: 'flaky@example.com' });
      }
      if (req.method === 'GET' && req.url.startsWith('/xapi2/data/card')) {
        listHits += 1;
        if (listHits === 1) return sendJson(res, 503, { detail: 'restarting', code: 'unavailable' });
        return sendJson(res, 200, { data: [], meta: { count: 0, has_more: false, next_cursor: null, limit: 50 } });
      }
      return sendJson(res, 503, { detail: 'the database is busy; try again', code: 'unavailable' });
    });
    const h = await host(flaky.url, { PRODMCP_TOKEN: 'pat_x' });
    // That the retry waits exactly Retry-After is checked on a mocked clock in clock.test.ts.
    assert.equal(okResult(await h.tool('whoami')).email, 'flaky@example.com');
    assert.equal(meHits, 2);
    assert.equal(okResult(await h.tool('card_list')).meta.count, 0);
    assert.equal(listHits, 2);
    const write = errorResult(await h.tool('card_create', { title: 'once' }));
    assert.equal(write.http_status, 503);
    assert.match(write.error, /the database is busy/);
    assert.equal(flaky.requests.filter((r) => r.method === 'POST' && r.url === '/xapi2/data/card').length, 1, 'a write is sent once');
  });

  test('a Retry-After beyond the deadline is reported at once instead of waited out', async () => {
    const limited = await fake((_req, res) => sendJson(res, 429, { detail: 'too many requests; wait 600 s', code: 'rate_limited' }, { 'retry-after': '600' }));
    const h = await host(limited.url, { PRODMCP_TOKEN: 'pat_x', PRODMCP_TIMEOUT: '5' });
    const failure = errorResult(await h.tool('card_list'));
    assert.equal(failure.http_status, 429);
    assert.match(failure.error, /wait 600 s/);
    assert.equal(limited.requests.filter((r) => r.url.startsWith('/xapi2/data/card')).length, 1, 'not retried: the wait would pass the deadline');
  });

  test('a host cancelling a call aborts the HTTP request, gets no answer for it, and the server keeps serving', async () => {
    const slow = await fake((req, res) => {
      if (req.url === '/xapi2/auth/me') return sendJson(res, 200, { id: 'u', email: 'quick@example.com' });
      return undefined;
    });
    // A long timeout, so only the cancellation can end the upstream request within the test.
    const h = await host(slow.url, { PRODMCP_TOKEN: 'pat_x', PRODMCP_TIMEOUT: '120' });
    const id = h.peekId();
    let answered = false;
    void h.send('tools/call', { name: 'card_list', arguments: {} }).then(() => (answered = true), () => undefined);
    const upstream = await slow.request((r) => r.url.startsWith('/xapi2/data/card'));
    h.notify('notifications/cancelled', { requestId: id, reason: 'the user pressed stop' });
    // PRODMCP_TIMEOUT is 120 s and the hang guard as long: only the cancellation can abort it in time.
    assert.equal(await upstream.aborted, true, 'the HTTP request was aborted');
    assert.equal(okResult(await h.tool('whoami')).email, 'quick@example.com');
    // Sentinel: prodmcp answers in the order it finishes; a ping sent after the abort comes back after any answer to the cancelled call.
    assert.deepEqual(await h.call('ping'), {});
    assert.equal(answered, false, 'a cancelled request is not answered');
  });
});

describe('redirects', HANG_GUARD, () => {
  test('Authorization is dropped when a redirect leaves the configured host, kept when it stays', async () => {
    const other = await fake((req, res) => sendJson(res, 200, { id: 'other', email: 'other@example.com' }, { 'x-auth-refresh-token': 'ses_injected' }));
    const origin = await fake((req, res) => {
      if (req.url === '/xapi2/auth/me') {
        res.writeHead(307, { location: `${other.url}/xapi2/auth/me` });
        return res.end();
      }
      if (req.url === '/xapi2/data/board' || req.url.startsWith('/xapi2/data/board?')) {
        res.writeHead(302, { location: '/xapi2/data/board-moved' });
        return res.end();
      }
      if (req.url === '/xapi2/data/board-moved') return sendJson(res, 200, { data: [], meta: { count: 0, has_more: false } });
      return sendJson(res, 404, { detail: 'no' });
    });
    const home = freshHome();
    mkdirSync(join(home, '.prodmcp'), { mode: 0o700 });
    const credentials = { token: 'ses_secret', kind: 'session', email: 'me@example.com', base_url: origin.url };
    writeFileSync(join(home, '.prodmcp', 'credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
    const h = await host(origin.url, {}, home);

    assert.equal(okResult(await h.tool('whoami')).email, 'other@example.com');
    assert.equal(origin.requests.find((r) => r.url === '/xapi2/auth/me')!.headers.authorization, 'Bearer ses_secret');
    assert.equal(other.requests.find((r) => r.url === '/xapi2/auth/me')!.headers.authorization, undefined, 'the token never reaches another host');
    const saved = JSON.parse(readFileSync(join(home, '.prodmcp', 'credentials.json'), 'utf8'));
    assert.equal(saved.token, 'ses_secret', 'another host cannot hand us a session token');

    okResult(await h.tool('board_list'));
    assert.equal(origin.requests.find((r) => r.url === '/xapi2/data/board-moved')!.headers.authorization, 'Bearer ses_secret', 'same host: kept');
  });
});

describe('tokens against the real server', HANG_GUARD, () => {
  let server: TestServer;
  let user: Awaited<ReturnType<typeof signUp>>;

  before(async () => {
    server = await startServer({ sessionRefreshMs: 0 });
    user = await signUp(server);
  });

  after(async () => server?.close());

  test('an expired personal access token: the message says to create a new one and put it in PRODMCP_TOKEN', async () => {
    const { token } = await makeToken(server, user, undefined, new Date(Date.now() - 60_000).toISOString());
    const h = await host(server.url, { PRODMCP_TOKEN: token });
    const failure = errorResult(await h.tool('card_list'));
    assert.equal(failure.http_status, 401);
    assert.equal(failure.code, 'token_expired');
    assert.match(failure.error, /expired at .*Create a new token on the Integrations page of Production Board and put it in PRODMCP_TOKEN/);
  });

  test('a saved session slides: a renewed token replaces the saved one; once expired, the message says to log in again', async () => {
    const home = freshHome();
    homes.push(home);
    const env = prodmcpEnv(home, server.url);
    const login = await runCli(['login'], env, { input: `\n${user.email}\n${user.password}\n` });
    assert.equal(login.code, 0, login.stderr);
    const file = join(home, '.prodmcp', 'credentials.json');
    const first = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(first.kind, 'session');

    const h = await host(server.url, {}, home);
    okResult(await h.tool('whoami'));
    const renewed = JSON.parse(readFileSync(file, 'utf8'));
    assert.notEqual(renewed.token, first.token, 'the renewed session token was saved');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    okResult(await h.tool('whoami'));

    // The session in use (the last renewal) expires: set in the store rather than waited for.
    const current = JSON.parse(readFileSync(file, 'utf8')).token as string;
    const record = await server.store.getCredential('session', hashToken(current));
    assert.ok(record, 'the saved session is the one the server knows');
    await server.store.transaction((tx) => tx.expireSession(record.token.id, new Date(Date.now() - 1000).toISOString()));
    const expired = errorResult(await h.tool('whoami'));
    assert.equal(expired.http_status, 401);
    assert.match(expired.error, /your session has expired.*Run `prodmcp login` again/);
  });

  test('a session token from PRODMCP_TOKEN is never written anywhere', async () => {
    const session = (await signUp(server, { workspace: user.workspace.slug })).session;
    const home = freshHome();
    const h = await host(server.url, { PRODMCP_TOKEN: session }, home);
    okResult(await h.tool('whoami'));
    assert.equal(existsSync(join(home, '.prodmcp', 'credentials.json')), false);
  });
});

describe('telemetry', HANG_GUARD, () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startServer();
    const user = await signUp(server);
    token = (await makeToken(server, user)).token;
  });

  after(async () => server?.close());

  const rows = () => server.query('SELECT type, device_id, payload FROM analytics_events') as Promise<Array<{ type: string; device_id: string; payload: string }>>;

  test('events go to the configured server, grouped by device, never carrying the token or arguments', async () => {
    const home = freshHome();
    const h = await host(server.url, { PRODMCP_TOKEN: token }, home);
    okResult(await h.tool('card_create', { title: 'Secret plan', description: 'do not leak' }));
    okResult(await h.tool('card_list', { q: 'secret' }));
    errorResult(await h.tool('card_get', { id: 'not-a-uuid' }));
    assert.equal(await h.close(), 0);
    const events = await rows();
    assert.deepEqual(events.map((e) => e.type).sort(), ['mcp.crud', 'mcp.crud', 'mcp.serve_start', 'mcp.serve_stop', 'mcp.tool_error'].sort());
    const device = JSON.parse(readFileSync(join(home, '.prodmcp', 'device.json'), 'utf8')).device_id;
    assert.ok(events.every((e) => e.device_id === device));
    const all = JSON.stringify(events);
    assert.doesNotMatch(all, new RegExp(token));
    assert.doesNotMatch(all, /Secret plan|do not leak|not-a-uuid/);
    assert.equal(statSync(join(home, '.prodmcp', 'device.json')).mode & 0o777, 0o600);
  });

  for (const off of [{ PRODMCP_NO_TELEMETRY: '1' }, { DO_NOT_TRACK: '1' }]) {
    test(`${Object.keys(off)[0]}=1: no events, no analytics headers`, async () => {
      const before = (await rows()).length;
      const spy = await startFakeServer(async (req, res) => {
        const upstream = await fetch(server.url + req.url, { method: req.method, headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': 'application/json' }, body: req.body || undefined });
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(await upstream.text());
      });
      fakes.push(spy);
      const h = await host(spy.url, { PRODMCP_TOKEN: token, ...off });
      okResult(await h.tool('whoami'));
      assert.equal(await h.close(), 0);
      assert.equal((await rows()).length, before);
      assert.ok(spy.requests.length > 0);
      assert.ok(spy.requests.every((r) => !r.url.startsWith('/xapi2/analytics') && r.headers['x-analytics-device-id'] === undefined));
    });
  }
});

describe('the manifest', HANG_GUARD, () => {
  const withEstimate = {
    ...MANIFEST,
    card: {
      ...MANIFEST.card,
      create_fields: [...MANIFEST.card.create_fields, 'estimate'],
      fields: [...MANIFEST.card.fields, { name: 'estimate', type: 'number', description: 'Hours of work.' }],
    },
  };

  test('tools come from the server\'s manifest, cached on disk for the next start', async () => {
    const server = await startFakeServer((req, res) => {
      if (req.url === '/xapi2/mcp/manifest') return sendJson(res, 200, { models: withEstimate }, { 'cache-control': 'public, max-age=300' });
      if (req.method === 'POST' && req.url === '/xapi2/data/card') return sendJson(res, 201, { id: 'c1', data: JSON.parse(req.body) });
      return sendJson(res, 404, { detail: 'no' });
    });
    fakes.push(server);
    const home = freshHome();
    const first = await host(server.url, { PRODMCP_TOKEN: 'pat_x' }, home);
    const { tools } = await first.call('tools/list');
    const create = tools.find((t: any) => t.name === 'card_create');
    assert.deepEqual(create.inputSchema.properties.estimate, { type: 'number', description: 'Hours of work.' });
    assert.equal(okResult(await first.tool('card_create', { title: 'Sized', estimate: 3 })).data.estimate, 3);
    assert.equal(await first.close(), 0);
    const cache = join(home, '.prodmcp', 'manifest.json');
    assert.equal(statSync(cache).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, '.prodmcp')).mode & 0o777, 0o700);

    const second = await host(server.url, { PRODMCP_TOKEN: 'pat_x' }, home);
    const again = (await second.call('tools/list')).tools.find((t: any) => t.name === 'card_create');
    assert.ok(again.inputSchema.properties.estimate);
    assert.equal(server.requests.filter((r) => r.url === '/xapi2/mcp/manifest').length, 1, 'the second start used the cache');
  });

  test('a stale cached manifest serves at once when the server is slow to send a fresh one', async () => {
    const slow = await startFakeServer(() => undefined);
    fakes.push(slow);
    const home = freshHome();
    mkdirSync(join(home, '.prodmcp'), { mode: 0o700 });
    const stale = { base_url: slow.url, fetched_at: Date.now() - 2 * 3600_000, ttl_seconds: 300, models: withEstimate };
    writeFileSync(join(home, '.prodmcp', 'manifest.json'), JSON.stringify(stale), { mode: 0o600 });
    // It waits 200 ms for a fresh manifest, then serves the stale one: checked on a mocked clock in clock.test.ts.
    const h = await host(slow.url, { PRODMCP_TOKEN: 'pat_x' }, home);
    const create = (await h.call('tools/list')).tools.find((t: any) => t.name === 'card_create');
    assert.ok(create.inputSchema.properties.estimate, 'the stale manifest\'s tools');
    assert.ok(slow.requests.some((r) => r.url === '/xapi2/mcp/manifest'), 'a fresh one was asked for');
  });

  test('without a manifest from the server, the built-in one serves, and the host is told why', async () => {
    const server = await fake((_req, res) => sendJson(res, 404, { detail: 'no' }));
    const h = await host(server.url, { PRODMCP_TOKEN: 'pat_x' });
    const { tools } = await h.call('tools/list');
    assert.equal(tools.length, 11);
    assert.equal(tools.find((t: any) => t.name === 'card_create').inputSchema.properties.estimate, undefined);
    const notice = await h.waitFor((m) => m.method === 'notifications/message' && /built-in tool catalogue/.test(m.params.data));
    assert.equal(notice.params.level, 'info');
  });

  test('a manifest that is not one is refused in favour of the built-in one', async () => {
    const server = await startFakeServer((req, res) => {
      if (req.url === '/xapi2/mcp/manifest') return sendJson(res, 200, { models: { 'card; DROP': { ops: ['list'] } } });
      return sendJson(res, 404, { detail: 'no' });
    });
    fakes.push(server);
    const h = await host(server.url, { PRODMCP_TOKEN: 'pat_x' });
    assert.equal((await h.call('tools/list')).tools.length, 11);
  });
});
