/**
 * The fields of an object as the API presents it (presenters.ts: presentObject), in order, with how
 * each is stored: the stores build list pages and single reads as JSON in SQL from this list, so a
 * page of 50 objects is never parsed and re-serialised. It lives with the store, which must not
 * import presenters (dependencies point one way). list.test.ts holds every listed object equal to
 * its GET on both stores; dependencies.test.ts holds these keys equal to presentObject's.
 */
import type { ObjectRow } from './types.js';

export const PRESENTED_OBJECT_FIELDS = [
  ['id', 'text'], ['type', 'text'], ['status', 'text'], ['owned_by', 'text'], ['created_by', 'text'], ['updated_by', 'text'],
  ['is_archived', 'bool'], ['is_deleted', 'bool'], ['created_at', 'text'], ['updated_at', 'text'], ['version', 'int'], ['data', 'json'], ['key', 'text'],
] as const satisfies ReadonlyArray<readonly [keyof ObjectRow, PresentedKind]>;

/** How a presented column is stored, which decides how SQL turns it into JSON. */
export type PresentedKind = 'text' | 'bool' | 'int' | 'json';
