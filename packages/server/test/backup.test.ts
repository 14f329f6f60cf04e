/**
 * prodboard backup and restore, as real processes: a backup taken while the server runs and takes
 * writes holds every write acknowledged before it began (and is a consistent snapshot: no write
 * without the ones acknowledged before it), a server starts on it, and restore puts it back in
 * place (refused while a server runs). On PostgreSQL, backup points to pg_dump.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { TEST_STORE, request } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/prodboard.js', import.meta.url));
const WAIT_MS = 30_000;

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('npm_') && key !== 'DATABASE_URL' && key !== 'PRODBOARD_DB') env[key] = value;
  return env;
}

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: childEnv() });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A CLI command run without blocking the test's event loop (writers keep going meanwhile). */
function cliAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const servers: ChildProcess[] = [];

/** Starts `prodboard serve` on a SQLite file; resolves with its URL and a stop function. */
async function serve(db: string): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  servers.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), WAIT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      for (const line of out.split('\n')) {
        if (!line.includes('running at')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line).url as string);
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Every board's name, page by page (lists are clamped to the model's max_limit). */
async function allBoardNames(url: string, token: string): Promise<string[]> {
  const names: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await request({ url }, 'GET', '/xapi2/data/board', { token, query: { limit: 1000, sort: 'created_at', ...(after ? { after } : {}) } });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    for (const board of page.body.data as Array<{ data: { name: string } }>) names.push(board.data.name);
    if (!page.body.meta.has_more) return names;
    after = page.body.meta.next_cursor as string;
  }
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'prodboard-backup-'));
});
after(() => {
  for (const child of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('a backup taken while the server takes writes holds every write acknowledged before it began; a server starts on it; restore puts it back', { skip: TEST_STORE === 'postgres' ? 'SQLite backups: runs in the SQLite pass' : false }, async () => {
  const db = join(dir, 'live.db');
  assert.equal(cli('user', 'create', '--email', 'b@example.com', '--password', 'backup password', '--role', 'owner', '--workspace', 'b', '--db', db).code, 0);
  const pat = cli('token', 'create', '--email', 'b@example.com', '--name', 'backup test', '--db', db).stdout.trim().split('\n').pop()!;
  // Some bulk (about 16 MB) so the copy takes many steps while the writers keep committing.
  const filler = openSqliteStore(db);
  await filler.setSetting('test_filler', 'x'.repeat(16 * 2 ** 20));
  await filler.close();

  const server = await serve(db);
  const api = { url: server.url };
  /** Per writer, the board names in the order their creation was acknowledged. */
  const acked: string[][] = [[], []];
  const failures: string[] = [];
  let writing = true;
  // Resolved when both writers have had writes acknowledged, or one write failed: an event, not a
  // count of turns (a count ran out on a loaded CI machine before ten writes were answered).
  let started!: () => void;
  const bothWriting = new Promise<void>((resolve) => (started = resolve));
  const writer = async (w: number) => {
    for (let i = 0; writing; i++) {
      const name = `w${w}-${String(i).padStart(5, '0')}`;
      const res = await request(api, 'POST', '/xapi2/data/board', { token: pat, body: { name } });
      // Checked as it happens: the backup must never make a write fail or wait it out.
      if (res.status !== 201) failures.push(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
      else acked[w].push(name);
      if (failures.length > 0 || (acked[0].length >= 5 && acked[1].length >= 5)) started();
    }
  };
  const writers = [writer(0), writer(1)];
  // A writer that throws (the server gone) ends the wait as well.
  await Promise.race([bothWriting, Promise.all(writers)]);
  if (failures.length > 0) writing = false;
  assert.deepEqual(failures, [], 'no write failed before the backup');
  assert.ok(acked[0].length >= 5 && acked[1].length >= 5, 'the writers are writing');

  const backupFile = join(dir, 'backup.db');
  const before = acked.map((names) => names.length);
  const backup = await cliAsync('backup', '--to', backupFile, '--db', db);
  const during = acked.map((names, w) => names.length - before[w]);
  writing = false;
  await Promise.all(writers);
  assert.equal(backup.code, 0, backup.stderr);
  assert.deepEqual(failures, [], 'no write failed while the backup ran');
  assert.ok(during[0] + during[1] > 0, 'the writers kept committing while the backup ran');
  assert.match(backup.stderr, /backup \[#+.*\] +100% /, 'progress is reported');
  assert.match(backup.stdout, /backed up .*live\.db to .*backup\.db .*integrity check ok/);
  assert.ok(!existsSync(`${backupFile}.partial`), 'no partial file is left behind');
  assert.equal(cli('backup', '--to', backupFile, '--db', db).code, 1, 'a backup never overwrites a file');

  // A server on the backup: every write acknowledged before the backup began is there, and for
  // each writer what is there is exactly a prefix of what it wrote (a consistent snapshot).
  const copy = await serve(backupFile);
  const names = new Set(await allBoardNames(copy.url, pat));
  for (const w of [0, 1]) {
    const kept = acked[w].filter((name) => names.has(name));
    assert.ok(kept.length >= before[w], `writer ${w}: all ${before[w]} writes acknowledged before the backup are in it (found ${kept.length})`);
    assert.deepEqual(kept, acked[w].slice(0, kept.length), `writer ${w}: the backup holds a prefix of its writes`);
  }
  assert.equal(names.size, [0, 1].reduce((n, w) => n + acked[w].filter((name) => names.has(name)).length, 0), 'nothing in the backup that was never acknowledged');
  assert.equal(await copy.stop(), 0);

  // Restore is refused while the server runs on the database, then puts the backup in place.
  const refused = cli('restore', '--from', backupFile, '--db', db);
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /another prodboard server is already running/);
  // So is copy, which asks for the server to be stopped so that nothing changes under it.
  const copying = cli('copy', '--from', db, '--to', 'postgres://nobody@127.0.0.1:9/nowhere');
  assert.equal(copying.code, 4, copying.stderr);
  assert.match(copying.stderr, /another prodboard server is already running/);
  assert.equal(await server.stop(), 0);
  const restored = cli('restore', '--from', backupFile, '--db', db);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /restored .*backup\.db to .*live\.db; the database it replaced is kept as .*live\.db\.before-restore-/);
  const back = await serve(db);
  assert.deepEqual(new Set(await allBoardNames(back.url, pat)), names, 'the restored database is the backup');
  assert.equal(await back.stop(), 0);
});

test('backup on PostgreSQL exits non-zero and says to use pg_dump, without the password', () => {
  const res = cli('backup', '--to', join(dir, 'pg.db'), '--database-url', 'postgres://prodboard:s3cret-pass@db.example:5432/prodboard');
  assert.equal(res.code, 1);
  assert.match(res.stderr, /pg_dump/);
  assert.doesNotMatch(res.stderr + res.stdout, /s3cret-pass/);
  assert.ok(!existsSync(join(dir, 'pg.db')));
});

test('backup without --to, or of a database that does not exist, says what to do', () => {
  const missing = cli('backup', '--db', join(dir, 'x.db'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--to FILE is required/);
  const nothing = cli('backup', '--to', join(dir, 'y.db'), '--db', join(dir, 'nothing.db'));
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /no SQLite database at .*nothing\.db/);
});
