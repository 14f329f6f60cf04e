/** PostgreSQL's spelling of the list SQL (see sql/list-builder.ts). */
import type { Dialect } from '../sql/list-builder.js';

/** A data field as SQL; identical to the index expressions in postgres/migrations.ts. */
export function pgField(name: string, numeric = false): string {
  return numeric ? `((data->>'${name}')::float8)` : `(data->>'${name}')`;
}

export const pgDialect: Dialect = {
  placeholder: (n) => `$${n}`,
  field: pgField,
  bytewise: (expr) => `(${expr} COLLATE "C")`,
  tagsContain: (field, placeholders) => `(data->'${field}') ?| ARRAY[${placeholders.join(', ')}]::text[]`,
  boolLiteral: (value) => (value ? 'true' : 'false'),
  // row_to_json of a one-row subselect: booleans, integers and jsonb become JSON values of their
  // own (measured: a third cheaper than json_build_object, which looks up each argument's type per row).
  jsonObject: (fields) => `row_to_json((SELECT r FROM (SELECT ${fields.map(([key, column]) => `${column} AS ${key}`).join(', ')}) r))::text`,
  // Spelled out to match SQLite: NULLs first ascending, last descending.
  nulls: (desc) => (desc ? 'NULLS LAST' : 'NULLS FIRST'),
  search: {
    rankedFrom: 'objects',
    rankedWhere: (match) => `search @@ to_tsquery('simple', ${match})`,
    filterWhere: (match) => `search @@ to_tsquery('simple', ${match})`,
    // Negated so that, as with SQLite's bm25, lower sorts first.
    rank: (match) => `(-ts_rank(search, to_tsquery('simple', ${match}))::float8)`,
    query: (terms) => terms.map((t) => `${t.toLowerCase()}:*`).join(' & '),
  },
};
