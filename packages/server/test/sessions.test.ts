/**
 * Session chains through HTTP, on an injected clock: an old session is replaced by exactly one
 * successor however often (or however concurrently) it is used, the old token dies once the
 * successor is used (after a short grace that creates nothing), and logout ends every token of the
 * chain at once: through the credential cache, and on a second instance sharing PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { generateToken, hashToken } from '../src/auth/tokens.js';
import { ROTATION_GRACE_MS } from '../src/http/authenticate.js';
import { PG_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/postgres-store.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { TEST_DATABASE_URL, TEST_STORE, request, signUp, startServer, type TestServer } from './helpers.js';

/** Shorter than the grace period, so a chain can hold three live tokens at once. */
const REFRESH_MS = 20_000;
/** The servers' clock: tests move it forward, never back. */
let clock = Date.now();
let server: TestServer;

before(async () => {
  server = await startServer({ now: () => clock, sessionRefreshMs: REFRESH_MS });
});
after(() => server.close());

/** Moves the clock `ms` past now (logins are stamped with the real time). */
const advance = (ms: number) => {
  clock = Math.max(clock, Date.now()) + ms;
};
const me = (token: string, on: { url: string } = server) => request(on, 'GET', '/xapi2/auth/me', { token });
const logout = (token: string, on: { url: string } = server) => request(on, 'POST', '/xapi2/auth/logout', { token });
/** The user's sessions still valid at the servers' clock. */
async function liveSessions(userId: string): Promise<Array<{ id: string; token_hash: string }>> {
  const rows = await server.query<{ id: string; token_hash: string; expires_at: string }>('SELECT * FROM sessions WHERE user_id = ?', userId);
  return rows.filter((r) => Date.parse(r.expires_at) > clock);
}
const countSessions = async (userId: string) => (await server.query('SELECT id FROM sessions WHERE user_id = ?', userId)).length;

/** Uses `token` once it is old enough to be renewed; returns the successor's token. */
async function renew(token: string, on: { url: string } = server): Promise<string> {
  const res = await me(token, on);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const successor = res.headers.get('x-auth-refresh-token');
  assert.ok(successor, 'an old session is renewed');
  return successor;
}

