/**
 * Row mapping shared by both stores: database rows → the store's row types and back. SQLite hands
 * back booleans as 0/1 and JSON as text; PostgreSQL as booleans and parsed jsonb; both are accepted.
 */
import type { Json, Role } from '@prodboard/shared';
import type { MemberContext, ObjectRow } from '../types.js';

/** A row as a driver returns it. */
export type Row = Record<string, unknown>;

const truthy = (v: unknown) => v === true || v === 1;
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

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
  };
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

/** The JOIN every authenticated request reads (placeholders given by the dialect). */
export function memberContextSql(workspaceParam: string, userParam: string): string {
  return `SELECT u.id AS user_id, u.email, u.name AS user_name, w.id AS workspace_id, w.slug, w.name AS workspace_name, w.created_at, m.role
    FROM memberships m JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id
    WHERE m.workspace_id = ${workspaceParam} AND m.user_id = ${userParam}`;
}

/** A member context from a `memberContextSql` row. */
export function toMemberContext(row: Row | undefined): MemberContext | undefined {
  if (!row) return undefined;
  return {
    user: { id: row.user_id as string, email: row.email as string, name: row.user_name as string },
    workspace: { id: row.workspace_id as string, slug: row.slug as string, name: row.workspace_name as string, created_at: row.created_at as string },
    role: row.role as Role,
  };
}
