/**
 * prodboard backup: an online copy of a SQLite database, safe while a server runs and writes to it
 * (SQLite's backup API through better-sqlite3, reading a consistent snapshot), with progress. The
 * copy is written beside the target and renamed into place once it is whole and checked, so a
 * failed or interrupted backup never leaves a file that looks like a backup.
 */
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { redactUrl } from '../store/postgres/postgres-store.js';
import { DB_HELP, DB_OPTIONS, ExitError, configWith, parse } from './options.js';

const USAGE = `Usage: prodboard backup --to FILE [--db FILE]

Copies the SQLite database to FILE while the server keeps running (SQLite's online backup):
the copy holds every write committed before it finished reading. Restore by starting a server
on the copy (prodboard serve --db FILE), or see prodboard restore --help.
On PostgreSQL, use pg_dump instead.

Options:
  --to FILE            where to write the backup (must not exist yet)
${DB_HELP}`;

const OPTIONS = { ...DB_OPTIONS, to: { type: 'string' } } as const;

/** Pages copied per step while nothing else writes: about 50 progress reports per backup. */
const STEPS = 50;

function bar(done: number, total: number): string {
  const width = 30;
  const ratio = total === 0 ? 1 : done / total;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%`;
}

export async function backupCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  if (!values.to) throw new ExitError(`--to FILE is required\n\n${USAGE}`, 2);
  const config = configWith(values);
  if (config.databaseUrl) {
    throw new ExitError(
      `backup copies SQLite databases only; this server uses PostgreSQL (${redactUrl(config.databaseUrl)}): back it up with pg_dump, e.g. pg_dump --format=custom --file=prodboard.dump "$DATABASE_URL", and restore with pg_restore --dbname "$DATABASE_URL" prodboard.dump`,
    );
  }
  const source = resolve(config.dbPath);
  const target = resolve(values.to);
  if (!existsSync(source)) throw new ExitError(`no SQLite database at ${source}; pass the server's database with --db`);
  if (target === source) throw new ExitError('--to must be a different file from the database');
  if (existsSync(target)) throw new ExitError(`${target} already exists; choose a new file name (a backup never overwrites)`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });

  const tty = process.stderr.isTTY;
  const db = new Database(source, { fileMustExist: true });
  let lastRemaining = Infinity;
  let restarts = 0;
  try {
    const report = (done: number, total: number) => {
      const line = `backup ${bar(done, total)} ${done.toLocaleString('en')}/${total.toLocaleString('en')} pages`;
      if (tty) process.stderr.write(`\r${line}`);
      else process.stderr.write(`${line}\n`);
    };
    const result = await db.backup(partial, {
      progress({ totalPages, remainingPages }) {
        // The server wrote between two steps, so SQLite started over: copy the rest in one step
        // (one read transaction, which in WAL mode never blocks the server's writes).
        if (remainingPages > lastRemaining) restarts += 1;
        lastRemaining = remainingPages;
        report(totalPages - remainingPages, totalPages);
        return restarts > 0 ? totalPages : Math.max(100, Math.ceil(totalPages / STEPS));
      },
    });
    report(result.totalPages, result.totalPages);
    if (tty) process.stderr.write('\n');
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new ExitError(`the copy failed its integrity check (${String(check)}); nothing was written to ${target}`);
    } finally {
      copy.close();
    }
    renameSync(partial, target);
    console.log(`backed up ${source} to ${target} (${result.totalPages.toLocaleString('en')} pages${restarts ? `, restarted ${restarts}× by concurrent writes` : ''}); integrity check ok`);
    return 0;
  } catch (err) {
    rmSync(partial, { force: true });
    if (err instanceof ExitError) throw err;
    throw new ExitError(`backup failed, nothing was written to ${target}: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}