describe('session chains', () => {
  test('an old token used 20 times has one successor, handed out each time; nothing else is created', async () => {
    const u = await signUp(server);
    advance(REFRESH_MS + 1000);
    const handedOut = new Set<string>();
    for (let i = 0; i < 20; i++) handedOut.add(await renew(u.session));
    assert.equal(handedOut.size, 1, 'every use of the old token hands out the same successor');
    assert.equal(await countSessions(u.user.id), 2, 'the login session and its one successor');
    const [successor] = handedOut;
    const withSuccessor = await me(successor);
    assert.equal(withSuccessor.status, 200);
    assert.equal(withSuccessor.headers.get('x-auth-refresh-token'), null, 'a new session is not renewed again');
  });

  test('the old token dies once the successor is used, after a grace period that creates nothing', async () => {
    const u = await signUp(server);
    advance(REFRESH_MS + 1000);
    const successor = await renew(u.session);
    // Until the successor is used, the old token goes on (a client may have lost the renewal).
    advance(5000);
    assert.equal(await renew(u.session), successor);
    assert.equal((await me(successor)).status, 200);

    // Requests already in flight with the old token still work for a moment, and get the same successor.
    advance(ROTATION_GRACE_MS - 1000);
    assert.equal(await renew(u.session), successor);
    assert.equal(await countSessions(u.user.id), 2);

    advance(2000);
    const late = await me(u.session);
    assert.equal(late.status, 401);
    assert.equal(late.body.code, 'token_expired');
    assert.equal((await me(successor)).status, 200);
  });

  test('logout ends every token of the chain at once, whichever token logs out, through the credential cache', async () => {
    assert.ok(2 * (REFRESH_MS + 1000) < ROTATION_GRACE_MS);
    for (const which of ['oldest', 'newest'] as const) {
      const u = await signUp(server);
      const other = (await request(server, 'POST', '/xapi2/auth/login', { body: { email: u.email, password: u.password } })).body.access_token as string;
      // A chain of three live tokens: login → first (used: login is in its grace) → second (used: first is in its grace).
      advance(REFRESH_MS + 1000);
      const first = await renew(u.session);
      assert.equal((await me(first)).status, 200);
      advance(REFRESH_MS + 1000);
      const second = await renew(first);
      const chain = [u.session, first, second];
      // Each is used (and so cached) twice.
      for (const token of [...chain, other]) for (let i = 0; i < 2; i++) assert.equal((await me(token)).status, 200, which);

      const out = await logout(which === 'oldest' ? chain[0] : chain[chain.length - 1]);
      assert.equal(out.status, 200, JSON.stringify(out.body));
      for (const token of chain) assert.equal((await me(token)).status, 401, `${which}: every token of the chain is signed out`);
      assert.equal((await me(other)).status, 200, 'another login of the same user is untouched');
    }
  });

  test('a burst of requests with the old token at the renewal moment makes one successor', async () => {
    const u = await signUp(server);
    advance(REFRESH_MS + 1000);
    const burst = await Promise.all(Array.from({ length: 20 }, () => me(u.session)));
    assert.deepEqual(burst.map((r) => r.status), burst.map(() => 200));
    const handedOut = new Set(burst.map((r) => r.headers.get('x-auth-refresh-token')));
    assert.equal(handedOut.size, 1, `one successor, not ${handedOut.size}`);
    assert.ok(!handedOut.has(null));
    assert.equal(await countSessions(u.user.id), 2);
  });

  test('renewals racing a logout: whatever they handed out is dead once the logout answered', async () => {
    const v = await signUp(server);
    advance(REFRESH_MS + 1000);
    const racing = Promise.all(Array.from({ length: 10 }, () => me(v.session)));
    const out = await logout(v.session);
    assert.equal(out.status, 200);
    const raced = await racing;
    const tokens = [v.session, ...raced.map((r) => r.headers.get('x-auth-refresh-token')).filter((t): t is string => !!t)];
    for (const token of tokens) assert.equal((await me(token)).status, 401);
    assert.deepEqual(await liveSessions(v.user.id), []);
  });

  test('a chain is ended on a second instance sharing the database at once', { skip: TEST_STORE !== 'postgres' && 'PostgreSQL only' }, async () => {
    const [{ schema }] = await server.query<{ schema: string }>('SELECT current_schema() AS schema');
    const storeB: PostgresStore = openPostgresStore(TEST_DATABASE_URL, { schema, max: 3 });
    const appB: FastifyInstance = await buildApp({ store: storeB, config: server.config });
    const b = { url: await appB.listen({ host: '127.0.0.1', port: 0 }) };
    try {
      const u = await signUp(server);
      advance(REFRESH_MS + 1000);
      const successor = await renew(u.session, b);
      assert.equal((await me(successor, b)).status, 200);
      const chain = [u.session, successor];
      for (const token of chain) for (let i = 0; i < 2; i++) assert.equal((await me(token, b)).status, 200, 'used (and cached) on b');

      assert.equal((await logout(successor)).status, 200);
      for (const token of chain) {
        // b hears of the change through NOTIFY, well before its cache entries could expire (10 s).
        let status = 0;
        for (let attempt = 0; attempt < 100 && status !== 401; attempt++) {
          status = (await me(token, b)).status;
          if (status !== 401) await new Promise((r) => setTimeout(r, 20));
        }
        assert.equal(status, 401, 'b refuses every token of the chain');
      }
    } finally {
      await appB.close();
      await storeB.close();
    }
  });

  const signOuts = {
    logout: (u: Awaited<ReturnType<typeof signUp>>) => logout(u.session),
    'password change': (u: Awaited<ReturnType<typeof signUp>>) =>
      request(server, 'POST', '/xapi2/auth/password', { token: u.session, body: { current_password: u.password, new_password: 'another long passphrase' } }),
  };
  for (const [name, signOut] of Object.entries(signOuts)) {
    test(`a ${name} that waits on a renewal still ends the successor that renewal makes`, { skip: TEST_STORE !== 'postgres' && 'PostgreSQL only (SQLite runs one transaction at a time)' }, async () => {
      const u = await signUp(server);
      advance(REFRESH_MS + 1000);
      const first = await renew(u.session);
      assert.equal((await me(first)).status, 200);
      advance(REFRESH_MS + 1000); // `first` is due for renewal; the login token is in its grace period
      const [{ family_id: family }] = await server.query<{ family_id: string }>('SELECT family_id FROM sessions WHERE token_hash = ?', hashToken(u.session));

      // Hold the renewal between claiming its parent and inserting the successor: its insert waits for
      // an advisory lock this test holds (a trigger on this chain's inserts only).
      const key = 1 + Math.floor(Math.random() * 2 ** 30);
      await server.query(`CREATE FUNCTION hold_session_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.family_id = '${family}' THEN PERFORM pg_advisory_xact_lock_shared(${key}); END IF; RETURN NEW; END $$`);
      await server.query('CREATE TRIGGER hold_session_insert BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION hold_session_insert()');
      const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await holder.connect();
      const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
        for (let attempt = 0; attempt < 400; attempt++) {
          const value = await probe();
          if (value !== undefined) return value;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [key]);
        const renewing = me(first);
        const renewer = await until('the renewal to wait in its insert', async () =>
          (await holder.query<{ pid: number }>("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted", [key])).rows[0]?.pid);
        const signingOut = signOut(u);
        await until(`the ${name} to wait for the renewal`, async () =>
          (await holder.query('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [renewer])).rows[0]);
        await holder.query('SELECT pg_advisory_unlock($1)', [key]);

        const renewed = await renewing;
        assert.equal(renewed.status, 200);
        const second = renewed.headers.get('x-auth-refresh-token');
        assert.ok(second, 'the renewal went through first');
        const out = await signingOut;
        assert.equal(out.status, 200, JSON.stringify(out.body));
        for (const token of [u.session, first, second]) assert.equal((await me(token)).status, 401, `the ${name} ended the successor made while it waited`);
      } finally {
        await holder.end();
        await server.query('DROP TRIGGER hold_session_insert ON sessions');
        await server.query('DROP FUNCTION hold_session_insert()');
      }
    });
  }

  test('a session made before chains existed becomes a chain of its own when the database is migrated', async () => {
    // A database at schema version 2 (before session chains) with a signed-in user.
    const versionTwo = (TEST_STORE === 'postgres' ? PG_MIGRATIONS : MIGRATIONS).filter((m) => m.version <= 2);
    const at = new Date(Math.max(clock, Date.now())).toISOString();
    const token = generateToken('session');
    const rows = [
      ['INSERT INTO workspaces (id, slug, name, created_at) VALUES (?, ?, ?, ?)', 'w1', 'legacy', 'Legacy', at],
      ['INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', 'u1', 'legacy@example.com', 'Legacy', 'x', at, at],
      ['INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)', 'w1', 'u1', 'owner', at],
      ['INSERT INTO sessions (id, token_hash, user_id, workspace_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
        's1', hashToken(token), 'u1', 'w1', at, new Date(Date.parse(at) + 86_400_000).toISOString()],
    ] as const;
    const dir = mkdtempSync(join(tmpdir(), 'prodboard-legacy-'));
    const schema = `pb_legacy_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    let store: ReturnType<typeof openSqliteStore> | PostgresStore;
    if (TEST_STORE === 'postgres') {
      const raw = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await raw.connect();
      await raw.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      await raw.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const m of versionTwo) {
        await raw.query(m.sql);
        await raw.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, at]);
      }
      for (const [sql, ...params] of rows) {
        let n = 0;
        await raw.query(sql.replace(/\?/g, () => `$${++n}`), params as unknown as string[]);
      }
      await raw.end();
      store = openPostgresStore(TEST_DATABASE_URL, { schema, max: 3 });
    } else {
      const file = join(dir, 'legacy.db');
      const db = new Database(file);
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const m of versionTwo) {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, at);
      }
      for (const [sql, ...params] of rows) db.prepare(sql).run(...params);
      db.close();
      store = openSqliteStore(file);
    }
    const app = await buildApp({ store, config: { ...server.config, dbPath: join(dir, 'legacy.db') } });
    const legacy = { url: await app.listen({ host: '127.0.0.1', port: 0 }) };
    try {
      assert.ok((await store.migrate()).includes(3));
      advance(REFRESH_MS + 1000);
      const successor = await renew(token, legacy);
      assert.equal(await renew(token, legacy), successor, 'the migrated session has one successor too');
      assert.equal((await me(successor, legacy)).status, 200);
      assert.equal((await logout(successor, legacy)).status, 200);
      for (const t of [token, successor]) assert.equal((await me(t, legacy)).status, 401, 'logout ends the migrated chain');
    } finally {
      await app.close();
      if (TEST_STORE === 'postgres') await (store as PostgresStore).dropSchema();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
