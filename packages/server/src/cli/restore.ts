/**
 * prodboard restore: puts a backup in place of a SQLite database, with the server stopped. The
 * database it replaces is kept beside it (with its -wal and -shm, so it stays whole), and the
 * backup is copied in under a temporary name and renamed, so the database file is always either
 * the old one or the whole backup. Copying a backup over a database by hand while an old -wal file
 * lies next to it would have SQLite replay that log onto the backup.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { lockDatabase } from './db-lock.js';
import { DB_HELP, DB_OPTIONS, ExitError, configWith, parse } from './options.js';

const USAGE = `Usage: prodboard restore --from FILE [--db FILE]

Replaces the SQLite database with a backup made by prodboard backup. Stop the server first
(restore refuses while one runs on the database). The replaced database is kept as
<db>.before-restore-<time>. On PostgreSQL, use pg_restore instead.

Options:
  --from FILE          the backup to restore
${DB_HELP}`;

const OPTIONS = { ...DB_OPTIONS, from: { type: 'string' } } as const;

export async function restoreCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, OPTIONS, USAGE);
  if (values.help) return console.log(USAGE), 0;
  if (!values.from) throw new ExitError(`--from FILE is required\n\n${USAGE}`, 2);
  const config = configWith(values);
  if (config.databaseUrl) throw new ExitError('restore puts back SQLite backups only; on PostgreSQL, restore a pg_dump with pg_restore --dbname "$DATABASE_URL" FILE');
  const backup = resolve(values.from);
  const db = resolve(config.dbPath);
  if (!existsSync(backup)) throw new ExitError(`no backup at ${backup}`);
  if (backup === db) throw new ExitError('--from must be a different file from the database');
  const check = new Database(backup, { fileMustExist: true });
  try {
    const result = check.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new ExitError(`${backup} fails SQLite's integrity check (${String(result)}); nothing was changed`);
    check.prepare('SELECT count(*) FROM objects').get();
  } catch (err) {
    if (err instanceof ExitError) throw err;
    throw new ExitError(`${backup} is not a prodboard database (${(err as Error).message}); nothing was changed`);
  } finally {
    check.close();
  }

  const lock = lockDatabase(db);
  try {
    let kept: string | undefined;
    if (existsSync(db)) {
      kept = `${db}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of ['-wal', '-shm']) if (existsSync(db + suffix)) renameSync(db + suffix, kept + suffix);
      renameSync(db, kept);
    }
    const incoming = `${db}.restoring`;
    rmSync(incoming, { force: true });
    copyFileSync(backup, incoming);
    renameSync(incoming, db);
    console.log(`restored ${backup} to ${db}${kept ? `; the database it replaced is kept as ${kept}` : ''}`);
    return 0;
  } finally {
    lock.release();
  }
}
