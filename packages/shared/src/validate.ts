/**
 * Input validation for create and update bodies, derived from the manifest.
 *
 * Each field's zod schema is built once from its manifest entry; the messages name the field and the
 * fix. Unknown fields, wrong types, oversize strings, enum values outside the list and dates that are
 * not ISO 8601 all fail here, before anything is written.
 */
import { BOARD_KEY_RULE, normalizeBoardKey } from './keys.js';
import { z } from 'zod';
import { normalizeAssignees, normalizeChecklist } from './card-fields.js';
import { normalizeColumns } from './columns.js';
import { AppError, listWords, validationError, type FieldError } from './errors.js';
import { fieldOf, type FieldSpec, type Json, type ModelSpec } from './manifest.js';
import { isStorableText } from './validate-text.js';

export { UNSTORABLE_TEXT, isStorableText } from './validate-text.js';

/** Limits for free-form values, shared by the server and the web app. */
export const VALUE_LIMITS = { maxTags: 50, maxTagLength: 64, maxSettingsBytes: 16 * 1024 } as const;

/** How much of a caller's own input an error message repeats: enough to recognise it, never a 100 KB echo. */
export const MAX_ECHO_LENGTH = 100;

/** Input quoted back in an error: at most `MAX_ECHO_LENGTH` characters, with an ellipsis when cut. */
export function clipEcho(text: string, max = MAX_ECHO_LENGTH): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Top-level keys a PATCH body may carry besides the model's fields. */
export const UPDATE_TOP_LEVEL_KEYS = ['is_archived'] as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** True for an ISO 8601 date (2026-12-31) or date-time (2026-12-31T09:30:00Z) naming a real day and time. */
export function isIso8601(value: string): boolean {
  const m = ISO_DATE.exec(value) ?? ISO_DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
  return true;
}

function stringSchema(field: FieldSpec): z.ZodType {
  let schema = z.string({ error: `${field.name} must be a string` }).refine(isStorableText, {
    error: `${field.name} must not contain NUL characters or unpaired UTF-16 surrogates`,
  });
  if (field.max_len !== undefined) {
    const max = field.max_len;
    schema = schema.refine((s) => s.length <= max, {
      error: (issue) => `${field.name} must be at most ${max} characters (got ${(issue.input as string).length})`,
    });
  }
  if (field.required) {
    schema = schema.refine((s) => s.trim().length > 0, { error: `${field.name} must not be empty` });
  }
  if (field.format === 'iso8601') {
    schema = schema.refine(isIso8601, {
      error: `${field.name} must be an ISO 8601 date such as 2026-12-31 or a date-time such as 2026-12-31T17:00:00Z`,
    });
  }
  return schema;
}

function tagsSchema(field: FieldSpec): z.ZodType {
  const { maxTags, maxTagLength } = VALUE_LIMITS;
  const tag = z
    .string({ error: `each of ${field.name} must be a string` })
    .transform((s) => s.trim())
    .refine((s) => s.length > 0 && s.length <= maxTagLength && isStorableText(s), {
      error: `each of ${field.name} must be 1-${maxTagLength} characters`,
    });
  return z
    .array(tag, { error: `${field.name} must be an array of strings, e.g. ["bug", "ui"]` })
    .max(maxTags, { error: `${field.name} may hold at most ${maxTags} tags` })
    .transform((tags) => [...new Set(tags)]);
}

/** How deep a free-form object may nest (databases' JSON functions stop near 1,000). */
export const MAX_JSON_DEPTH = 32;

function depthOf(value: unknown, limit: number): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const child of Object.values(value as Record<string, unknown>)) deepest = Math.max(deepest, depthOf(child, limit - 1));
  return deepest + 1;
}

function dictSchema(field: FieldSpec): z.ZodType {
  const max = VALUE_LIMITS.maxSettingsBytes;
  return z
    .record(z.string(), z.unknown(), { error: `${field.name} must be a JSON object` })
    .refine((value) => depthOf(value, MAX_JSON_DEPTH + 1) <= MAX_JSON_DEPTH, { error: `${field.name} may nest at most ${MAX_JSON_DEPTH} levels deep`, abort: true })
    .refine((value) => JSON.stringify(value).length <= max, { error: `${field.name} must be at most ${max} bytes of JSON` })
    .refine((value) => !JSON.stringify(value).includes('\\u0000'), { error: `${field.name} must not contain NUL characters` });
}

function fieldSchema(field: FieldSpec): z.ZodType {
  switch (field.type) {
    case 'string':
      return stringSchema(field);
    case 'number':
      return z.number({ error: `${field.name} must be a number` }).finite({ error: `${field.name} must be a finite number` });
    case 'enum': {
      const values = field.values ?? [];
      return z.enum(values as [string, ...string[]], {
        error: `${field.name} must be one of: ${listWords(values)}`,
      });
    }
    case 'tags':
      return tagsSchema(field);
    case 'dict':
      return dictSchema(field);
    case 'columns':
    case 'checklist':
    case 'members':
      // These have their own parsers with their own messages (columns.ts, card-fields.ts); see parseField.
      return z.unknown();
  }
}

