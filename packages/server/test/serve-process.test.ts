/**
 * `prodboard serve` as a real process: one JSON log format (refusals with their reason and request
 * id, never a credential), clear start-up failures (port in use, a second server on one SQLite
 * file, a stale lock after kill -9), and stopping through `npx prodboard serve`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { TEST_DATABASE_URL, TEST_STORE, request } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/prodboard.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Bounded waits: a process that never says what we wait for fails the test instead of hanging it. */
const WAIT_MS = 20_000;
/** Tests about the process alone run on SQLite, once: the PostgreSQL pass would only repeat them. */
const SQLITE_PASS_ONLY = { skip: TEST_STORE === 'postgres' ? 'about the process, not the store: runs in the SQLite pass' : false };

/** The environment of a child: none of the test runner's own npm variables, no database from the shell. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('npm_') && key !== 'DATABASE_URL' && key !== 'PRODBOARD_DB') env[key] = value;
  return { ...env, ...extra };
}

/** Every process this file started, so a failing test leaves none running. */
const started: Proc[] = [];

/** A spawned process whose stdout and stderr lines are collected as they come. */
class Proc {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stdout and stderr are closed by every process holding them (children included). */
  readonly closed: Promise<void>;
  private waiters: Array<() => void> = [];

  constructor(readonly child: ChildProcess) {
    started.push(this);
    const collect = (into: string[]) => {
      let buffer = '';
      return (chunk: string) => {
        buffer += chunk;
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        for (const line of parts) if (line !== '') into.push(line);
        for (const wake of this.waiters.splice(0)) wake();
      };
    };
    child.stdout!.setEncoding('utf8').on('data', collect(this.lines));
    child.stderr!.setEncoding('utf8').on('data', collect(this.stderr));
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const ended = (stream: NodeJS.ReadableStream) => new Promise<void>((resolve) => stream.on('close', () => resolve()));
    this.closed = Promise.all([ended(child.stdout!), ended(child.stderr!)]).then(() => undefined);
  }

  /** The pids this process and the servers it logged for (npx runs the server as a grandchild). */
  pids(): number[] {
    const logged = this.lines.flatMap((line) => {
      try {
        return [Number((JSON.parse(line) as { pid?: unknown }).pid)].filter(Number.isInteger);
      } catch {
        return [];
      }
    });
    return [...new Set([this.child.pid!, ...logged])];
  }

  /** Every stdout and stderr line, parsed (throws on the first line that is not JSON). */
  json(): Array<Record<string, any>> {
    return [...this.lines, ...this.stderr].map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
  }

  /** Waits for a JSON line matching `match` (events, not sleeps), bounded by WAIT_MS. */
  async waitFor(match: (line: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      for (const line of this.lines) {
        try {
          const parsed = JSON.parse(line) as Record<string, any>;
          if (match(parsed)) return parsed;
        } catch {
          // not JSON: the format assertion reports it
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; output:\n${[...this.lines, ...this.stderr].join('\n')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The URL once the server says it is running. */
  async url(): Promise<string> {
    return (await this.waitFor((line) => typeof line.url === 'string' && /running at/.test(line.msg), 'the server to start')).url as string;
  }
}

function serve(args: string[], env: Record<string, string> = {}): Proc {
  return new Proc(spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(env) }));
}

/** Resolves with `promise`, or rejects after WAIT_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), WAIT_MS)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the process still runs (a zombie left for a reaper that never comes does not count). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

let dir: string;
/** The database options every command of this file gets (a schema of its own on PostgreSQL). */
let dbArgs: string[];
let schema: string | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prodboard-serve-'));
  if (TEST_STORE === 'postgres') {
    schema = `pb_serve_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    dbArgs = ['--database-url', url.toString()];
  } else {
    dbArgs = ['--db', join(dir, 'serve.db')];
  }
});

after(async () => {
  for (const proc of started) for (const pid of proc.pids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  if (schema) {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  }
});

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args, ...dbArgs], { encoding: 'utf8', env: childEnv() });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test('every line serve writes is JSON; refusals are logged at info with their reason and request id, never a credential', async () => {
  cli('user', 'create', '--email', 'ops@example.com', '--password', 'operations password', '--role', 'owner', '--workspace', 'ops');
  const pat = cli('token', 'create', '--email', 'ops@example.com', '--name', 'ops test').trim().split('\n').pop()!;
  const server = serve(['--port', '0', ...dbArgs], { PRODBOARD_LOGIN_MAX_FAILURES: '1' });
  const url = await server.url();

  assert.equal((await request({ url }, 'GET', '/xapi2/auth/me', { token: pat })).status, 200);
  assert.equal((await request({ url }, 'GET', '/xapi2/data/card')).status, 401);
  const forged = `pat_${'f'.repeat(43)}`;
  assert.equal((await request({ url }, 'GET', '/xapi2/data/card', { token: forged })).status, 401);
  assert.equal((await request({ url }, 'GET', `/xapi2/events?access_token=${forged}`)).status, 401);
  assert.equal((await request({ url }, 'GET', '/xapi2/tokens', { token: pat })).status, 403, 'a PAT cannot manage tokens');
  const wrong = { email: 'ops@example.com', password: 'not the password at all' };
  assert.equal((await request({ url }, 'POST', '/xapi2/auth/login', { body: wrong })).status, 401);
  assert.equal((await request({ url }, 'POST', '/xapi2/auth/login', { body: wrong })).status, 429);

  // The last refusal is on its way out before the stop.
  await server.waitFor((line) => line.msg === 'request refused' && line.status === 429, 'the 429 to be logged');
  server.child.kill('SIGTERM');
  assert.equal((await within(server.exited, 'serve to exit')).code, 0);
  await within(server.closed, 'serve output to close');

  const lines = server.json();
  assert.ok(lines.some((line) => line.msg === 'stopped'), 'the shutdown is logged as JSON too');
  const refusals = lines.filter((line) => line.msg === 'request refused');
  assert.deepEqual(refusals.map((line) => line.status), [401, 401, 401, 403, 401, 429], JSON.stringify(refusals));
  for (const line of refusals) {
    assert.equal(line.level, 30, 'refusals are info');
    assert.match(String(line.reqId), /^req-/);
    assert.ok(['unauthenticated', 'forbidden', 'rate_limited'].includes(line.reason), `a reason: ${JSON.stringify(line)}`);
    assert.ok(line.detail, 'the refusal says why');
  }
  assert.equal(new Set(refusals.map((line) => line.reqId)).size, refusals.length, 'each refusal has its own request id');
  const all = [...server.lines, ...server.stderr].join('\n');
  for (const secret of [pat, createHash('sha256').update(pat).digest('hex'), forged, createHash('sha256').update(forged).digest('hex'), wrong.password, 'operations password']) {
    assert.ok(!all.includes(secret), `the log never holds a token, its hash or a password (${secret.slice(0, 8)}...)`);
  }
});

test('a port in use is one clear JSON line and exit code 3, not a stack trace', SQLITE_PASS_ONLY, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  try {
    const server = serve(['--port', String(port), '--host', '127.0.0.1', '--db', join(dir, 'port.db')]);
    const { code } = await within(server.exited, 'serve to give up');
    await within(server.closed, 'output to close');
    assert.equal(code, 3);
    const lines = server.json();
    const fatal = lines.filter((line) => line.level === 60);
    assert.equal(fatal.length, 1, JSON.stringify(lines));
    assert.match(fatal[0].msg, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port`));
    assert.doesNotMatch(JSON.stringify(lines), /\n\s+at |"stack"/, 'no stack trace');
  } finally {
    blocker.close();
  }
});

