/**
 * Turns a parsed list query into SQL for either dialect: filters, sort with id tie-break, keyset
 * `after`, exact `has_more` (one row past the page) and ranked full-text search. What differs
 * between SQLite and PostgreSQL is behind `Dialect`; the logic (and so the results) is shared.
 */
import { AppError, foldForSearch, type FieldSpec } from '@prodboard/shared';
import { PRESENTED_OBJECT_FIELDS, type PresentedKind } from '../presented-object.js';
import type { ObjectListQuery } from '../types.js';

/** A value bound to a placeholder. */
export type SqlValue = string | number | boolean | null;

/** What one SQL dialect writes differently. */
export interface Dialect {
  /** The placeholder for the n-th (1-based) parameter. */
  placeholder(n: number): string;
  /** A data field as SQL text; numbers (`numeric`) as SQL numbers. Must match the index expressions. */
  field(name: string, numeric?: boolean): string;
  /** An expression compared in byte order (C collation), so both stores sort strings alike. */
  bytewise(expr: string): string;
  /** True when a tags field contains one of the values (already placeholders). */
  tagsContain(field: string, placeholders: string[]): string;
  /** A boolean as an SQL literal: written inline so SQLite can match its partial indexes at prepare time. */
  boolLiteral(value: boolean): string;
  /** A JSON object as text, built from [key, column, kind] (see PRESENTED_OBJECT_FIELDS). */
  jsonObject(fields: ReadonlyArray<readonly [string, string, PresentedKind]>): string;
  /** NULL placement spelled out so both stores put NULLs first ascending and last descending. */
  nulls(desc: boolean): string;
  /** Full-text search: the FROM for ranked search, the WHERE for filtering only, the rank (lower is better). */
  search: {
    rankedFrom: string;
    rankedWhere(match: string): string;
    filterWhere(match: string): string;
    rank(match: string): string;
    /** The search words as this engine's query string: every word must match, as a prefix. */
    query(terms: string[]): string;
  };
}

/** Collects parameters and hands out their placeholders. */
export class Params {
  readonly values: SqlValue[] = [];
  constructor(private readonly dialect: Dialect) {}
  add(value: SqlValue): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

/** Only plain identifiers ever reach SQL as field names. */
export function safeName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe field name ${name}`);
  return name;
}

function sortExpr(d: Dialect, q: ObjectListQuery, params: Params): string {
  if (q.sort === null) return d.search.rank(params.add(d.search.query(q.terms)));
  const target = q.sort.target;
  if (target.kind === 'top') return d.bytewise(target.name);
  return fieldSortExpr(d, target.field);
}

/** The sort expression of a field; enums sort in manifest order (low < medium < high < critical). */
function fieldSortExpr(d: Dialect, field: FieldSpec): string {
  if (field.type === 'enum' && field.values) {
    const arms = field.values.map((v, i) => `WHEN '${v.replace(/'/g, "''")}' THEN ${i}`).join(' ');
    return `(CASE ${d.field(safeName(field.name))} ${arms} END)`;
  }
  if (field.type === 'number') return d.field(safeName(field.name), true);
  return d.bytewise(d.field(safeName(field.name)));
}

function filters(d: Dialect, q: ObjectListQuery, params: Params): string[] {
  const where = [`workspace_id = ${params.add(q.workspaceId)}`, `type = ${params.add(q.type)}`, `is_deleted = ${d.boolLiteral(false)}`];
  if (!q.includeArchived) where.push(`is_archived = ${d.boolLiteral(false)}`);
  if (q.id !== undefined) where.push(`id = ${params.add(q.id)}`);
  for (const f of q.filters) {
    // A list field (tags, member ids) matches when it contains one of the values.
    if (f.target.kind === 'data' && (f.target.field.type === 'tags' || f.target.field.type === 'members')) {
      where.push(d.tagsContain(safeName(f.target.field.name), f.values.map((v) => params.add(v as string))));
      continue;
    }
    const column = f.target.kind === 'top' ? f.target.name : d.field(safeName(f.target.field.name));
    // An empty value of a data field means "not set" (`data__board_id=` lists the cards without a
    // board): a field cleared with null is absent from `data`, so it reads as NULL.
    const unset = f.target.kind === 'data' && f.values.includes('');
    const placeholders = f.values.filter((v) => !(unset && v === '')).map((v) => (typeof v === 'boolean' ? d.boolLiteral(v) : params.add(v)));
    const arms = unset ? [`${column} IS NULL`, `${column} = ''`] : [];
    if (placeholders.length === 1) arms.push(`${column} = ${placeholders[0]}`);
    else if (placeholders.length > 1) arms.push(`${column} IN (${placeholders.join(', ')})`);
    where.push(arms.length === 1 ? arms[0] : `(${arms.join(' OR ')})`);
  }
  return where;
}

