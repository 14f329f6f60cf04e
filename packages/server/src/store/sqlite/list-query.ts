/**
 * Turns a parsed list query into SQLite SQL: filters, sort with id tie-break, keyset `after`,
 * exact `has_more` (one row past the page) and ranked full-text search.
 */
import { AppError, type FieldSpec } from '@prodboard/shared';
import type { ObjectListQuery } from '../types.js';

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | null;

/** The SQL for a data field; identical to the expressions of the indexes in migrations.ts. */
export function fieldExpr(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe field name ${name}`);
  return `json_extract(data, '$.${name}')`;
}

/** The sort expression of a field; enums sort in manifest order (low < medium < high < critical). */
function sortFieldExpr(field: FieldSpec): string {
  if (field.type === 'enum' && field.values) {
    const arms = field.values.map((v, i) => `WHEN '${v.replace(/'/g, "''")}' THEN ${i}`).join(' ');
    return `CASE ${fieldExpr(field.name)} ${arms} END`;
  }
  return fieldExpr(field.name);
}

/** The FTS5 query for search words: every word must match, as a prefix. Words are letters/digits only. */
export function ftsMatch(terms: string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '')}"*`).join(' ');
}

/** The text the FTS index holds for an object: its first search field as title, the rest as body. */
export function searchText(fields: string[], data: Record<string, unknown>): { title: string; body: string } {
  const text = (name: string | undefined) => (name !== undefined && typeof data[name] === 'string' ? (data[name] as string) : '');
  const [first, ...rest] = fields;
  return { title: text(first), body: rest.map(text).filter(Boolean).join('\n') };
}

const RANK = 'bm25(objects_fts, 10.0, 1.0)';

/** The SQL pieces of one list query, and how to read the cursor row's sort value. */
export interface BuiltList {
  sql: string;
  params: SqlValue[];
}

/**
 * Builds the page query. `cursor` is the sort value and id of the `after` row, looked up first with
 * `cursorQuery`, because keyset pagination needs the value, and NULLs need their own comparison.
 */
export function buildListSql(q: ObjectListQuery, cursor?: { value: SqlValue; id: string }): BuiltList {
  const { from, where, params } = baseWhere(q);
  const expr = q.sort === null ? RANK : q.sort.target.kind === 'top' ? q.sort.target.name : sortFieldExpr(q.sort.target.field);
  const desc = q.sort?.desc ?? false;
  if (cursor) {
    // SQLite orders NULL first ascending and last descending; the cursor conditions follow suit.
    const op = desc ? '<' : '>';
    if (cursor.value === null) {
      where.push(desc ? `(${expr} IS NULL AND id < ?)` : `((${expr} IS NULL AND id > ?) OR ${expr} IS NOT NULL)`);
      params.push(cursor.id);
    } else {
      where.push(`(${expr} ${op} ? OR (${expr} = ? AND id ${op} ?)${desc ? ` OR ${expr} IS NULL` : ''})`);
      params.push(cursor.value, cursor.value, cursor.id);
    }
  }
  const dir = desc ? 'DESC' : 'ASC';
  const sql = `SELECT objects.* FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${expr} ${dir}, id ${dir} LIMIT ? OFFSET ?`;
  params.push(q.limit + 1, q.offset);
  return { sql, params };
}

/** The query reading the `after` row's sort value (and proving it belongs to this workspace and type). */
export function cursorQuery(q: ObjectListQuery, afterId: string): BuiltList {
  if (q.sort === null) {
    return {
      sql: `SELECT ${RANK} AS v, id FROM objects JOIN objects_fts ON objects_fts.rowid = objects.seq
            WHERE objects_fts MATCH ? AND workspace_id = ? AND type = ? AND id = ?`,
      params: [ftsMatch(q.terms), q.workspaceId, q.type, afterId],
    };
  }
  const expr = q.sort.target.kind === 'top' ? q.sort.target.name : sortFieldExpr(q.sort.target.field);
  return { sql: `SELECT ${expr} AS v, id FROM objects WHERE workspace_id = ? AND type = ? AND id = ?`, params: [q.workspaceId, q.type, afterId] };
}

/** The error for an `after` id that names nothing in this list. */
export function unknownCursor(afterId: string): AppError {
  return new AppError('invalid_query', `after "${afterId}" is not an object of this list; pass meta.next_cursor from the previous page, or leave after out to start from the beginning`, {
    errors: [{ field: 'after', message: 'unknown cursor' }],
  });
}

function baseWhere(q: ObjectListQuery): { from: string; where: string[]; params: SqlValue[] } {
  const where = ['workspace_id = ?', 'type = ?', 'is_deleted = 0'];
  const params: SqlValue[] = [q.workspaceId, q.type];
  let from = 'objects';
  if (!q.includeArchived) where.push('is_archived = 0');
  for (const f of q.filters) {
    const values = f.values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    if (f.target.kind === 'data' && f.target.field.type === 'tags') {
      where.push(`EXISTS (SELECT 1 FROM json_each(data, '$.${f.target.field.name}') WHERE json_each.value IN (${values.map(() => '?').join(', ')}))`);
    } else {
      const column = f.target.kind === 'top' ? f.target.name : fieldExpr(f.target.field.name);
      where.push(values.length === 1 ? `${column} = ?` : `${column} IN (${values.map(() => '?').join(', ')})`);
    }
    params.push(...values);
  }
  if (q.terms.length > 0) {
    if (q.sort === null) {
      from = 'objects JOIN objects_fts ON objects_fts.rowid = objects.seq';
      where.push('objects_fts MATCH ?');
    } else {
      where.push('seq IN (SELECT rowid FROM objects_fts WHERE objects_fts MATCH ?)');
    }
    params.push(ftsMatch(q.terms));
  }
  return { from, where, params };
}
