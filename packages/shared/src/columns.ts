/**
 * Board columns: parsing every input form clients send into the one stored form.
 *
 * Accepted: an array of `{key?, name, wip_limit?}`, an array of names, a JSON string of either, or a
 * comma-separated string of names (clients reading the reference schema send `columns` as a string).
 */
import { AppError, validationError, type FieldError } from './errors.js';

/** One column of a board, as stored. */
export interface Column {
  key: string;
  name: string;
  wip_limit?: number;
}

/** Limits shared by the server and the web app's forms. */
export const COLUMN_LIMITS = { maxColumns: 50, maxNameLength: 100, maxKeyLength: 64, maxWipLimit: 100_000 } as const;

/** The columns a board gets when it is created without any. */
export const DEFAULT_COLUMNS: readonly Column[] = Object.freeze([
  { key: 'todo', name: 'To do' },
  { key: 'in_progress', name: 'In progress' },
  { key: 'review', name: 'Review' },
  { key: 'done', name: 'Done' },
]);

const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const HELP =
  'Send columns as an array of {key, name, wip_limit?}, an array of names, or a comma-separated string of names, e.g. "To do, Doing, Done".';

/** A column key made from a name: "In progress" → "in_progress". */
export function columnKeyFromName(name: string): string {
  const key = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, COLUMN_LIMITS.maxKeyLength);
  return key || 'column';
}

function parseString(raw: string): unknown[] {
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      throw validationError([{ field: 'columns', message: `columns looks like JSON but does not parse. ${HELP}` }]);
    }
  }
  return text.split(',').map((part) => part.trim()).filter((part) => part.length > 0);
}

/**
 * The stored form of `columns`, or a 400 naming each problem.
 * Keys are made from names when absent and made unique; names are trimmed.
 */
export function normalizeColumns(raw: unknown): Column[] {
  const items = typeof raw === 'string' ? parseString(raw) : raw;
  if (!Array.isArray(items)) {
    throw validationError([{ field: 'columns', message: `columns must be a list. ${HELP}` }]);
  }
  if (items.length === 0) {
    throw validationError([{ field: 'columns', message: `columns must hold at least one column. ${HELP}` }]);
  }
  if (items.length > COLUMN_LIMITS.maxColumns) {
    throw validationError([
      { field: 'columns', message: `columns may hold at most ${COLUMN_LIMITS.maxColumns} columns; got ${items.length}.` },
    ]);
  }
  const errors: FieldError[] = [];
  const out: Column[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const at = `columns[${index}]`;
    const spec = typeof item === 'string' ? { name: item } : item;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      errors.push({ field: at, message: `${at} must be a name or an object {key, name, wip_limit?}.` });
      return;
    }
    const { key, name, wip_limit: wip, ...rest } = spec as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      errors.push({ field: at, message: `${at} has unknown field ${unknown.join(', ')}; a column has only key, name and wip_limit.` });
    }
    if (typeof name !== 'string' || name.trim() === '') {
      errors.push({ field: `${at}.name`, message: `${at}.name must be a non-empty string.` });
      return;
    }
    const trimmed = name.trim();
    if (trimmed.includes('\u0000')) {
      errors.push({ field: `${at}.name`, message: `${at}.name must not contain NUL characters.` });
      return;
    }
    if (trimmed.length > COLUMN_LIMITS.maxNameLength) {
      errors.push({ field: `${at}.name`, message: `${at}.name must be at most ${COLUMN_LIMITS.maxNameLength} characters.` });
    }
    let finalKey: string;
    if (key === undefined || key === null || key === '') {
      finalKey = columnKeyFromName(trimmed);
      for (let n = 2; seen.has(finalKey); n++) finalKey = `${columnKeyFromName(trimmed).slice(0, 60)}_${n}`;
    } else if (typeof key !== 'string' || key.length > COLUMN_LIMITS.maxKeyLength || !KEY_PATTERN.test(key)) {
      errors.push({
        field: `${at}.key`,
        message: `${at}.key must be 1-${COLUMN_LIMITS.maxKeyLength} characters of a-z, 0-9, _ or -, starting with a letter or digit (or leave it out to derive it from the name).`,
      });
      return;
    } else if (seen.has(key)) {
      errors.push({ field: `${at}.key`, message: `${at}.key "${key}" is used twice; column keys must be unique.` });
      return;
    } else {
      finalKey = key;
    }
    seen.add(finalKey);
    const column: Column = { key: finalKey, name: trimmed };
    if (wip !== undefined && wip !== null) {
      if (typeof wip !== 'number' || !Number.isInteger(wip) || wip < 1 || wip > COLUMN_LIMITS.maxWipLimit) {
        errors.push({ field: `${at}.wip_limit`, message: `${at}.wip_limit must be a whole number from 1 to ${COLUMN_LIMITS.maxWipLimit}, or null for no limit.` });
      } else {
        column.wip_limit = wip;
      }
    }
    out.push(column);
  });
  if (errors.length > 0) throw validationError(errors);
  return out;
}

/**
 * The column key a card status names: the key itself, or a column's name (any case).
 * Throws a 400 listing the valid keys when it names no column.
 */
export function resolveColumnKey(columns: readonly Column[], status: string): string {
  const byKey = columns.find((c) => c.key === status);
  if (byKey) return byKey.key;
  const folded = status.trim().toLowerCase();
  const byName = columns.find((c) => c.name.toLowerCase() === folded || c.key === folded);
  if (byName) return byName.key;
  const valid = columns.map((c) => `${c.key} (${c.name})`).join(', ');
  throw new AppError('validation_failed', `status "${status}" is not a column of this board; use one of the column keys: ${valid}.`, {
    errors: [{ field: 'status', message: `status must be one of: ${columns.map((c) => c.key).join(', ')}` }],
  });
}
