/** SQLite's spelling of the list SQL (see sql/list-builder.ts). */
import type { Dialect } from '../sql/list-builder.js';

/** A data field as SQL; identical to the index expressions in sqlite/migrations.ts. */
export function sqliteField(name: string): string {
  return `json_extract(data, '$.${name}')`;
}

export const sqliteDialect: Dialect = {
  // Named placeholders, because one value may appear several times (a cursor, a rank).
  placeholder: (n) => `@p${n}`,
  field: (name) => sqliteField(name),
  bytewise: (expr) => expr,
  tagsContain: (field, placeholders) => `EXISTS (SELECT 1 FROM json_each(data, '$.${field}') WHERE json_each.value IN (${placeholders.join(', ')}))`,
  boolLiteral: (value) => (value ? '1' : '0'),
  // Booleans are stored as 0/1 and JSON as text: both are turned into JSON values explicitly.
  jsonObject: (fields) =>
    `json_object(${fields
      .map(([key, column, kind]) => `'${key}', ${kind === 'bool' ? `json(CASE WHEN ${column} THEN 'true' ELSE 'false' END)` : kind === 'json' ? `json(${column})` : column}`)
      .join(', ')})`,
  nulls: () => '', // SQLite's own order: NULLs first ascending, last descending.
  search: {
    rankedFrom: 'objects JOIN objects_fts ON objects_fts.rowid = objects.seq',
    rankedWhere: (match) => `objects_fts MATCH ${match}`,
    filterWhere: (match) => `seq IN (SELECT rowid FROM objects_fts WHERE objects_fts MATCH ${match})`,
    rank: () => 'bm25(objects_fts, 10.0, 1.0)',
    query: (terms) => terms.map((t) => `"${t}"*`).join(' '),
  },
};

/** Named parameters as better-sqlite3 binds them. */
export function named(values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  values.forEach((v, i) => (out[`p${i + 1}`] = v));
  return out;
}
