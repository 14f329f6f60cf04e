/**
 * One server per SQLite file: `serve` holds an exclusive SQLite lock on a small file next to the
 * database (`<db>.lock`) for as long as it runs. The lock is the kernel's (POSIX advisory locks,
 * through SQLite), so it goes away with the process however it ends, `kill -9` included: a lock
 * left by a dead process never blocks the next start, and no pid is ever compared (pids are
 * reused, in containers almost always).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitError } from './options.js';

/** Exit code of a start refused because another server has the database. */
export const EXIT_DB_IN_USE = 4;

/** A held lock; `release` is idempotent. */
export interface DbLock {
  path: string;
  release(): void;
}

/** Takes the lock for a SQLite database file, or throws an ExitError naming what to do. */
export function lockDatabase(dbPath: string): DbLock {
  const db = resolve(dbPath);
  const path = `${db}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  // timeout 0: a held lock is reported at once instead of waited for.
  const conn = new Database(path, { timeout: 0 });
  try {
    conn.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    conn.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY' || (err as { code?: string }).code === 'SQLITE_LOCKED') {
      throw new ExitError(
        `another prodboard server is already running on ${db} (it holds ${path}); stop it first, or start this one on another database with --db`,
        EXIT_DB_IN_USE,
      );
    }
    throw new ExitError(`cannot lock ${path}: ${(err as Error).message}`);
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      conn.close();
    },
  };
}
