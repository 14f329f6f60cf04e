/**
 * Test helpers: a real prodboard server on a random port over a fresh SQLite file, an HTTP client
 * that speaks the API, and small factories for users and tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { configFromEnv, type ServerConfig } from '../src/config.js';
import { accessTokenCreator } from '../src/commands/access-token-creator.js';
import { userCreator } from '../src/commands/user-creator.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { openPostgresStore, type PostgresStore } from '../src/store/postgres/postgres-store.js';
import pg from 'pg';
import { parseScopes } from '@prodboard/shared';
import { checkTransactionContext } from '../src/store/transaction-guard.js';

// Every test runs with the transaction-context checks on (off by default in a server, for speed: see
// store/transaction-guard.ts), in this process and in the servers tests start as child processes.
process.env.PRODBOARD_STRICT_TRANSACTIONS ??= '1';
checkTransactionContext(process.env.PRODBOARD_STRICT_TRANSACTIONS === '1');

/** Which store the suite runs on: `PRODBOARD_TEST_STORE=postgres` switches every server to PostgreSQL. */
export const TEST_STORE = process.env.PRODBOARD_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
/** The PostgreSQL database tests use (each server gets a schema of its own in it). */
export const TEST_DATABASE_URL = process.env.PRODBOARD_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** A running test server. */
export interface TestServer {
  url: string;
  app: FastifyInstance;
  store: SqliteStore | PostgresStore;
  config: ServerConfig;
  dir: string;
  /** Reads the database directly (SQL with `?` placeholders, run on whichever store the suite uses). */
  query<T = Record<string, any>>(sql: string, ...params: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A fresh store for a test: a new SQLite file, or a new schema in the PostgreSQL test database. */
export async function openTestStore(dir: string): Promise<{ store: SqliteStore | PostgresStore; config: Partial<ServerConfig>; query: TestServer['query']; drop(): Promise<void> }> {
  if (TEST_STORE === 'postgres') {
    const schema = `pb_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const store = openPostgresStore(TEST_DATABASE_URL, { schema, max: 5 });
    await store.migrate();
    const raw = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
    return {
      store,
      config: { databaseUrl: TEST_DATABASE_URL },
      query: async (sql, ...params) => {
        let n = 0;
        return (await raw.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
      },
      async drop() {
        await raw.end();
        await store.dropSchema();
      },
    };
  }
  const dbPath = join(dir, 'test.db');
  const store = openSqliteStore(dbPath);
  await store.migrate();
  return {
    store,
    config: { dbPath },
    query: async (sql, ...params) => store.connection.prepare(sql).all(...params) as never[],
    async drop() {},
  };
}

/** Starts a server on a fresh database; `overrides` tune the configuration. */
export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'prodboard-test-'));
  const { store, config: storeConfig, query, drop } = await openTestStore(dir);
  const config: ServerConfig = { ...configFromEnv({}), ...storeConfig, port: 0, ...overrides };
  const app = await buildApp({ store, config });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    app,
    store,
    config,
    dir,
    query,
    async close() {
      await app.close();
      await drop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A response, with the body parsed when it is JSON. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Options of one request. */
export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** A raw body sent as is (for broken JSON and odd content types). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
}

/** Sends one request to the server. */
export async function request<T = any>(server: { url: string }, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const url = new URL(path, server.url);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
  }
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** A client bound to a server and a token. */
export function client(server: { url: string }, token?: string) {
  const call = (method: string) => (path: string, options: RequestOptions = {}) => request(server, method, path, { token, ...options });
  return { get: call('GET'), post: call('POST'), patch: call('PATCH'), delete: call('DELETE'), token };
}

let counter = 0;

/** Creates a user (an owner in a workspace of its own unless told otherwise) and signs in. */
export async function signUp(server: TestServer, options: { email?: string; password?: string; role?: string; workspace?: string } = {}) {
  counter += 1;
  const email = options.email ?? `user${counter}-${Date.now()}@example.com`;
  const password = options.password ?? 'correct horse battery';
  const workspace = options.workspace ?? `ws${counter}-${Date.now()}`;
  const created = await userCreator(server.store, { email, password, role: options.role ?? 'owner', workspace });
  const login = await request(server, 'POST', '/xapi2/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { ...created, email, password, session: login.body.access_token as string, api: client(server, login.body.access_token) };
}

/** Creates a personal access token for a user with `board:read,card:write`-style scopes. */
export async function makeToken(server: TestServer, user: { user: { id: string }; workspace: { id: string } }, scopes?: string, expiresAt: string | null = null) {
  const { token, row } = await accessTokenCreator(server.store, {
    userId: user.user.id, workspaceId: user.workspace.id, name: 'test token', scopes: parseScopes(scopes), expiresAt,
  });
  return { token, row, api: client(server, token) };
}

/**
 * A fingerprint of everything stored, for "a refused request changes nothing": every table's row
 * count (tables listed from the database itself, so a new table is covered), the latest activity
 * seq, each object's version and flags, the revocations and expiries of tokens, sessions and
 * invitations, memberships' roles, users' names and emails, and password reset links' use. Left out on purpose: `login_failures` (a refused login is
 * meant to count against the rate limit) and tokens' `last_used_at` (any authenticated use touches it).
 */
export async function databaseSnapshot(server: Pick<TestServer, 'query'>): Promise<Record<string, unknown>> {
  let tables = snapshotTables.get(server);
  if (!tables) {
    tables = (
      TEST_STORE === 'postgres'
        ? await server.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
        : await server.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'")
    )
      .map((t) => t.name)
      .filter((name) => name !== 'login_failures')
      .sort();
    snapshotTables.set(server, tables);
  }
  const rows = async (sql: string) => JSON.stringify((await server.query(sql)).map((r) => Object.values(r).map((v) => (v === null ? null : String(v)))));
  const [counts, objects, tokens, sessions, invitations, memberships, users, passwordResets] = await Promise.all([
    rows(`${tables.map((name) => `SELECT '${name}' AS t, COUNT(*) AS n FROM ${name}`).join(' UNION ALL ')} UNION ALL SELECT 'activity.seq', MAX(seq) FROM activity`),
    rows('SELECT id, version, is_deleted, is_archived, updated_at FROM objects ORDER BY id'),
    rows('SELECT id, revoked_at, expires_at, scopes FROM access_tokens ORDER BY id'),
    rows('SELECT id, expires_at FROM sessions ORDER BY id'),
    rows('SELECT id, accepted_at, revoked_at FROM invitations ORDER BY id'),
    rows('SELECT workspace_id, user_id, role FROM memberships ORDER BY workspace_id, user_id'),
    rows('SELECT id, password_hash, name, email FROM users ORDER BY id'),
    rows('SELECT id, used_at, expires_at FROM password_resets ORDER BY id'),
  ]);
  return { counts, objects, tokens, sessions, invitations, memberships, users, passwordResets };
}
const snapshotTables = new WeakMap<object, string[]>();

/**
 * Every `METHOD /path` the app answers (HEAD left out), read from Fastify's own route tree
 * (`printRoutes`), so a test that must cover every endpoint notices a new one.
 */
export function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = Math.floor(line.indexOf('── ') / 4);
    const parent = depth === 0 ? '' : stack[depth - 1];
    const path = parent.endsWith('/') && m[1].startsWith('/') ? parent + m[1].slice(1) : parent === '' || parent.endsWith('/') || m[1].startsWith('/') ? parent + m[1] : `${parent}/${m[1]}`;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of m[2].split(', ')) if (method !== 'HEAD') routes.push(`${method} ${path}`);
  }
  return routes;
}
