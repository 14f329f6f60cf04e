/**
 * A card's checklist and its assignees: parsing what clients send into the one stored form.
 *
 * The checklist is a field of the card, not a model of its own: it is small (at most
 * `CHECKLIST_LIMITS.maxItems` items), always read with the card, and versioned with it, so ticking an
 * item on a card someone else just changed is a 412 under If-Match like any other edit, and one write
 * records one activity entry. Each item keeps a stable id so a client can rename, reorder or tick it
 * by id and a diff can tell which item changed.
 */
import { validationError, type FieldError } from './errors.js';
import { isUuid } from './query.js';
import { isStorableText } from './validate-text.js';

/** One checklist item, as stored. */
export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
}

/** Limits shared by the server and the web app. */
export const CHECKLIST_LIMITS = { maxItems: 100, maxTextLength: 500, maxIdLength: 64 } as const;

/** The most assignees one card may have. */
export const MAX_ASSIGNEES = 20;

/** The assignee value that stands for the caller. */
export const ME = 'me';

const ITEM_ID = /^[A-Za-z0-9_-]+$/;
const CHECKLIST_HELP = 'Send checklist as an array of {id?, text, done?}, e.g. [{"text": "Write tests"}, {"id": "a1", "text": "Ship", "done": true}].';

/** A new item id: short, random, URL-safe. */
export function newChecklistItemId(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12);
}

/**
 * The stored form of `checklist`, or a 400 naming each bad item (`checklist[2].text`).
 * Items without an id get a new one; text is trimmed; `done` defaults to false.
 */
export function normalizeChecklist(raw: unknown, newId: () => string = newChecklistItemId): ChecklistItem[] {
  if (!Array.isArray(raw)) throw validationError([{ field: 'checklist', message: `checklist must be an array. ${CHECKLIST_HELP}` }]);
  const { maxItems, maxTextLength, maxIdLength } = CHECKLIST_LIMITS;
  if (raw.length > maxItems) {
    throw validationError([{ field: 'checklist', message: `checklist may hold at most ${maxItems} items; got ${raw.length}. Split it across cards or drop finished items.` }]);
  }
  const errors: FieldError[] = [];
  const out: ChecklistItem[] = [];
  const seen = new Set<string>();
  raw.forEach((item, index) => {
    const at = `checklist[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors.push({ field: at, message: `${at} must be an object {id?, text, done?}. ${CHECKLIST_HELP}` });
      return;
    }
    const { id, text, done, ...rest } = item as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) errors.push({ field: at, message: `${at} has unknown field ${unknown.join(', ')}; an item has only id, text and done.` });
    let itemId: string;
    if (id === undefined || id === null || id === '') {
      itemId = newId();
    } else if (typeof id !== 'string' || id.length > maxIdLength || !ITEM_ID.test(id)) {
      errors.push({ field: `${at}.id`, message: `${at}.id must be 1-${maxIdLength} characters of A-Z, a-z, 0-9, _ or - (or leave it out for a new item).` });
      return;
    } else if (seen.has(id)) {
      errors.push({ field: `${at}.id`, message: `${at}.id "${id}" is used twice; each item needs its own id.` });
      return;
    } else {
      itemId = id;
    }
    seen.add(itemId);
    if (typeof text !== 'string' || text.trim() === '') {
      errors.push({ field: `${at}.text`, message: `${at}.text must be a non-empty string.` });
      return;
    }
    const trimmed = text.trim();
    if (!isStorableText(trimmed)) {
      errors.push({ field: `${at}.text`, message: `${at}.text must not contain NUL characters or unpaired UTF-16 surrogates.` });
      return;
    }
    if (trimmed.length > maxTextLength) {
      errors.push({ field: `${at}.text`, message: `${at}.text must be at most ${maxTextLength} characters (got ${trimmed.length}).` });
      return;
    }
    if (done !== undefined && done !== null && typeof done !== 'boolean') {
      errors.push({ field: `${at}.done`, message: `${at}.done must be true or false.` });
      return;
    }
    out.push({ id: itemId, text: trimmed, done: done === true });
  });
  if (errors.length > 0) throw validationError(errors);
  return out;
}

/** Done and total items of a checklist (anything not an array counts as none). */
export function checklistProgress(checklist: unknown): { done: number; total: number } {
  if (!Array.isArray(checklist)) return { done: 0, total: 0 };
  return { done: checklist.filter((item) => (item as ChecklistItem | null)?.done === true).length, total: checklist.length };
}

/**
 * The stored form of `assignees` before membership is checked: distinct user ids, `me` kept for the
 * server to resolve. A comma-separated string is accepted too (clients that advertise it loosely).
 */
export function normalizeAssignees(raw: unknown): string[] {
  const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : raw;
  const help = 'Send assignees as an array of member user ids, e.g. ["me", "0190f5a2-7c1e-7b3d-9a4e-2f1c3d4e5f60"]; the Members page and GET /xapi2/members list them.';
  if (!Array.isArray(items)) throw validationError([{ field: 'assignees', message: `assignees must be an array. ${help}` }]);
  if (items.length > MAX_ASSIGNEES) {
    throw validationError([{ field: 'assignees', message: `assignees may hold at most ${MAX_ASSIGNEES} members; got ${items.length}.` }]);
  }
  const errors: FieldError[] = [];
  const out: string[] = [];
  items.forEach((item, index) => {
    const at = `assignees[${index}]`;
    if (typeof item !== 'string' || (item !== ME && !isUuid(item))) {
      errors.push({ field: at, message: `${at} must be a member's user id (a UUID) or "me". ${help}` });
      return;
    }
    const id = item === ME ? ME : item.toLowerCase();
    if (!out.includes(id)) out.push(id);
  });
  if (errors.length > 0) throw validationError(errors);
  return out;
}
