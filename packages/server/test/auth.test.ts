/**
 * Accounts and tokens through HTTP: login and its rate limit, /auth/me, sliding sessions, personal
 * access tokens (scopes, roles, account management, lifecycle, hashing at rest), the one-time setup
 * link, and workspace isolation (another workspace's ids are always a plain 404).
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { issueSetupToken } from '../src/operations/setup.js';
import { TEST_STORE, client, makeToken, request, signUp, startServer, type ApiResponse, type TestServer } from './helpers.js';

/** A clock the test moves by hand (the server's `config.now`), so time passes only when a test says so. */
function manualClock(start = Date.now()) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** A count(*) AS n query, on whichever store the suite runs. */
const count = async (s: TestServer, sql: string, ...params: unknown[]) => Number((await s.query<{ n: unknown }>(sql, ...params))[0].n);
/** The tables of the server's database. */
async function tableNames(s: TestServer): Promise<string[]> {
  const sql = TEST_STORE === 'postgres'
    ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()'
    : "SELECT name FROM sqlite_master WHERE type = 'table'";
  return (await s.query<{ name: string }>(sql)).map((t) => t.name);
}

/** The error shape of the wire contract, with no JS internals leaking. */
function assertError(res: ApiResponse, status: number, code?: string): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = res.body;
  assert.equal(typeof body.detail, 'string');
  assert.ok(body.detail.length > 0);
  assert.equal(body.i18n?.en, body.detail);
  assert.equal(typeof body.code, 'string');
  if (code) assert.equal(body.code, code);
  assert.ok(Array.isArray(body.errors));
  const text = JSON.stringify(body);
  assert.doesNotMatch(text, /Error:|\n\s+at |\bat [^ ]+ \([^)]*:\d+:\d+\)|node_modules/);
}

let server: TestServer;
const clock = manualClock();

before(async () => {
  // Failed logins in these tests must not lock the shared address out of the other tests' logins.
  server = await startServer({ loginMaxFailures: 1000, now: clock.now });
});
after(() => server.close());

