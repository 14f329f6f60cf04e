/**
 * Login and password-change limits through HTTP, on an injected clock: guessing is slowed per account
 * and address (doubling waits, told in plain words with Retry-After), failures from one address across
 * accounts are capped, and neither gives an attacker a button that locks the real user out. The client
 * address comes from X-Forwarded-For only through a trusted proxy.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildApp } from '../src/app.js';
import { configFromEnv } from '../src/config.js';
import { request, signUp, startServer, type ApiResponse, type TestServer } from './helpers.js';

const MINUTE = 60_000;

/** A clock the test moves by hand. */
function manualClock() {
  let now = Date.now();
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** Starts a server, runs `fn` and closes the server whatever happens. */
async function withServer(overrides: Parameters<typeof startServer>[0], fn: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startServer(overrides);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** A login attempt, sent as if from `address` (through the proxy when the server trusts it). */
const login = (server: TestServer, email: string, password: string, address?: string) =>
  request(server, 'POST', '/xapi2/auth/login', { body: { email, password }, headers: address ? { 'x-forwarded-for': address } : {} });

/** A 429 of the error family with a Retry-After of `seconds` and a detail in plain words. */
function assertLimited(res: ApiResponse, seconds: number, words: RegExp): void {
  assert.equal(res.status, 429, `expected 429, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.code, 'rate_limited');
  assert.equal(res.body.i18n?.en, res.body.detail);
  assert.ok(Array.isArray(res.body.errors));
  assert.equal(res.body.access_token, undefined);
  assert.equal(res.headers.get('retry-after'), String(seconds), res.body.detail);
  assert.match(res.body.detail, words);
  assert.doesNotMatch(res.body.detail, /\d+ s\b/, 'no bare second counts');
}

describe('login limits', () => {
  test("an attacker's failures from one address never refuse the real user's right password from another", async () => {
    await withServer({ trustedProxies: ['127.0.0.1'] }, async (server) => {
      const victim = await signUp(server);
      const attacker = '203.0.113.7';
      let refused = 0;
      for (let i = 0; i < 12; i++) {
        const res = await login(server, victim.email, `guess ${i}`, attacker);
        assert.ok(res.status === 401 || res.status === 429, `unexpected ${res.status}`);
        if (res.status === 429) refused += 1;
      }
      assert.equal(refused, 12 - server.config.loginMaxFailures, 'the attacker is slowed after loginMaxFailures guesses');
      assert.equal((await login(server, victim.email, victim.password, attacker)).status, 429, "the attacker's address cannot test the right password either");

      const real = await login(server, victim.email, victim.password, '198.51.100.2');
      assert.equal(real.status, 200, `the real user from a clean address gets in: ${JSON.stringify(real.body)}`);
      assert.match(real.body.access_token, /^ses_/);
      assert.equal((await login(server, victim.email, 'guess again', attacker)).status, 429, "the real user's sign-in does not reset the attacker's slowdown");
    });
  });

  test('an IPv6 guesser cannot step to a fresh address within its /64, nor hide an IPv4 address as IPv4-mapped IPv6', async () => {
    await withServer({ trustedProxies: ['127.0.0.1'] }, async (server) => {
      const u = await signUp(server);
      for (let i = 0; i < 5; i++) assert.equal((await login(server, u.email, `guess ${i}`, `2001:db8:1:2::${i + 1}`)).status, 401);
      assert.equal((await login(server, u.email, u.password, '2001:db8:1:2:ffff::99')).status, 429, 'the same /64 is the same address');
      assert.equal((await login(server, u.email, u.password, '2001:db8:1:3::1')).status, 200, 'the next /64 is another');

      const v = await signUp(server);
      for (let i = 0; i < 5; i++) assert.equal((await login(server, v.email, `guess ${i}`, '203.0.113.8')).status, 401);
      assert.equal((await login(server, v.email, v.password, '::ffff:203.0.113.8')).status, 429);
    });
  });

  test('the slowdown doubles with each further failure, up to the window, in plain words with Retry-After', async () => {
    const clock = manualClock();
    await withServer({ now: clock.now, trustedProxies: ['127.0.0.1'] }, async (server) => {
      const u = await signUp(server);
      const from = '192.0.2.10';
      for (let i = 0; i < 5; i++) assert.equal((await login(server, u.email, `guess ${i}`, from)).status, 401);
      assertLimited(await login(server, u.email, 'guess 5', from), 60, /try again in 1 minute\b/);

      for (const [waitMinutes, words] of [[1, /in 2 minutes/], [2, /in 4 minutes/], [4, /in 8 minutes/], [8, /in 15 minutes/]] as const) {
        clock.advance(waitMinutes * MINUTE - 1000);
        assert.equal((await login(server, u.email, u.password, from)).status, 429, 'one second early is still refused');
        clock.advance(1000);
        assert.equal((await login(server, u.email, 'another guess', from)).status, 401, 'after the wait one more password is checked');
        const next = Math.min(2 * waitMinutes, 15);
        assertLimited(await login(server, u.email, 'and another', from), next * 60, words);
      }
      clock.advance(15 * MINUTE);
      assert.equal((await login(server, u.email, u.password, from)).status, 200, 'after the longest wait the right password works');
      for (let i = 0; i < 5; i++) assert.equal((await login(server, u.email, `typo ${i}`, from)).status, 401, 'a success wipes the slate for that address');
    });
  });

  test('a user behind the same address (an office NAT, an untrusted proxy) is not locked out by another account being guessed', async () => {
    await withServer({}, async (server) => {
      const victim = await signUp(server);
      const colleague = await signUp(server);
      for (let i = 0; i < 12; i++) await login(server, victim.email, `guess ${i}`);
      assert.equal((await login(server, victim.email, 'guess 12')).status, 429);
      const res = await login(server, colleague.email, colleague.password);
      assert.equal(res.status, 200, `the colleague signs in: ${JSON.stringify(res.body)}`);
      assert.equal((await login(server, colleague.email, 'one typo')).status, 401, 'and a typo is a plain 401, not a lockout');
    });
  });

  test('failures from one address across many accounts hit a per-address limit that spares other addresses', async () => {
    const clock = manualClock();
    await withServer({ now: clock.now, trustedProxies: ['127.0.0.1'], loginAddressMaxFailures: 6 }, async (server) => {
      const u = await signUp(server);
      const sprayer = '203.0.113.99';
      for (let i = 0; i < 6; i++) assert.equal((await login(server, `sprayed${i}@example.com`, 'Summer2026!', sprayer)).status, 401);
      assertLimited(await login(server, 'sprayed6@example.com', 'Summer2026!', sprayer), 900, /from your address.*try again in 15 minutes/);
      assert.equal((await login(server, u.email, u.password, sprayer)).status, 429, 'the limited address is refused for every account');
      assert.equal((await login(server, u.email, u.password, '198.51.100.3')).status, 200, 'other addresses are not');
      clock.advance(15 * MINUTE);
      assert.equal((await login(server, u.email, u.password, sprayer)).status, 200, 'the limit ends with its window');
    });
  });

  test('X-Forwarded-For is ignored unless the request came through a trusted proxy', async () => {
    const guess = async (server: TestServer, email: string) => {
      for (let i = 0; i < 8; i++) await login(server, email, `guess ${i}`, '203.0.113.1');
    };
    for (const trustedProxies of [false as const, ['10.0.0.1']]) {
      await withServer({ trustedProxies }, async (server) => {
        const u = await signUp(server);
        await guess(server, u.email);
        const forged = await login(server, u.email, u.password, '198.51.100.4');
        assert.equal(forged.status, 429, `a forged X-Forwarded-For gives no fresh address (trusted proxies ${JSON.stringify(trustedProxies)})`);
      });
    }
    for (const trustedProxies of [['127.0.0.1'], ['127.0.0.0/8', '::1']]) {
      await withServer({ trustedProxies }, async (server) => {
        const u = await signUp(server);
        await guess(server, u.email);
        const proxied = await login(server, u.email, u.password, '198.51.100.4');
        assert.equal(proxied.status, 200, `through a trusted proxy (${JSON.stringify(trustedProxies)}) the forwarded address counts: ${JSON.stringify(proxied.body)}`);
        // The proxy appends the address it saw: only the rightmost untrusted entry is believed.
        const spoofed = await login(server, u.email, u.password, '198.51.100.5, 203.0.113.1');
        assert.equal(spoofed.status, 429, 'an address the client put in front of the real one is ignored');
      });
    }
  });

  test('the login limit holds for guesses sent in parallel', async () => {
    await withServer({ trustedProxies: ['127.0.0.1'] }, async (server) => {
      const u = await signUp(server);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => login(server, u.email, `parallel ${i}`, '203.0.113.50')));
      const checked = results.filter((r) => r.status === 401).length;
      for (const r of results) assert.ok(r.status === 401 || r.status === 429, `unexpected ${r.status}`);
      assert.equal(checked, server.config.loginMaxFailures, `statuses ${results.map((r) => r.status).join(',')}`);
    });
  });

  test('the limits hold across instances: parallel guesses split over two apps on one database', async () => {
    await withServer({ trustedProxies: ['127.0.0.1'] }, async (server) => {
      // A second app with its own routes and limiter, on the same database: nothing is held in memory.
      const second = await buildApp({ store: server.store, config: server.config });
      try {
        const other = { ...server, url: await second.listen({ host: '127.0.0.1', port: 0 }) };
        const u = await signUp(server);
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => login(i % 2 ? other : server, u.email, `split ${i}`, '203.0.113.60')));
        assert.equal(results.filter((r) => r.status === 401).length, server.config.loginMaxFailures, `statuses ${results.map((r) => r.status).join(',')}`);
        assert.equal((await login(other, u.email, u.password, '203.0.113.60')).status, 429);
        assert.equal((await login(other, u.email, u.password, '198.51.100.60')).status, 200);
      } finally {
        await second.close();
      }
    });
  });
});

describe('password change limit', () => {
  const change = (api: Awaited<ReturnType<typeof signUp>>['api'], current: string, next = 'a brand new passphrase') =>
    api.post('/xapi2/auth/password', { body: { current_password: current, new_password: next } });

  test('wrong current passwords are limited per account; the right one is refused until the window passes', async () => {
    const clock = manualClock();
    await withServer({ now: clock.now }, async (server) => {
      const u = await signUp(server);
      const other = await signUp(server);
      for (let i = 0; i < server.config.loginMaxFailures; i++) {
        const res = await change(u.api, `wrong ${i}`);
        assert.equal(res.status, 400);
        assert.equal(res.body.errors[0].field, 'current_password');
      }
      assertLimited(await change(u.api, u.password), 900, /current password.*try again in 15 minutes/);
      assert.equal((await login(server, u.email, u.password)).status, 200, 'the password did not change, and signing in still works');
      assert.equal((await change(other.api, other.password)).status, 200, "another account's password change is not limited");

      clock.advance(15 * MINUTE - 1000);
      assertLimited(await change(u.api, u.password), 1, /try again in 1 second\b/);
      clock.advance(1000);
      const res = await change(u.api, u.password);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    });
  });

  test('wrong current passwords sent in parallel cannot slip past the limit', async () => {
    await withServer({}, async (server) => {
      const u = await signUp(server);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => change(u.api, `parallel ${i}`)));
      for (const r of results) assert.ok(r.status === 400 || r.status === 429, `unexpected ${r.status}`);
      assert.equal(results.filter((r) => r.status === 400).length, server.config.loginMaxFailures, `statuses ${results.map((r) => r.status).join(',')}`);
    });
  });
});

describe('settings', () => {
  test('PRODBOARD_TRUSTED_PROXIES takes addresses and CIDRs, and nothing that a direct client could pass through', () => {
    assert.equal(configFromEnv({}).trustedProxies, false, 'no proxy is trusted by default');
    assert.equal(configFromEnv({}).loginAddressMaxFailures, 100);
    assert.deepEqual(configFromEnv({ PRODBOARD_TRUSTED_PROXIES: ' 10.0.0.1, 10.0.0.0/8,fd00::/8 ,loopback' }).trustedProxies, ['10.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback']);
    for (const bad of ['true', '*', '1', '0', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,,', '::1/129', '-1']) {
      assert.throws(() => configFromEnv({ PRODBOARD_TRUSTED_PROXIES: bad }), (err: Error) => {
        assert.match(err.message, /PRODBOARD_TRUSTED_PROXIES/);
        assert.match(err.message, /addresses and CIDRs \(such as 10\.0\.0\.1, 10\.0\.0\.0\/8/);
        return true;
      }, bad);
    }
  });
});
