/**
 * The OAuth authorization server's rows, written once for both stores (see executor.ts). Each
 * function is the Store method of its name (documented in types.ts, OAuthRepo). Scopes and redirect
 * URIs are JSON text on both stores.
 */
import type { Scopes } from '@prodboard/shared';
import type { OAuthClientRow, OAuthGrantListRow, OAuthGrantRow, OAuthRequestRow, OAuthTokenRecord, OAuthTokenRow } from '../types.js';
import type { Executor } from './executor.js';
import { json, MEMBER_COLUMNS, type Row, toMemberContext } from './rows.js';

const GRANT_COLUMNS = ['id', 'client_id', 'user_id', 'workspace_id', 'scopes', 'resource', 'created_at', 'last_used_at', 'revoked_at'] as const;
const TOKEN_COLUMNS = ['id', 'token_hash', 'kind', 'grant_id', 'created_at', 'expires_at', 'used_at', 'revoked_at'] as const;

const toClient = (row: Row): OAuthClientRow => ({ ...(row as unknown as OAuthClientRow), redirect_uris: json<string[]>(row.redirect_uris) });
const toGrant = (row: Row): OAuthGrantRow => ({ ...(row as unknown as OAuthGrantRow), scopes: json<Scopes>(row.scopes) });
const toRequest = (row: Row): OAuthRequestRow => ({ ...(row as unknown as OAuthRequestRow), scopes: json<Scopes>(row.scopes) });

export async function upsertOAuthClient(x: Executor, row: OAuthClientRow): Promise<void> {
  await x.run(
    `INSERT INTO oauth_clients (id, kind, name, redirect_uris, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, redirect_uris = excluded.redirect_uris, updated_at = excluded.updated_at`,
    [row.id, row.kind, row.name, JSON.stringify(row.redirect_uris), row.created_at, row.updated_at],
  );
}

export async function getOAuthClient(x: Executor, id: string): Promise<OAuthClientRow | undefined> {
  const row = await x.get<Row>('SELECT * FROM oauth_clients WHERE id = ?', [id]);
  return row && toClient(row);
}

export async function insertOAuthRequest(x: Executor, row: OAuthRequestRow): Promise<void> {
  await x.run(
    `INSERT INTO oauth_requests (id, client_id, redirect_uri, scopes, state, code_challenge, resource, created_at, expires_at, decided_at, grant_id, code_hash, code_expires_at, code_used_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.id, row.client_id, row.redirect_uri, JSON.stringify(row.scopes), row.state, row.code_challenge, row.resource, row.created_at, row.expires_at,
      row.decided_at, row.grant_id, row.code_hash, row.code_expires_at, row.code_used_at,
    ],
  );
}

export async function getOAuthRequest(x: Executor, id: string): Promise<OAuthRequestRow | undefined> {
  const row = await x.get<Row>('SELECT * FROM oauth_requests WHERE id = ?', [id]);
  return row && toRequest(row);
}

export async function getOAuthRequestByCode(x: Executor, codeHash: string): Promise<OAuthRequestRow | undefined> {
  const row = await x.get<Row>('SELECT * FROM oauth_requests WHERE code_hash = ?', [codeHash]);
  return row && toRequest(row);
}

export async function decideOAuthRequest(x: Executor, id: string, at: string): Promise<boolean> {
  return (await x.run('UPDATE oauth_requests SET decided_at = ? WHERE id = ? AND decided_at IS NULL AND expires_at > ?', [at, id, at])) === 1;
}

export async function setOAuthCode(x: Executor, id: string, grantId: string, codeHash: string, codeExpiresAt: string): Promise<void> {
  await x.run('UPDATE oauth_requests SET grant_id = ?, code_hash = ?, code_expires_at = ? WHERE id = ?', [grantId, codeHash, codeExpiresAt, id]);
}

export async function useOAuthCode(x: Executor, id: string, at: string): Promise<boolean> {
  return (await x.run('UPDATE oauth_requests SET code_used_at = ? WHERE id = ? AND code_used_at IS NULL', [at, id])) === 1;
}

export async function insertOAuthGrant(x: Executor, row: OAuthGrantRow): Promise<void> {
  await x.run(`INSERT INTO oauth_grants (${GRANT_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.id, row.client_id, row.user_id, row.workspace_id, JSON.stringify(row.scopes), row.resource, row.created_at, row.last_used_at, row.revoked_at,
  ]);
}

export async function getOAuthGrant(x: Executor, id: string): Promise<OAuthGrantRow | undefined> {
  const row = await x.get<Row>('SELECT * FROM oauth_grants WHERE id = ?', [id]);
  return row && toGrant(row);
}

export async function listOAuthGrants(x: Executor, userId: string, workspaceId: string): Promise<OAuthGrantListRow[]> {
  const rows = await x.all<Row>(
    `SELECT g.*, c.name AS client_name FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id
     WHERE g.user_id = ? AND g.workspace_id = ? AND g.revoked_at IS NULL ORDER BY g.created_at DESC, g.id DESC`,
    [userId, workspaceId],
  );
  return rows.map((row) => ({ ...toGrant(row), client_name: row.client_name as string }));
}

export async function revokeOAuthGrant(x: Executor, id: string, at: string): Promise<boolean> {
  return (await x.run('UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [at, id])) === 1;
}

export async function touchOAuthGrant(x: Executor, id: string, at: string): Promise<void> {
  await x.run('UPDATE oauth_grants SET last_used_at = ? WHERE id = ?', [at, id]);
}

export async function insertOAuthToken(x: Executor, row: OAuthTokenRow): Promise<void> {
  await x.run(`INSERT INTO oauth_tokens (${TOKEN_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.id, row.token_hash, row.kind, row.grant_id, row.created_at, row.expires_at, row.used_at, row.revoked_at,
  ]);
}

export async function getOAuthToken(x: Executor, tokenHash: string): Promise<OAuthTokenRecord | undefined> {
  const row = await x.get<Row>(
    `SELECT ${TOKEN_COLUMNS.map((c) => `t.${c} AS t_${c}`).join(', ')}, ${GRANT_COLUMNS.map((c) => `g.${c} AS g_${c}`).join(', ')}, ${MEMBER_COLUMNS}
     FROM oauth_tokens t
     JOIN oauth_grants g ON g.id = t.grant_id
     LEFT JOIN memberships m ON m.workspace_id = g.workspace_id AND m.user_id = g.user_id
     LEFT JOIN users u ON u.id = m.user_id
     LEFT JOIN workspaces w ON w.id = m.workspace_id
     WHERE t.token_hash = ?`,
    [tokenHash],
  );
  if (!row) return undefined;
  const pick = (prefix: string, columns: readonly string[]) => Object.fromEntries(columns.map((c) => [c, row[`${prefix}${c}`] ?? null]));
  return { token: pick('t_', TOKEN_COLUMNS) as unknown as OAuthTokenRow, grant: toGrant(pick('g_', GRANT_COLUMNS)), member: toMemberContext(row) };
}

export async function useOAuthToken(x: Executor, id: string, at: string): Promise<boolean> {
  return (await x.run('UPDATE oauth_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL', [at, id])) === 1;
}

export async function revokeOAuthToken(x: Executor, id: string, at: string): Promise<void> {
  await x.run('UPDATE oauth_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', [at, id]);
}