describe('login', () => {
  test('returns {access_token, user} with a session token that works', async () => {
    const u = await signUp(server);
    const res = await request(server, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: u.password } });
    assert.equal(res.status, 200);
    assert.match(res.body.access_token, /^ses_[A-Za-z0-9_-]{20,}$/);
    assert.equal(res.body.user.id, u.user.id);
    assert.equal(res.body.user.email, u.email);
    assert.equal(res.body.user.role, 'owner');
    assert.equal(res.body.user.workspace.id, u.workspace.id);
    assert.equal('password_hash' in res.body.user, false);
    assert.doesNotMatch(JSON.stringify(res.body), /scrypt\$/);
    const me = await client(server, res.body.access_token).get('/xapi2/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.id, u.user.id);
  });

  test('the email is matched without regard to case and surrounding spaces', async () => {
    const u = await signUp(server);
    const res = await request(server, 'POST', '/xapi2/auth/login', { body: { email: `  ${u.email.toUpperCase()} `, password: u.password } });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, u.user.id);
  });

  test('a wrong password is a 401 that does not tell whether the email exists', async () => {
    const u = await signUp(server);
    const wrongPassword = await request(server, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: 'not the password' } });
    const unknownEmail = await request(server, 'POST', '/xapi2/auth/login', { body: { email: `nobody-${Date.now()}@example.com`, password: 'not the password' } });
    assertError(wrongPassword, 401, 'unauthenticated');
    assertError(unknownEmail, 401, 'unauthenticated');
    assert.deepEqual(wrongPassword.body, unknownEmail.body, 'the two failures must be indistinguishable');
    assert.equal(wrongPassword.body.access_token, undefined);
    assert.doesNotMatch(wrongPassword.body.detail, /not found|no such|unknown|does not exist|exists/i);
  });

  test('a login body without email or password is a 400 naming the field', async () => {
    const missing = await request(server, 'POST', '/xapi2/auth/login', { body: { email: 'a@example.com' } });
    assertError(missing, 400, 'validation_failed');
    assert.equal(missing.body.errors[0].field, 'password');
    const wrongType = await request(server, 'POST', '/xapi2/auth/login', { body: { email: 42, password: 'x' } });
    assertError(wrongType, 400, 'validation_failed');
    assert.equal(wrongType.body.errors[0].field, 'email');
  });

  test('repeated failed logins are a 429 with Retry-After, even for the right password', async () => {
    // The server's clock held still: the wait it names must not shrink while slow password hashing runs.
    const frozen = Date.now();
    const limited = await startServer({ loginMaxFailures: 3, loginWindowMs: 60_000, now: () => frozen });
    try {
      const u = await signUp(limited);
      for (let i = 0; i < 3; i++) {
        const res = await request(limited, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: `guess ${i}` } });
        assertError(res, 401, 'unauthenticated');
      }
      const blocked = await request(limited, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: 'guess 4' } });
      assertError(blocked, 429, 'rate_limited');
      const retryAfter = Number(blocked.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${blocked.headers.get('retry-after')}`);
      assert.match(blocked.body.detail, /try again in 1 minute\b/);

      const right = await request(limited, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: u.password } });
      assertError(right, 429, 'rate_limited');
      assert.equal(right.body.access_token, undefined, 'no session is handed out during the lockout');
      assert.ok(Number(right.headers.get('retry-after')) >= 1);
      assert.equal(await count(limited, 'SELECT count(*) AS n FROM sessions WHERE user_id = ?', u.user.id), 1, 'only the session of signUp exists');
    } finally {
      await limited.close();
    }
  });

  test('the login limit holds against guesses sent in parallel', async () => {
    const limited = await startServer({ loginMaxFailures: 3, loginWindowMs: 60_000 });
    try {
      const u = await signUp(limited);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => request(limited, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: `parallel guess ${i}` } })),
      );
      const statuses = results.map((r) => r.status);
      for (const r of results) assert.ok(r.status === 401 || r.status === 429, `unexpected ${r.status}`);
      const checked = statuses.filter((s) => s === 401).length;
      assert.ok(checked <= 3, `at most loginMaxFailures (3) passwords may be tried per window; ${checked} were checked: ${statuses.join(',')}`);
    } finally {
      await limited.close();
    }
  });
});

describe('/auth/me', () => {
  test('for a session: the caller, its role and workspace, no scopes', async () => {
    const u = await signUp(server);
    const me = await u.api.get('/xapi2/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.id, u.user.id);
    assert.equal(me.body.email, u.email);
    assert.equal(typeof me.body.name, 'string');
    assert.equal(me.body.role, 'owner');
    assert.equal(me.body.workspace.id, u.workspace.id);
    assert.equal(me.body.auth, 'session');
    assert.equal(me.body.scopes, undefined);
  });

  test('for a PAT: the same caller plus the token scopes', async () => {
    const u = await signUp(server);
    const pat = await makeToken(server, u, 'board:read,card:write');
    const me = await pat.api.get('/xapi2/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.id, u.user.id);
    assert.equal(me.body.workspace.id, u.workspace.id);
    assert.equal(me.body.auth, 'pat');
    assert.deepEqual(me.body.scopes, { board: 'read', card: 'write' });
    assert.equal(me.body.token_id, pat.row.id);
  });

  test('no token, a malformed header or an unknown token is a 401 saying how to sign in', async () => {
    const none = await request(server, 'GET', '/xapi2/auth/me');
    assertError(none, 401, 'unauthenticated');
    assert.match(none.body.detail, /Bearer/);
    const basic = await request(server, 'GET', '/xapi2/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assertError(basic, 401, 'unauthenticated');
    for (const token of ['pat_doesnotexist', 'ses_doesnotexist', 'garbage']) {
      assertError(await client(server, token).get('/xapi2/auth/me'), 401, 'unauthenticated');
    }
  });
});

describe('sliding sessions', () => {
  let sliding: TestServer;
  const slidingClock = manualClock();
  before(async () => {
    sliding = await startServer({ sessionRefreshMs: 100, now: slidingClock.now });
  });
  after(() => sliding.close());

  test('an old session is renewed in x-auth-refresh-token; the old token keeps working only for the grace period', async () => {
    const u = await signUp(sliding);
    slidingClock.advance(150);
    const first = await u.api.get('/xapi2/auth/me');
    assert.equal(first.status, 200);
    const renewed = first.headers.get('x-auth-refresh-token');
    assert.ok(renewed, 'a renewed token comes back in x-auth-refresh-token');
    assert.match(renewed, /^ses_/);
    assert.notEqual(renewed, u.session);

    const withNew = await client(sliding, renewed).get('/xapi2/auth/me');
    assert.equal(withNew.status, 200);
    assert.equal(withNew.body.id, u.user.id);
    const withOld = await u.api.get('/xapi2/auth/me');
    assert.equal(withOld.status, 200, 'the replaced token still works during the grace period');

    const [oldRow] = await sliding.query<{ id: string; expires_at: string }>('SELECT * FROM sessions WHERE token_hash = ?', sha256(u.session));
    const [newRow] = await sliding.query<{ expires_at: string }>('SELECT * FROM sessions WHERE token_hash = ?', sha256(renewed));
    const now = slidingClock.now();
    const oldLeft = Date.parse(oldRow.expires_at) - now;
    assert.ok(oldLeft > 0 && oldLeft <= 5 * 60_000 + 1000, `the old session is cut to a short grace (${oldLeft} ms left)`);
    assert.ok(Date.parse(newRow.expires_at) - now > sliding.config.sessionTtlMs - 60_000, 'the new session gets a full lifetime');

    // The grace period ends: the old token stops working, the renewed one does not.
    slidingClock.advance(oldLeft + 1000);
    assertError(await u.api.get('/xapi2/auth/me'), 401, 'token_expired');
    assert.equal((await client(sliding, renewed).get('/xapi2/auth/me')).status, 200);
  });

  test('a PAT is never refreshed', async () => {
    const u = await signUp(sliding);
    const pat = await makeToken(sliding, u);
    slidingClock.advance(150);
    for (let i = 0; i < 2; i++) {
      const res = await pat.api.get('/xapi2/data/board');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-auth-refresh-token'), null);
    }
    const me = await pat.api.get('/xapi2/auth/me');
    assert.equal(me.headers.get('x-auth-refresh-token'), null);
    assert.equal(await count(sliding, 'SELECT count(*) AS n FROM sessions WHERE user_id = ?', u.user.id), 1, 'PAT calls never mint sessions');
  });
});

describe('PAT scopes and roles', () => {
  test('board:read can list and read boards, but not create them, and card:none cannot touch cards', async () => {
    const u = await signUp(server);
    const board = (await u.api.post('/xapi2/data/board', { body: { name: 'Scoped' } })).body;
    const card = (await u.api.post('/xapi2/data/card', { body: { title: 'Scoped card', board_id: board.id } })).body;
    const pat = await makeToken(server, u, 'board:read');

    const list = await pat.api.get('/xapi2/data/board');
    assert.equal(list.status, 200);
    assert.ok(list.body.data.some((b: { id: string }) => b.id === board.id));
    assert.equal((await pat.api.get(`/xapi2/data/board/${board.id}`)).status, 200);

    const create = await pat.api.post('/xapi2/data/board', { body: { name: 'Nope' } });
    assertError(create, 403, 'scope_denied');
    assert.match(create.body.detail, /board:write/);
    assertError(await pat.api.patch(`/xapi2/data/board/${board.id}`, { body: { name: 'Nope' } }), 403, 'scope_denied');
    assertError(await pat.api.delete(`/xapi2/data/board/${board.id}`), 403, 'scope_denied');

    const cardCalls = [
      await pat.api.get('/xapi2/data/card'),
      await pat.api.get(`/xapi2/data/card/${card.id}`),
      await pat.api.post('/xapi2/data/card', { body: { title: 'Nope' } }),
      await pat.api.patch(`/xapi2/data/card/${card.id}`, { body: { title: 'Nope' } }),
      await pat.api.delete(`/xapi2/data/card/${card.id}`),
    ];
    for (const res of cardCalls) {
      assertError(res, 403, 'scope_denied');
      assert.match(res.body.detail, /card:none/);
    }
    const after = await u.api.get(`/xapi2/data/card/${card.id}`);
    assert.equal(after.body.version, 1);
    assert.equal(after.body.data.title, 'Scoped card');
    assert.equal((await u.api.get('/xapi2/data/board')).body.data.length, 1);
  });

  test('a viewer gets 403 on writes even with a write token, and can still read', async () => {
    const owner = await signUp(server);
    const board = (await owner.api.post('/xapi2/data/board', { body: { name: 'Shared' } })).body;
    const viewer = await signUp(server, { role: 'viewer', workspace: owner.workspace.slug });
    const pat = await makeToken(server, viewer, 'board:write,card:write');
    for (const api of [pat.api, viewer.api]) {
      assert.equal((await api.get(`/xapi2/data/board/${board.id}`)).status, 200);
      const create = await api.post('/xapi2/data/board', { body: { name: 'Viewer board' } });
      assertError(create, 403, 'forbidden');
      assert.match(create.body.detail, /viewer/);
      assertError(await api.patch(`/xapi2/data/board/${board.id}`, { body: { name: 'Renamed' } }), 403, 'forbidden');
      assertError(await api.delete(`/xapi2/data/board/${board.id}`), 403, 'forbidden');
      assertError(await api.post('/xapi2/data/card', { body: { title: 'Viewer card' } }), 403, 'forbidden');
    }
    const read = await owner.api.get(`/xapi2/data/board/${board.id}`);
    assert.equal(read.body.version, 1);
    assert.equal(read.body.data.name, 'Shared');
    assert.equal((await owner.api.get('/xapi2/data/card')).body.data.length, 0);
  });

  test('a PAT cannot manage tokens or passwords', async () => {
    const u = await signUp(server);
    const pat = await makeToken(server, u);
    const calls = [
      await pat.api.get('/xapi2/tokens'),
      await pat.api.post('/xapi2/tokens', { body: { name: 'minted by a token' } }),
      await pat.api.delete(`/xapi2/tokens/${pat.row.id}`),
      await pat.api.post('/xapi2/auth/password', { body: { current_password: u.password, new_password: 'a brand new password' } }),
    ];
    for (const res of calls) assertError(res, 403, 'forbidden');
    const rows = await server.query<{ revoked_at: string | null }>('SELECT * FROM access_tokens WHERE user_id = ?', u.user.id);
    assert.equal(rows.length, 1, 'no token was minted');
    assert.equal(rows[0].revoked_at, null, 'the token did not revoke itself');
    const login = await request(server, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: u.password } });
    assert.equal(login.status, 200, 'the password is unchanged');
  });
});

describe('token lifecycle', () => {
  test('a session creates a token shown once; the list never shows a secret; last_used_at is set after use; revoke is a 401 on next use', async () => {
    const u = await signUp(server);
    const created = await u.api.post('/xapi2/tokens', { body: { name: 'Claude Desktop', scopes: { board: 'read', card: 'write' }, expires: '30d' } });
    assert.equal(created.status, 201);
    const token: string = created.body.token;
    assert.match(token, /^pat_[A-Za-z0-9_-]{20,}$/);
    assert.match(created.body.detail, /shown only once/);
    assert.deepEqual(created.body.scopes, { board: 'read', card: 'write' });
    assert.equal(created.body.last_used_at, null);
    assert.equal(created.body.expires_at, new Date(clock.now() + 30 * 86_400_000).toISOString(), '30d counts from the server\'s clock');
    assert.equal('token_hash' in created.body, false);

    const list = await u.api.get('/xapi2/tokens');
    assert.equal(list.status, 200);
    const entry = list.body.data.find((t: { id: string }) => t.id === created.body.id);
    assert.ok(entry);
    assert.equal(entry.name, 'Claude Desktop');
    assert.equal(entry.token, undefined);
    assert.equal(entry.token_hash, undefined);
    const listed = JSON.stringify(list.body);
    assert.equal(listed.includes(token), false, 'the secret never appears in the list');
    assert.equal(listed.includes(sha256(token)), false, 'the hash never appears in the list');
    assert.ok(token.startsWith(entry.prefix) && entry.prefix.length < token.length / 2, 'only a short prefix is listed');
    assert.equal(entry.last_used_at, null);

    const usedAt = new Date(clock.advance(1000)).toISOString();
    const use = await client(server, token).get('/xapi2/data/board');
    assert.equal(use.status, 200);
    clock.advance(1000);
    const used = (await u.api.get('/xapi2/tokens')).body.data.find((t: { id: string }) => t.id === created.body.id);
    assert.ok(used.last_used_at, 'last_used_at is set after use');
    assert.equal(used.last_used_at, usedAt, 'last_used_at is the time of the use (the server\'s clock)');

    const revoke = await u.api.delete(`/xapi2/tokens/${created.body.id}`);
    assert.equal(revoke.status, 200);
    const afterRevoke = await client(server, token).get('/xapi2/data/board');
    assertError(afterRevoke, 401, 'unauthenticated');
    const revoked = (await u.api.get('/xapi2/tokens')).body.data.find((t: { id: string }) => t.id === created.body.id);
    assert.ok(revoked.revoked_at, 'the list shows when it was revoked');
  });

  test('logout ends that session at once; a password change ends every session but no personal access token', async () => {
    // Each credential is used first, so the server's credential cache holds it when it changes.
    const u = await signUp(server);
    const second = client(server, (await request(server, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: u.password } })).body.access_token);
    const pat = await makeToken(server, u, 'board:read');
    for (const api of [u.api, second, pat.api]) assert.equal((await api.get('/xapi2/auth/me')).status, 200);

    assert.equal((await u.api.post('/xapi2/auth/logout')).status, 200);
    assertError(await u.api.get('/xapi2/auth/me'), 401, 'token_expired');
    assert.equal((await second.get('/xapi2/auth/me')).status, 200, 'the other session is untouched');

    const changed = await second.post('/xapi2/auth/password', { body: { current_password: u.password, new_password: 'a brand new passphrase' } });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assertError(await second.get('/xapi2/auth/me'), 401, 'unauthenticated');
    assert.equal((await pat.api.get('/xapi2/data/board')).status, 200, 'personal access tokens outlive a password change');
  });

  test('token creation refuses bad input and another user cannot revoke my token', async () => {
    const u = await signUp(server);
    const other = await signUp(server);
    const tokens = () => count(server, 'SELECT count(*) AS n FROM access_tokens WHERE user_id = ?', u.user.id);
    const start = await tokens();
    const noName = await u.api.post('/xapi2/tokens', { body: { scopes: 'board:read' } });
    assertError(noName, 400, 'validation_failed');
    assert.equal(noName.body.errors[0].field, 'name');
    const badScope = await u.api.post('/xapi2/tokens', { body: { name: 'x', scopes: { board: 'admin' } } });
    assertError(badScope, 400, 'validation_failed');
    assert.match(badScope.body.detail, /none, read, write/);
    const past = await u.api.post('/xapi2/tokens', { body: { name: 'x', expires: '2001-01-01' } });
    assertError(past, 400, 'validation_failed');
    assert.equal(past.body.errors[0].field, 'expires');
    const extra = await u.api.post('/xapi2/tokens', { body: { name: 'x', owner: 'me' } });
    assertError(extra, 400, 'validation_failed');
    assert.equal(extra.body.errors[0].field, 'owner');
    assert.equal(await tokens(), start);

    const mine = await makeToken(server, u);
    assertError(await other.api.delete(`/xapi2/tokens/${mine.row.id}`), 404, 'not_found');
    assert.equal((await mine.api.get('/xapi2/auth/me')).status, 200, 'still valid');
  });

  test('an expired token is a 401 with code token_expired', async () => {
    const u = await signUp(server);
    const expired = await makeToken(server, u, 'board:read', new Date(clock.now() - 60_000).toISOString());
    const res = await expired.api.get('/xapi2/data/board');
    assertError(res, 401, 'token_expired');
    assert.match(res.body.detail, /expired/);
    const live = await makeToken(server, u, 'board:read', new Date(clock.now() + 3_600_000).toISOString());
    assert.equal((await live.api.get('/xapi2/data/board')).status, 200);
  });

  test('tokens and sessions are stored only as hashes', async () => {
    const freshClock = manualClock();
    const fresh = await startServer({ sessionRefreshMs: 100, now: freshClock.now });
    try {
      const u = await signUp(fresh);
      const made = await makeToken(fresh, u);
      const minted = (await u.api.post('/xapi2/tokens', { body: { name: 'minted' } })).body.token as string;
      freshClock.advance(150);
      const renewed = (await u.api.get('/xapi2/auth/me')).headers.get('x-auth-refresh-token');
      assert.ok(renewed);
      await made.api.post('/xapi2/data/board', { body: { name: 'by pat' } });
      const plaintexts = [u.session, made.token, minted, renewed];

      const tokenRows = await fresh.query<{ token_hash: string }>('SELECT * FROM access_tokens');
      const sessionRows = await fresh.query<{ token_hash: string }>('SELECT * FROM sessions');
      assert.equal(tokenRows.length, 2);
      for (const t of [made.token, minted]) assert.ok(tokenRows.some((r) => r.token_hash === sha256(t)), 'the PAT is stored as its hash');
      for (const t of [u.session, renewed]) assert.ok(sessionRows.some((r) => r.token_hash === sha256(t)), 'the session is stored as its hash');
      const stored = JSON.stringify([tokenRows, sessionRows]);
      for (const t of plaintexts) assert.equal(stored.includes(t), false, `plaintext ${t.slice(0, 8)}... is stored`);

      // Nowhere else in the database either (activity, idempotency keys, settings...).
      const tables = await tableNames(fresh);
      assert.ok(tables.includes('access_tokens') && tables.includes('activity'));
      for (const name of tables) {
        const dump = JSON.stringify(await fresh.query(`SELECT * FROM "${name}"`));
        for (const t of plaintexts) assert.equal(dump.includes(t), false, `plaintext token in table ${name}`);
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('setup', () => {
  test('a fresh server: the one-time setup link creates the owner, and a second use is 403', async () => {
    const fresh = await startServer();
    try {
      assert.deepEqual((await request(fresh, 'GET', '/xapi2/setup')).body, { needs_setup: true });
      const token = await issueSetupToken(fresh.store);
      assert.ok(token);
      const stored = JSON.stringify(await fresh.query('SELECT * FROM settings'));
      assert.equal(stored.includes(token), false, 'the setup token is stored hashed');

      assertError(await request(fresh, 'POST', '/xapi2/setup', { body: { email: 'x@example.com', password: 'long enough pw' } }), 403, 'forbidden');
      assertError(await request(fresh, 'POST', '/xapi2/setup', { body: { token: `${token}x`, email: 'x@example.com', password: 'long enough pw' } }), 403, 'forbidden');
      const badEmail = await request(fresh, 'POST', '/xapi2/setup', { body: { token, email: 'not an email', password: 'long enough pw' } });
      assertError(badEmail, 400, 'validation_failed');
      assert.equal(badEmail.body.errors[0].field, 'email');

      const setup = await request(fresh, 'POST', '/xapi2/setup', {
        body: { token, email: 'owner@example.com', password: 'long enough pw', name: 'Owner', workspace: 'acme' },
      });
      assert.equal(setup.status, 201, JSON.stringify(setup.body));
      assert.match(setup.body.access_token, /^ses_/);
      assert.equal(setup.body.user.role, 'owner');
      assert.equal(setup.body.user.email, 'owner@example.com');
      assert.equal(setup.body.user.workspace.slug, 'acme');
      const me = await client(fresh, setup.body.access_token).get('/xapi2/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.role, 'owner');
      assert.equal((await request(fresh, 'POST', '/xapi2/auth/login', { body: { email: 'owner@example.com', password: 'long enough pw' } })).status, 200);

      const again = await request(fresh, 'POST', '/xapi2/setup', { body: { token, email: 'second@example.com', password: 'long enough pw' } });
      assertError(again, 403, 'forbidden');
      assert.deepEqual((await request(fresh, 'GET', '/xapi2/setup')).body, { needs_setup: false });
      assert.equal(await issueSetupToken(fresh.store), undefined, 'no new link once a user exists');
      assert.equal(await fresh.store.countUsers(), 1);
      assert.equal(await count(fresh, "SELECT count(*) AS n FROM settings WHERE key LIKE 'setup%'"), 0, 'the used link is forgotten');
    } finally {
      await fresh.close();
    }
  });

  test('a link issued before an account was made another way (prodboard user create) is dead', async () => {
    const fresh = await startServer();
    try {
      const token = await issueSetupToken(fresh.store);
      assert.ok(token);
      await signUp(fresh);
      const late = await request(fresh, 'POST', '/xapi2/setup', { body: { token, email: 'late@example.com', password: 'long enough pw' } });
      assertError(late, 403, 'forbidden');
      assert.equal(await fresh.store.countUsers(), 1);
    } finally {
      await fresh.close();
    }
  });

  test('two uses of the setup link at the same moment create one owner, not two', async () => {
    const fresh = await startServer();
    try {
      const token = await issueSetupToken(fresh.store);
      const results = await Promise.all(
        ['first@example.com', 'second@example.com'].map((email) =>
          request(fresh, 'POST', '/xapi2/setup', { body: { token, email, password: 'long enough pw', workspace: 'acme' } }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.equal(await fresh.store.countUsers(), 1, `the one-time link made ${await fresh.store.countUsers()} accounts (statuses ${statuses.join(',')})`);
      assert.deepEqual(statuses, [201, 403]);
    } finally {
      await fresh.close();
    }
  });
});

describe('workspace isolation', () => {
  test("another workspace's ids are a 404 on get, patch, delete, restore and as a card's board_id, never revealing existence", async () => {
    const a = await signUp(server);
    const b = await signUp(server);
    const board = (await a.api.post('/xapi2/data/board', { body: { name: 'Secret board' } })).body;
    const card = (await a.api.post('/xapi2/data/card', { body: { title: 'Secret card', board_id: board.id } })).body;
    const trashed = (await a.api.post('/xapi2/data/card', { body: { title: 'Trashed secret' } })).body;
    assert.equal((await a.api.delete(`/xapi2/data/card/${trashed.id}`)).status, 200);
    const bBoard = (await b.api.post('/xapi2/data/board', { body: { name: 'B board' } })).body;
    const bCard = (await b.api.post('/xapi2/data/card', { body: { title: 'B card', board_id: bBoard.id } })).body;
    const bPat = await makeToken(server, b);

    // Each call against A's object must look exactly like the same call against an id that never existed.
    const ghost = randomUUID();
    const same = async (label: string, call: (id: string) => Promise<ApiResponse>, id: string) => {
      const real = await call(id);
      const never = await call(ghost);
      assertError(real, 404, 'not_found');
      assertError(never, 404, 'not_found');
      assert.deepEqual(JSON.parse(JSON.stringify(real.body).split(id).join('<id>')), JSON.parse(JSON.stringify(never.body).split(ghost).join('<id>')), label);
      assert.equal(JSON.stringify(real.body).includes('Secret'), false);
    };
    for (const api of [b.api, bPat.api]) {
      for (const [type, obj] of [['board', board], ['card', card]] as const) {
        await same(`get ${type}`, (id) => api.get(`/xapi2/data/${type}/${id}`), obj.id);
        await same(`patch ${type}`, (id) => api.patch(`/xapi2/data/${type}/${id}`, { body: type === 'board' ? { name: 'Mine now' } : { title: 'Mine now' } }), obj.id);
        await same(`delete ${type}`, (id) => api.delete(`/xapi2/data/${type}/${id}`), obj.id);
        await same(`restore live ${type}`, (id) => api.post(`/xapi2/trash/${type}/${id}/restore`), obj.id);
      }
      await same('restore trashed card', (id) => api.post(`/xapi2/trash/card/${id}/restore`), trashed.id);
      await same('card create with board_id', (id) => api.post('/xapi2/data/card', { body: { title: 'Sneaky', board_id: id } }), board.id);
      await same('card move to board_id', (id) => api.patch(`/xapi2/data/card/${bCard.id}`, { body: { board_id: id } }), board.id);
    }
    const boardRef = await b.api.post('/xapi2/data/card', { body: { title: 'Sneaky', board_id: board.id } });
    assert.equal(boardRef.body.errors[0].field, 'board_id');

    // Lists and trash do not show it either, and nothing of A's changed.
    assert.equal((await b.api.get('/xapi2/data/card', { query: { data__board_id: board.id } })).body.data.length, 0);
    assert.equal((await b.api.get('/xapi2/trash')).body.data.some((o: { id: string }) => o.id === trashed.id), false);
    for (const [type, obj] of [['board', board], ['card', card]] as const) {
      const now = await a.api.get(`/xapi2/data/${type}/${obj.id}`);
      assert.equal(now.status, 200);
      assert.deepEqual(now.body, obj);
    }
    assert.ok((await a.api.get('/xapi2/trash')).body.data.some((o: { id: string }) => o.id === trashed.id), 'still in A\'s trash');
    const bCardNow = (await b.api.get(`/xapi2/data/card/${bCard.id}`)).body;
    assert.equal(bCardNow.version, 1);
    assert.equal(bCardNow.data.board_id, bBoard.id);
    assert.deepEqual(
      (await b.api.get('/xapi2/data/card')).body.data.map((c: { id: string }) => c.id),
      [bCard.id],
      'no card was created in B',
    );
  });
});
