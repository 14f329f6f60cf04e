/**
 * The prodboard command, run as a real process from the built package: serve (setup link, graceful
 * stop), migrate, user create, user password, token create, and usage errors.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { verifyPassword } from '../src/auth/passwords.js';
import { hashToken } from '../src/auth/tokens.js';
import { sessionCreator } from '../src/commands/session-creator.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { request } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/prodboard.js', import.meta.url));
let dir: string;
let db: string;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PRODBOARD_DB: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'prodboard-cli-'));
  db = join(dir, 'cli.db');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--help works for the program and every command', () => {
  const top = run('--help');
  assert.equal(top.code, 0);
  for (const command of ['serve', 'migrate', 'user create', 'user password', 'token create', 'backup', 'restore']) assert.ok(top.stdout.includes(command));
  for (const command of [['serve'], ['migrate'], ['user', 'create'], ['user', 'password'], ['token', 'create']]) {
    const res = run(...command, '--help');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /--db FILE/);
  }
});

test('usage errors exit 2 with a message', () => {
  const unknown = run('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const badOption = run('migrate', '--nope');
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /--nope/);
  const missing = run('user', 'create', '--db', db);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--email and --password are required/);
});

test('migrate, user create and token create; the token works against the served database', async () => {
  const migrate = run('migrate', '--db', db);
  assert.equal(migrate.code, 0, migrate.stderr);
  assert.match(migrate.stdout, /applied migrations 1/);
  assert.match(run('migrate', '--db', db).stdout, /up to date/);

  const user = run('user', 'create', '--email', 'ada@example.com', '--password', 'analytical engine', '--role', 'owner', '--workspace', 'lovelace', '--db', db);
  assert.equal(user.code, 0, user.stderr);
  assert.match(user.stdout, /created owner ada@example.com .* in workspace lovelace/);
  const again = run('user', 'create', '--email', 'ada@example.com', '--password', 'analytical engine', '--db', db);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);

  const token = run('token', 'create', '--email', 'ada@example.com', '--name', 'CLI test', '--scopes', 'board:read,card:write', '--expires', '30d', '--db', db);
  assert.equal(token.code, 0, token.stderr);
  const lines = token.stdout.trim().split('\n');
  const pat = lines[lines.length - 1];
  assert.match(pat, /^pat_[A-Za-z0-9_-]{40,}$/, 'the token is alone on the last line');
  assert.equal(run('token', 'create', '--email', 'ada@example.com', '--name', 'x', '--scopes', 'board:admin', '--db', db).code, 1);

  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--public-url', 'https://board.example.com/', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 10_000);
    server.stdout.on('data', () => {
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  assert.doesNotMatch(out, /setup#token=/, 'no setup link once an account exists');
  const me = await request({ url }, 'GET', '/xapi2/auth/me', { token: pat });
  assert.equal(me.status, 200);
  assert.equal(me.body.email, 'ada@example.com');
  assert.equal(me.body.workspace.slug, 'lovelace');
  assert.deepEqual(me.body.scopes, { board: 'read', card: 'write' });
  const session = (await request({ url }, 'POST', '/xapi2/auth/login', { body: { email: 'ada@example.com', password: 'analytical engine' } })).body.access_token;
  const invite = await request({ url }, 'POST', '/xapi2/invitations', { token: session, body: { role: 'member' } });
  assert.equal(invite.body.url, `https://board.example.com/invite#token=${invite.body.token}`, 'invite links use --public-url');

  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /stopped/);
});

test('user password prints a one-time reset link from --public-url, or with --password sets the password; sessions end either way', async () => {
  const pwDb = join(dir, 'password.db');
  assert.equal(run('user', 'create', '--email', 'grace@example.com', '--password', 'first password', '--role', 'owner', '--workspace', 'navy', '--db', pwDb).code, 0);
  const store = openSqliteStore(pwDb);
  try {
    const user = (await store.getUserByEmail('grace@example.com'))!;
    await sessionCreator(store, user.id, (await store.listMemberships(user.id))[0].workspace_id, 3_600_000);

    const link = run('user', 'password', '--email', 'Grace@Example.com', '--public-url', 'https://board.example.com', '--db', pwDb);
    assert.equal(link.code, 0, link.stderr);
    const url = link.stdout.trim().split('\n').at(-1)!;
    assert.match(url, /^https:\/\/board\.example\.com\/reset-password#token=pwr_[A-Za-z0-9_-]{40,}$/, 'the link is alone on the last line');
    const token = url.split('#token=')[1];
    const reset = (await store.getPasswordResetByHash(hashToken(token)))!;
    assert.equal(reset.user_id, user.id);
    assert.equal(reset.used_at, null);
    assert.ok(Date.parse(reset.expires_at) > Date.now() + 23 * 3_600_000);

    const set = run('user', 'password', '--email', 'grace@example.com', '--password', 'second password', '--db', pwDb);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /password set for grace@example.com; every session of the account was signed out/);
    assert.ok(await verifyPassword('second password', (await store.getUserByEmail('grace@example.com'))!.password_hash));
    assert.equal((await store.getPasswordResetByHash(hashToken(token)))!.used_at !== null, true, 'the link issued before is void');
    const sessions = await store.connection.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(user.id) as { n: number };
    assert.equal(sessions.n, 0);

    const unknown = run('user', 'password', '--email', 'nobody@example.com', '--db', pwDb);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no account with email nobody@example.com/);
    const short = run('user', 'password', '--email', 'grace@example.com', '--password', 'short', '--db', pwDb);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /password must be 8 to 1024 characters/);
    assert.ok(await verifyPassword('second password', (await store.getUserByEmail('grace@example.com'))!.password_hash), 'a refused password changed nothing');
    assert.equal(run('user', 'password', '--db', pwDb).code, 2);
  } finally {
    await store.close();
  }
});

test('serve on an empty database prints a one-time setup link that creates the owner', async () => {
  const emptyDb = join(dir, 'empty.db');
  const server = spawn(process.execPath, [BIN, '--port', '0', '--db', emptyDb], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  const link = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no setup link: ${out}`)), 10_000);
    server.stdout.on('data', () => {
      // serve logs JSON lines; the link is the setup_url field of one.
      const line = out.split('\n').find((l) => l.includes('"setup_url"'));
      if (line) {
        clearTimeout(timer);
        resolve(new URL(JSON.parse(line).setup_url));
      }
    });
  });
  const token = link.hash.replace('#token=', '');
  const setup = await request({ url: link.origin }, 'POST', '/xapi2/setup', { body: { token, email: 'first@example.com', password: 'first password' } });
  assert.equal(setup.status, 201, JSON.stringify(setup.body));
  assert.equal(setup.body.user.role, 'owner');
  const reuse = await request({ url: link.origin }, 'POST', '/xapi2/setup', { body: { token, email: 'second@example.com', password: 'second password' } });
  assert.equal(reuse.status, 403);
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  server.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('bad --public-url, PRODBOARD_PUBLIC_URL or PRODBOARD_TRUSTED_PROXIES values stop serve with exit 2 and the fix', () => {
  const serve = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--db', join(dir, 'never.db'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const flag = serve(['--public-url', 'board.example.com']);
  assert.equal(flag.status, 2, flag.stderr);
  assert.match(flag.stdout, /--public-url must be the http\(s\) address .* such as https:\/\/board\.example\.com/);
  const env = serve([], { PRODBOARD_PUBLIC_URL: 'https://user:secret@board.example.com' });
  assert.equal(env.status, 2, env.stderr);
  assert.match(env.stdout, /PRODBOARD_PUBLIC_URL must be/);
  assert.doesNotMatch(env.stdout + env.stderr, /secret/, 'credentials in the value are not echoed');
  const proxies = serve([], { PRODBOARD_TRUSTED_PROXIES: 'true' });
  assert.equal(proxies.status, 2, proxies.stderr);
  assert.match(proxies.stdout, /PRODBOARD_TRUSTED_PROXIES must be a comma-separated list/);
});
