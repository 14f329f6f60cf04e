/**
 * Login rate limiting, held in the database: the same SQL on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { Executor } from './executor.js';

export async function recordLoginFailure(x: Executor, key: string, at: number): Promise<void> {
  await x.run('INSERT INTO login_failures (key, at) VALUES (?, ?)', [key, at]);
}

export async function countLoginFailures(x: Executor, key: string, since: number): Promise<{ count: number; oldest?: number; newest?: number }> {
  const row = (await x.get<{ n: number; oldest: number | null; newest: number | null }>(
    'SELECT count(*) AS n, min(at) AS oldest, max(at) AS newest FROM login_failures WHERE key = ? AND at >= ?',
    [key, since],
  ))!;
  return { count: Number(row.n), oldest: row.oldest === null ? undefined : Number(row.oldest), newest: row.newest === null ? undefined : Number(row.newest) };
}

export async function pruneLoginFailures(x: Executor, before: number): Promise<void> {
  await x.run('DELETE FROM login_failures WHERE at < ?', [before]);
}

export async function clearLoginFailures(x: Executor, key: string): Promise<void> {
  await x.run('DELETE FROM login_failures WHERE key = ?', [key]);
}

export async function forgetLoginFailure(x: Executor, key: string, at: number): Promise<void> {
  // One row: parallel attempts at the same millisecond each counted their own.
  await x.run(`DELETE FROM login_failures WHERE ${x.rowId} IN (SELECT ${x.rowId} FROM login_failures WHERE key = ? AND at = ? LIMIT 1)`, [key, at]);
}