test('a second server on the same SQLite file is refused; the lock goes with the first, even after kill -9', SQLITE_PASS_ONLY, async () => {
  const db = join(dir, 'shared.db');
  const first = serve(['--port', '0', '--db', db]);
  await first.url();
  assert.ok(first.json().some((line) => Array.isArray(line.migrations) && /applied migrations/.test(line.msg)), 'migrations on a new database are logged as JSON');
  const second = serve(['--port', '0', '--db', db]);
  const refused = await within(second.exited, 'the second server to be refused');
  await within(second.closed, 'output to close');
  assert.equal(refused.code, 4);
  const fatal = second.json().filter((line) => line.level === 60);
  assert.equal(fatal.length, 1);
  assert.match(fatal[0].msg, /another prodboard server is already running on .*shared\.db.*stop it first/);
  // The benchmark's escape hatch (a page-cache-off server beside the first) still works.
  const sharing = serve(['--port', '0', '--db', db], { PRODBOARD_UNSAFE_SHARE_SQLITE: '1' });
  await sharing.url();
  sharing.child.kill('SIGTERM');
  assert.equal((await within(sharing.exited, 'the sharing server to stop')).code, 0);

  // kill -9 leaves no chance to clean up: the next start must not be blocked by what it left.
  first.child.kill('SIGKILL');
  await within(first.exited, 'the first server to die');
  const third = serve(['--port', '0', '--db', db]);
  const url = await third.url();
  assert.equal((await request({ url }, 'GET', '/xapi2/health')).status, 200);
  third.child.kill('SIGTERM');
  assert.equal((await within(third.exited, 'the third server to stop')).code, 0);
  // And a clean stop releases it too.
  const fourth = serve(['--port', '0', '--db', db]);
  await fourth.url();
  fourth.child.kill('SIGINT');
  assert.equal((await within(fourth.exited, 'the fourth server to stop')).code, 0);
});

/**
 * npx runs the bin through `sh -c`, which does not pass signals on. SIGTERM sent to npx alone (what
 * `docker stop` does to a container started with `npx prodboard serve`) kills the shell: the server
 * notices that its parent is gone and stops. Ctrl-C in a terminal is SIGINT to the whole foreground
 * process group, so the server gets it directly. (SIGINT sent to npx alone never reaches the server:
 * the shell catches it and waits for its child; nothing of ours runs in between.)
 */
for (const [signal, target] of [['SIGTERM', 'npx'], ['SIGINT', 'group'], ['SIGTERM', 'group']] as const) {
  test(`${signal} sent to ${target === 'npx' ? 'npx prodboard serve' : "npx prodboard serve's process group (as a terminal does)"} stops the server, with no orphan`, SQLITE_PASS_ONLY, async () => {
    const npx = new Proc(spawn('npx', ['prodboard', 'serve', '--port', '0', '--db', join(dir, `npx-${signal}-${target}.db`)], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(), detached: target === 'group',
    }));
    const running = await npx.waitFor((line) => /running at/.test(String(line.msg)), 'the server to start');
    const serverPid = running.pid as number;
    assert.notEqual(serverPid, npx.child.pid, 'npx runs the server as a child process');
    process.kill(target === 'group' ? -npx.child.pid! : npx.child.pid!, signal);
    await within(npx.exited, 'npx to exit');
    // The server shares npx's stdout: it closes only once the server, too, has exited.
    await within(npx.closed, 'the server started by npx to exit');
    assert.ok(!alive(serverPid), `server ${serverPid} is gone`);
    assert.ok(npx.json().some((line) => line.msg === 'stopped'), 'the server stopped gracefully');
  });
}
