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