const schemaCache = new WeakMap<FieldSpec, z.ZodType>();

function schemaFor(field: FieldSpec): z.ZodType {
  let schema = schemaCache.get(field);
  if (!schema) {
    schema = fieldSchema(field);
    schemaCache.set(field, schema);
  }
  return schema;
}

/** The validated, normalised input of a create or update. */
export interface ValidatedInput {
  /** Fields to set, in their stored form. */
  set: Record<string, Json>;
  /** Optional fields cleared with `null` (update only). */
  clear: string[];
  /** Top-level `is_archived`, when the PATCH carries it. */
  isArchived?: boolean;
  /** Top-level `key` of a board (its human key, `WEB`), normalised, when the body carries it. */
  key?: string;
}

function requireObject(body: unknown, type: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw validationError([
      { field: 'body', message: `the request body must be a JSON object of ${type} fields, e.g. {"${type === 'card' ? 'title' : 'name'}": "..."}` },
    ]);
  }
  return body as Record<string, unknown>;
}

/**
 * Validates a create (`op: 'create'`) or partial update (`op: 'update'`) body against the model.
 * Collects every problem before failing, so one round trip tells the caller all it must fix.
 */
export function validateInput(type: string, model: ModelSpec, op: 'create' | 'update', body: unknown): ValidatedInput {
  const input = requireObject(body, type);
  const allowed = op === 'create' ? model.create_fields : model.update_fields;
  const errors: FieldError[] = [];
  const out: ValidatedInput = { set: {}, clear: [] };

  for (const [key, value] of Object.entries(input)) {
    if (op === 'update' && key === 'is_archived') {
      if (typeof value !== 'boolean') errors.push({ field: key, message: 'is_archived must be true or false' });
      else out.isArchived = value;
      continue;
    }
    if (type === 'board' && key === 'key') {
      const normalized = typeof value === 'string' ? normalizeBoardKey(value) : undefined;
      if (normalized === undefined) errors.push({ field: 'key', message: `${BOARD_KEY_RULE}; got ${clipEcho(JSON.stringify(value) ?? 'nothing')}` });
      else out.key = normalized;
      continue;
    }
    const field = allowed.includes(key) ? fieldOf(model, key) : undefined;
    if (!field) {
      const extra = op === 'update' ? [...allowed, ...UPDATE_TOP_LEVEL_KEYS] : allowed;
      errors.push({ field: clipEcho(key), message: `unknown field "${clipEcho(key)}" for ${type}; allowed fields: ${extra.join(', ')}` });
      continue;
    }
    if (value === null || value === undefined) {
      if (field.required) errors.push({ field: key, message: `${key} is required and cannot be cleared` });
      else if (op === 'update') out.clear.push(key);
      continue;
    }
    const parsed = parseField(field, value);
    if ('errors' in parsed) errors.push(...parsed.errors);
    else out.set[key] = parsed.value;
  }

  if (op === 'create') {
    for (const field of model.fields) {
      if (field.required && !(field.name in out.set) && !errors.some((e) => e.field === field.name)) {
        errors.push({ field: field.name, message: `${field.name} is required to create a ${type}` });
      }
    }
  } else if (Object.keys(out.set).length === 0 && out.clear.length === 0 && out.isArchived === undefined && out.key === undefined && errors.length === 0) {
    errors.push({ field: 'body', message: `nothing to update; send at least one of: ${[...allowed, ...UPDATE_TOP_LEVEL_KEYS].join(', ')}` });
  }
  if (errors.length > 0) throw validationError(errors);
  return out;
}

/** Fields whose own parser throws an AppError listing every problem. */
const STRUCTURED_PARSERS: Partial<Record<FieldSpec['type'], (value: unknown) => unknown>> = {
  columns: normalizeColumns,
  checklist: (value) => normalizeChecklist(value),
  members: normalizeAssignees,
};

function parseField(field: FieldSpec, value: unknown): { value: Json } | { errors: FieldError[] } {
  const parser = STRUCTURED_PARSERS[field.type];
  if (parser) {
    try {
      return { value: parser(value) as Json };
    } catch (err) {
      if (err instanceof AppError) return { errors: err.errors };
      throw err;
    }
  }
  const parsed = schemaFor(field).safeParse(value);
  if (parsed.success) return { value: parsed.data as Json };
  return { errors: parsed.error.issues.map((issue) => issueToFieldError(field.name, issue)) };
}

function issueToFieldError(key: string, issue: z.core.$ZodIssue): FieldError {
  const path = issue.path.length > 0 ? `${key}${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}` : key;
  return { field: path, message: issue.message };
}
