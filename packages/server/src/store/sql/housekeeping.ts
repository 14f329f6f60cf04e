/**
 * The sweep (see store/sweeper.ts), written once: each table loses at most `batch` rows per call,
 * picked by the dialect's cheapest form of "these rows" (`Executor.inBatch`).
 * Each function is the Store method of its name (documented in types.ts).
 */
import type { SweepCounts, SweepLimits } from '../types.js';
import type { Executor } from './executor.js';

export async function sweep(x: Executor, limits: SweepLimits): Promise<SweepCounts> {
  const { batch } = limits;
  // Started together and awaited together: outside a transaction SQLite runs each statement at its
  // call (no await between them, see executor.ts) and PostgreSQL each on a connection of its own.
  const [idempotency, sessions, loginFailures, analytics, oauthTokens, oauthRequests, passwordResets] = await Promise.all([
    x.run(`DELETE FROM idempotency_keys WHERE ${x.inBatch(x.rowId, `SELECT ${x.rowId} FROM idempotency_keys WHERE created_at < ? LIMIT ?`)}`, [limits.idempotencyBefore, batch]),
    // Sessions are credentials: cached ones go when this commits (on PostgreSQL, every instance's).
    x.changeCredentials(`DELETE FROM sessions WHERE ${x.inBatch('id', 'SELECT id FROM sessions WHERE expires_at < ? LIMIT ?')}`, [limits.sessionsExpiredBefore, batch]),
    x.run(`DELETE FROM login_failures WHERE ${x.inBatch(x.rowId, `SELECT ${x.rowId} FROM login_failures WHERE at < ? LIMIT ?`)}`, [limits.loginFailuresBefore, batch]),
    x.run(
      `DELETE FROM analytics_events WHERE ${x.inBatch('id', 'SELECT id FROM analytics_events WHERE id <= (SELECT max(id) FROM analytics_events) - ? ORDER BY id LIMIT ?')}`,
      [limits.analyticsKeep, batch],
    ),
    // OAuth tokens past their expiry, and authorization requests whose consent and code have both expired.
    x.run(`DELETE FROM oauth_tokens WHERE ${x.inBatch('id', 'SELECT id FROM oauth_tokens WHERE expires_at < ? LIMIT ?')}`, [limits.sessionsExpiredBefore, batch]),
    x.run(
      `DELETE FROM oauth_requests WHERE ${x.inBatch('id', 'SELECT id FROM oauth_requests WHERE expires_at < ? AND (code_expires_at IS NULL OR code_expires_at < ?) LIMIT ?')}`,
      [limits.sessionsExpiredBefore, limits.sessionsExpiredBefore, batch],
    ),
    // Password reset links past their expiry (used or not: a used one is spent either way).
    x.run(`DELETE FROM password_resets WHERE ${x.inBatch('id', 'SELECT id FROM password_resets WHERE expires_at < ? LIMIT ?')}`, [limits.sessionsExpiredBefore, batch]),
  ]);
  return { idempotency, sessions, loginFailures, analytics, oauth: oauthTokens + oauthRequests, passwordResets };
}
