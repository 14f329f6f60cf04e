/**
 * Row mapping shared by both stores: database rows → the store's row types and back. SQLite hands
 * back booleans as 0/1 and JSON as text; PostgreSQL as booleans and parsed jsonb; both are accepted.
 */
import type { Json, Role, Scopes } from '@prodboard/shared';
import type { AccessTokenRow, CredentialRecord, JsonPage, MemberContext, ObjectRow, SessionRow } from '../types.js';

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

const truthy = (v: unknown) => v === true || v === 1;
export const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/** A stored object from its row. */
export function toObject(row: Row): ObjectRow {
  return {
    id: row.id as string,
    workspace_id: row.workspace_id as string,
    type: row.type as string,
    status: row.status as string,
    owned_by: row.owned_by as string,
    created_by: row.created_by as string,
    updated_by: row.updated_by as string,
    is_archived: truthy(row.is_archived),
    is_deleted: truthy(row.is_deleted),
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
    version: row.version as number,
    deleted_at: (row.deleted_at as string | null) ?? null,
    deleted_with: (row.deleted_with as string | null) ?? null,
    data: json<Record<string, Json>>(row.data),
    key: (row.key as string | null | undefined) ?? null,
  };
}

/** A page from `pageSql` rows (`id`, `json`), which hold one row past the page. */
export function jsonPage(rows: Array<{ id: string; json: string }>, limit: number): JsonPage {
  const page = rows.length > limit ? rows.slice(0, limit) : rows;
  return { items: page.map((r) => r.json), lastId: page.length > 0 ? page[page.length - 1].id : null, hasMore: rows.length > limit };
}

/** The object's columns in insert order (`objects` column list of both schemas), booleans as given. */
export function objectValues(row: ObjectRow, bool: (v: boolean) => unknown): unknown[] {
  return [
    row.id, row.workspace_id, row.type, row.status, row.owned_by, row.created_by, row.updated_by,
    bool(row.is_archived), bool(row.is_deleted), row.created_at, row.updated_at, row.version,
    row.deleted_at, row.deleted_with, JSON.stringify(row.data),
  ];
}

/** The columns `objectValues` fills, in its order. */
export const OBJECT_COLUMNS =
  'id, workspace_id, type, status, owned_by, created_by, updated_by, is_archived, is_deleted, created_at, updated_at, version, deleted_at, deleted_with, data';

/** The member context's columns, prefixed so they sit beside a token row's own. */
export const MEMBER_COLUMNS = `u.id AS m_user_id, u.email AS m_email, u.name AS m_user_name, w.id AS m_workspace_id, w.slug AS m_slug,
  w.name AS m_workspace_name, w.created_at AS m_workspace_created_at, m.role AS m_role`;

/** A member context from a row holding MEMBER_COLUMNS (undefined when the membership is missing). */
export function toMemberContext(row: Row | undefined): MemberContext | undefined {
  if (!row || row.m_role === null || row.m_role === undefined) return undefined;
  return {
    user: { id: row.m_user_id as string, email: row.m_email as string, name: row.m_user_name as string },
    workspace: { id: row.m_workspace_id as string, slug: row.m_slug as string, name: row.m_workspace_name as string, created_at: row.m_workspace_created_at as string },
    role: row.m_role as Role,
  };
}

/** Every authenticated request's read: a token by hash, with the member it acts as, in one statement. */
export function credentialSql(kind: CredentialRecord['kind'], hashParam: string): string {
  const table = kind === 'pat' ? 'access_tokens' : 'sessions';
  return `SELECT t.*, ${MEMBER_COLUMNS}
    FROM ${table} t
    LEFT JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id
    LEFT JOIN users u ON u.id = m.user_id
    LEFT JOIN workspaces w ON w.id = m.workspace_id
    WHERE t.token_hash = ${hashParam}`;
}

/** A credential record from a `credentialSql` row. */
export function toCredential(kind: CredentialRecord['kind'], row: Row | undefined): CredentialRecord | undefined {
  if (!row) return undefined;
  const member = toMemberContext(row);
  const token: Row = {};
  for (const [key, value] of Object.entries(row)) if (!key.startsWith('m_')) token[key] = value;
  if (kind === 'pat') return { kind, token: { ...(token as unknown as AccessTokenRow), scopes: json<Scopes>(token.scopes) }, member };
  return { kind, token: token as unknown as SessionRow, member };
}
