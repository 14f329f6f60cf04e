/**
 * Idempotency keys for POST: the same SQL on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { IdempotencyRow } from '../types.js';
import type { Executor } from './executor.js';

export function getIdempotency(x: Executor, workspaceId: string, userId: string, key: string): Promise<IdempotencyRow | undefined> {
  return x.get<IdempotencyRow>(
    'SELECT request_hash, status, response, created_at FROM idempotency_keys WHERE workspace_id = ? AND user_id = ? AND key = ?',
    [workspaceId, userId, key],
  );
}

export async function putIdempotency(x: Executor, workspaceId: string, userId: string, key: string, row: IdempotencyRow): Promise<void> {
  await x.run(
    'INSERT INTO idempotency_keys (workspace_id, user_id, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [workspaceId, userId, key, row.request_hash, row.status, row.response, row.created_at],
  );
}

export async function pruneIdempotency(x: Executor, before: string): Promise<void> {
  await x.run('DELETE FROM idempotency_keys WHERE created_at < ?', [before]);
}
