/**
 * List-query parsing: query parameters → a dialect-free description of filters, sort and paging.
 *
 * Unknown filters and sorts are errors that list the allowed ones; nothing is silently ignored.
 * The stores translate the result into SQL.
 */
import { AppError, validationError, type FieldError } from './errors.js';
import { fieldOf, type FieldSpec, type ModelSpec } from './manifest.js';

/** Parameters with a meaning of their own; every other parameter is a filter. */
export const LIST_PARAMS = ['limit', 'offset', 'sort', 'q', 'after'] as const;

/** Default page size when `limit` is absent (then clamped to the model's `max_limit`). */
export const DEFAULT_LIMIT = 50;
/** Longest accepted `q`. */
export const MAX_QUERY_LENGTH = 200;
/** Most values one filter may list. */
export const MAX_FILTER_VALUES = 100;

/** A filterable column: a top-level column or a field under `data`. */
export type FilterTarget = { kind: 'top'; name: 'status' | 'is_archived' | 'owned_by' } | { kind: 'data'; field: FieldSpec };

/** One filter: the column must equal one of the values (tags fields: contain one of them). */
export interface FilterClause {
  param: string;
  target: FilterTarget;
  values: Array<string | boolean>;
}

/** A sort key; ties always break by id in the same direction. */
export interface SortSpec {
  /** The wire key, e.g. `data__position` or `created_at`. */
  key: string;
  target: { kind: 'top'; name: 'created_at' | 'updated_at' } | { kind: 'data'; field: FieldSpec };
  desc: boolean;
}

/** A parsed list request. `sort: null` means ranked by `q`. */
export interface ListQuery {
  filters: FilterClause[];
  sort: SortSpec | null;
  limit: number;
  offset: number;
  after?: string;
  /** The search words of `q`, stripped of every search-syntax character. */
  terms: string[];
  /** True when `is_archived` is filtered on; otherwise archived objects are left out. */
  includeArchived: boolean;
}

/** Raw query parameters: repeated parameters arrive as arrays. */
export type RawParams = Record<string, string | string[] | undefined>;

const TOP_FILTERS = new Set(['status', 'is_archived', 'owned_by']);
const TOP_SORTS = new Set(['created_at', 'updated_at']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** `true/false/True/False/1/0` → boolean (the reference client sends Python's `str(True)`). */
export function parseBoolean(value: string): boolean | undefined {
  switch (value.trim().toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
}

/** A run of Chinese, Japanese or Korean characters: written without spaces between words. */
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC]+/gu;

/** Only ASCII: every normalisation form leaves it as it is, and it holds no mark and no CJK. */
const ASCII = /^[\x00-\x7f]*$/;

/** Compatibility-normalised, accents removed, recomposed (so Korean syllables stay syllables). */
function fold(text: string): string {
  // Most titles and descriptions are ASCII: three passes over them (measured: about 10 µs a card create) change nothing.
  if (ASCII.test(text)) return text;
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').normalize('NFC');
}

/** A CJK run's overlapping pairs of characters ("登录超时" → 登录 录超 超时), or the run if it is one character. */
function cjkPairs(run: string): string[] {
  const chars = [...run];
  return chars.length === 1 ? chars : chars.slice(0, -1).map((c, i) => c + chars[i + 1]);
}

/**
 * Text as it is indexed: folded so "cafe" finds "Café". Runs of CJK characters, which neither
 * SQLite's unicode61 nor PostgreSQL's parser split into words, become their overlapping pairs of
 * characters plus the run's last character ("用户登录" → "用户 户登 登录 录"): a query made into pairs
 * (searchTerms) matches any substring of two or more characters, and any single character as a
 * prefix, with the same full-text index on both stores. Latin text is unchanged, and so is its ranking.
 */
export function foldForSearch(text: string): string {
  if (ASCII.test(text)) return text;
  return fold(text).replace(CJK_RUN, (run) => {
    const chars = [...run];
    return ` ${[...cjkPairs(run), ...(chars.length > 1 ? [chars[chars.length - 1]] : [])].join(' ')} `;
  });
}

/**
 * The words of a search: letters and digits only, so no FTS syntax ever reaches the database; a CJK
 * run is searched as its pairs of characters, all of which must match.
 */
export function searchTerms(q: string): string[] {
  const words = (fold(q).match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 16);
  const terms = words.flatMap((w) => w.split(CJK_RUN_SPLIT).filter(Boolean).flatMap((part) => (CJK_ONE.test(part) ? cjkPairs(part) : [part])));
  return [...new Set(terms)].slice(0, 32);
}
const CJK_RUN_SPLIT = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC]+)/u;
const CJK_ONE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30FC]/u;

function single(params: RawParams, name: string, errors: FieldError[]): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) {
    errors.push({ field: name, message: `${name} may be given only once` });
    return undefined;
  }
  return value;
}

function parseInteger(name: string, raw: string | undefined, min: number, errors: FieldError[]): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) {
    errors.push({ field: name, message: `${name} must be a whole number ≥ ${min}; got "${raw.slice(0, 40)}"` });
    return undefined;
  }
  // Huge values are clamped (a limit to max_limit later, an offset past any data), never an error.
  const value = Math.min(Number(raw), Number.MAX_SAFE_INTEGER);
  if (value < min) {
    errors.push({ field: name, message: `${name} must be ≥ ${min}; got ${value}` });
    return undefined;
  }
  return value;
}