/** The SQL of one page, given the cursor row's sort value and id (looked up with `cursorSql`). */
/** An object of `objects` as presentObject presents it, as JSON text written by the database. */
export function presentedJsonSql(d: Dialect): string {
  return d.jsonObject(PRESENTED_OBJECT_FIELDS.map(([key, kind]) => [key, `objects.${key}`, kind] as const));
}

/**
 * The page's SQL: each row is `id` and `json`, the object exactly as presentObject presents it,
 * written by the database. One row past the page is read, for an exact `has_more`.
 */
export function pageSql(d: Dialect, q: ObjectListQuery, cursor?: { value: SqlValue; id: string }): { sql: string; params: SqlValue[] } {
  const params = new Params(d);
  const where = filters(d, q, params);
  let from = 'objects';
  if (q.terms.length > 0) {
    if (q.sort === null) {
      from = d.search.rankedFrom;
      where.push(d.search.rankedWhere(params.add(d.search.query(q.terms))));
    } else {
      where.push(d.search.filterWhere(params.add(d.search.query(q.terms))));
    }
  }
  const desc = q.sort?.desc ?? false;
  const expr = sortExpr(d, q, params);
  const id = d.bytewise('id');
  if (cursor) {
    // NULLs come first ascending and last descending (see Dialect.nulls); the conditions follow suit.
    const op = desc ? '<' : '>';
    const cursorId = params.add(cursor.id);
    if (cursor.value === null) {
      where.push(desc ? `(${expr} IS NULL AND ${id} < ${cursorId})` : `((${expr} IS NULL AND ${id} > ${cursorId}) OR ${expr} IS NOT NULL)`);
    } else {
      const value = params.add(cursor.value);
      where.push(`(${expr} ${op} ${value} OR (${expr} = ${value} AND ${id} ${op} ${cursorId})${desc ? ` OR ${expr} IS NULL` : ''})`);
    }
  }
  const dir = desc ? 'DESC' : 'ASC';
  const limit = params.add(q.limit + 1);
  const offset = params.add(q.offset);
  const sql = `SELECT objects.id, ${presentedJsonSql(d)} AS json FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${expr} ${dir} ${d.nulls(desc)}, ${id} ${dir} LIMIT ${limit} OFFSET ${offset}`;
  return { sql, params: params.values };
}

/** The query reading the `after` row's sort value (and proving it belongs to this workspace and type). */
export function cursorSql(d: Dialect, q: ObjectListQuery, afterId: string): { sql: string; params: SqlValue[] } {
  const params = new Params(d);
  const expr = sortExpr(d, q, params);
  const scope = `workspace_id = ${params.add(q.workspaceId)} AND type = ${params.add(q.type)} AND id = ${params.add(afterId)}`;
  if (q.sort === null) {
    const match = d.search.rankedWhere(params.add(d.search.query(q.terms)));
    return { sql: `SELECT ${expr} AS v, id FROM ${d.search.rankedFrom} WHERE ${match} AND ${scope}`, params: params.values };
  }
  return { sql: `SELECT ${expr} AS v, id FROM objects WHERE ${scope}`, params: params.values };
}

/** The error for an `after` id that names nothing in this list. */
export function unknownCursor(afterId: string): AppError {
  return new AppError('invalid_query', `after "${afterId}" is not an object of this list; pass meta.next_cursor from the previous page, or leave after out to start from the beginning`, {
    errors: [{ field: 'after', message: 'unknown cursor' }],
  });
}

/**
 * Whether `next`'s search text is `previous`'s (searchText reads only the string values of the
 * model's search fields): an update that leaves them, such as a move, keeps its index entry.
 */
export function searchTextUnchanged(fields: string[], previous: Record<string, unknown>, next: Record<string, unknown>): boolean {
  const value = (data: Record<string, unknown>, name: string) => (typeof data[name] === 'string' ? data[name] : '');
  return fields.every((name) => value(previous, name) === value(next, name));
}

/** The text the search index holds for an object: its first search field as title, the rest as body. */
export function searchText(fields: string[], data: Record<string, unknown>): { title: string; body: string } {
  const text = (name: string | undefined) => (name !== undefined && typeof data[name] === 'string' ? foldForSearch(data[name] as string) : '');
  const [first, ...rest] = fields;
  return { title: text(first), body: rest.map(text).filter(Boolean).join('\n') };
}
