/**
 * One-time password reset links: the same SQL on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { PasswordResetRow } from '../types.js';
import type { Executor } from './executor.js';

export async function insertPasswordReset(x: Executor, row: PasswordResetRow): Promise<void> {
  await x.run(
    `INSERT INTO password_resets (id, token_hash, user_id, workspace_id, created_by, created_at, expires_at, used_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.token_hash, row.user_id, row.workspace_id, row.created_by, row.created_at, row.expires_at, row.used_at],
  );
}

export function getPasswordResetByHash(x: Executor, tokenHash: string): Promise<PasswordResetRow | undefined> {
  return x.get<PasswordResetRow>('SELECT * FROM password_resets WHERE token_hash = ?', [tokenHash]);
}

export async function consumePasswordReset(x: Executor, id: string, at: string): Promise<boolean> {
  return (await x.run('UPDATE password_resets SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?', [at, id, at])) === 1;
}

export async function voidPasswordResets(x: Executor, userId: string, at: string): Promise<void> {
  await x.run('UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL', [at, userId]);
}