function parseSort(type: string, model: ModelSpec, raw: string, errors: FieldError[]): SortSpec | undefined {
  const desc = raw.startsWith('-');
  const key = desc ? raw.slice(1) : raw;
  if (!model.allowed_sorts.includes(key)) {
    errors.push({
      field: 'sort',
      message: `unknown sort "${raw}" for ${type}; allowed: ${model.allowed_sorts.join(', ')} (prefix with - for descending)`,
    });
    return undefined;
  }
  if (TOP_SORTS.has(key)) return { key, desc, target: { kind: 'top', name: key as 'created_at' | 'updated_at' } };
  const field = fieldOf(model, key.slice('data__'.length));
  if (!field) throw new Error(`manifest: sort ${key} names no field of ${type}`);
  return { key, desc, target: { kind: 'data', field } };
}

function parseFilter(type: string, model: ModelSpec, param: string, raw: string | string[], errors: FieldError[]): FilterClause | undefined {
  if (!model.allowed_filters.includes(param)) {
    errors.push({
      field: param,
      message: `unknown filter "${param}" for ${type}; allowed filters: ${model.allowed_filters.join(', ')}; other parameters: ${LIST_PARAMS.join(', ')}`,
    });
    return undefined;
  }
  const rawValues = Array.isArray(raw) ? raw : [raw];
  if (rawValues.length > MAX_FILTER_VALUES) {
    errors.push({ field: param, message: `${param} may list at most ${MAX_FILTER_VALUES} values` });
    return undefined;
  }
  let target: FilterTarget;
  if (TOP_FILTERS.has(param)) {
    target = { kind: 'top', name: param as 'status' | 'is_archived' | 'owned_by' };
  } else {
    const field = fieldOf(model, param.slice('data__'.length));
    if (!field) throw new Error(`manifest: filter ${param} names no field of ${type}`);
    target = { kind: 'data', field };
  }
  const values: Array<string | boolean> = [];
  for (const value of rawValues) {
    if (param === 'is_archived') {
      const bool = parseBoolean(value);
      if (bool === undefined) {
        errors.push({ field: param, message: `is_archived must be true or false (also True/False/1/0); got "${value.slice(0, 40)}"` });
        return undefined;
      }
      values.push(bool);
    } else if (value.length > 200 || value.includes('\u0000')) {
      errors.push({ field: param, message: `${param} values must be at most 200 characters without NUL characters` });
      return undefined;
    } else {
      values.push(value);
    }
  }
  return { param, target, values };
}

/**
 * Parses list parameters for one model. Throws a 400 (`invalid_query`) naming every bad parameter
 * and what is allowed instead.
 */
export function parseListQuery(type: string, model: ModelSpec, params: RawParams): ListQuery {
  const errors: FieldError[] = [];
  const limitRaw = parseInteger('limit', single(params, 'limit', errors), 1, errors);
  const offset = parseInteger('offset', single(params, 'offset', errors), 0, errors) ?? 0;
  const sortRaw = single(params, 'sort', errors);
  const q = single(params, 'q', errors);
  const after = single(params, 'after', errors);

  let sort: SortSpec | null | undefined = sortRaw !== undefined && sortRaw !== '' ? parseSort(type, model, sortRaw, errors) : undefined;
  let terms: string[] = [];
  if (q !== undefined && q.trim() !== '') {
    if (q.length > MAX_QUERY_LENGTH) {
      errors.push({ field: 'q', message: `q must be at most ${MAX_QUERY_LENGTH} characters` });
    } else {
      terms = searchTerms(q);
      if (terms.length === 0) errors.push({ field: 'q', message: 'q must contain at least one letter or digit to search for' });
    }
  }
  if (after !== undefined && !isUuid(after)) {
    errors.push({ field: 'after', message: 'after must be the id (a UUID) of the last object of the previous page, as given in meta.next_cursor' });
  }

  const filters: FilterClause[] = [];
  for (const [param, raw] of Object.entries(params)) {
    if (raw === undefined || (LIST_PARAMS as readonly string[]).includes(param)) continue;
    const clause = parseFilter(type, model, param, raw, errors);
    if (clause) filters.push(clause);
  }
  if (errors.length > 0) throw validationError(errors, 'invalid_query');

  if (sort === undefined) sort = terms.length > 0 ? null : parseSort(type, model, model.default_sort, errors) ?? null;
  return {
    filters,
    sort,
    limit: Math.min(limitRaw ?? DEFAULT_LIMIT, model.max_limit),
    offset,
    after,
    terms,
    includeArchived: filters.some((f) => f.param === 'is_archived'),
  };
}

/** A 400 for a path segment that is not a UUID. */
export function assertUuid(id: string, what = 'id'): void {
  if (!isUuid(id)) {
    throw new AppError('validation_failed', `${what} "${id.slice(0, 80)}" is not a valid id; ids are UUIDs such as 0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60`, {
      errors: [{ field: what, message: `${what} must be a UUID` }],
    });
  }
}
