/**
 * Session rows and personal access tokens where the SQL is the same on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { Scopes } from '@prodboard/shared';
import type { AccessTokenRow, SessionRow } from '../types.js';
import type { Executor } from './executor.js';
import { json, type Row } from './rows.js';

/** A token row: `scopes` is text on SQLite, parsed jsonb on PostgreSQL. */
function toToken(row: Row): AccessTokenRow {
  return { ...(row as unknown as AccessTokenRow), scopes: json<Scopes>(row.scopes) };
}

export async function insertSession(x: Executor, row: SessionRow): Promise<void> {
  await x.run(
    `INSERT INTO sessions (id, token_hash, user_id, workspace_id, created_at, expires_at, family_id, parent_id, renewed_at, renewal_salt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.token_hash, row.user_id, row.workspace_id, row.created_at, row.expires_at, row.family_id, row.parent_id, row.renewed_at, row.renewal_salt],
  );
}

export async function insertAccessToken(x: Executor, row: AccessTokenRow): Promise<void> {
  await x.run(
    `INSERT INTO access_tokens (id, token_hash, prefix, name, user_id, workspace_id, scopes, created_at, expires_at, last_used_at, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [row.id, row.token_hash, row.prefix, row.name, row.user_id, row.workspace_id, JSON.stringify(row.scopes), row.created_at, row.expires_at, row.last_used_at, row.revoked_at],
  );
}

export async function getAccessToken(x: Executor, id: string): Promise<AccessTokenRow | undefined> {
  const row = await x.get<Row>('SELECT * FROM access_tokens WHERE id = ?', [id]);
  return row && toToken(row);
}

export async function listAccessTokens(x: Executor, userId: string, workspaceId: string): Promise<AccessTokenRow[]> {
  const rows = await x.all<Row>('SELECT * FROM access_tokens WHERE user_id = ? AND workspace_id = ? ORDER BY created_at DESC, id DESC', [userId, workspaceId]);
  return rows.map(toToken);
}

export async function revokeAccessToken(x: Executor, id: string, at: string): Promise<void> {
  await x.changeCredentials('UPDATE access_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', [at, id]);
}
