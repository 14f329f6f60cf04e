/**
 * Tool argument schemas, derived from the manifest: nothing here lists a model's fields by hand.
 * A field's manifest entry becomes its JSON Schema (types, enums, length limits, descriptions);
 * `columns` is advertised with its real shape, an ordered array of {key, name, wip_limit?}.
 */
import {
  CHECKLIST_LIMITS, COLUMN_LIMITS, MAX_ASSIGNEES, MAX_QUERY_LENGTH, UPDATE_TOP_LEVEL_KEYS, VALUE_LIMITS, fieldOf,
  type FieldSpec, type ModelSpec,
} from '@prodboard/shared';
import type { JsonSchema } from './json-schema.js';

/** Rows `all: true` collects at most. */
export const LIST_ALL_CAP = 5000;

/** The id argument of get, update and delete. */
export function idSchema(type: string): JsonSchema {
  return { type: 'string', minLength: 1, description: `The ${type} id (a UUID, as in data[].id of ${type}_list).` };
}

const COLUMN_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    key: {
      type: 'string',
      maxLength: COLUMN_LIMITS.maxKeyLength,
      description: 'Stable key cards use as their status (a-z, 0-9, _ or -); derived from the name when left out.',
    },
    name: { type: 'string', minLength: 1, maxLength: COLUMN_LIMITS.maxNameLength, description: 'Display name.' },
    wip_limit: { type: 'integer', minimum: 1, maximum: COLUMN_LIMITS.maxWipLimit, description: 'Most cards the column should hold.' },
  },
  required: ['name'],
  additionalProperties: false,
};

const CHECKLIST_ITEM_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: CHECKLIST_LIMITS.maxIdLength },
    text: { type: 'string', minLength: 1, maxLength: CHECKLIST_LIMITS.maxTextLength },
    done: { type: 'boolean' },
  },
  required: ['text'],
  additionalProperties: false,
};

function describe(field: FieldSpec): string | undefined {
  const parts: string[] = [];
  if (field.description) parts.push(field.description);
  if (field.ref) parts.push(`Id of a ${field.ref.type}${field.ref.optional ? ' (optional)' : ''} in your workspace.`);
  if (field.required) parts.push('Required.');
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** The JSON Schema of one manifest field; `nullable` lets an update clear it with null. */
export function fieldSchema(field: FieldSpec, options: { nullable?: boolean } = {}): JsonSchema {
  const description = describe(field);
  let schema: JsonSchema;
  switch (field.type) {
    case 'string':
      schema = { type: 'string', ...(field.max_len !== undefined && { maxLength: field.max_len }) };
      break;
    case 'number':
      schema = { type: 'number' };
      break;
    case 'enum':
      schema = { type: 'string', enum: [...(field.values ?? [])] };
      break;
    case 'tags':
      schema = {
        type: 'array',
        items: { type: 'string', minLength: 1, maxLength: VALUE_LIMITS.maxTagLength },
        maxItems: VALUE_LIMITS.maxTags,
      };
      break;
    case 'dict':
      schema = { type: 'object' };
      break;
    case 'columns':
      schema = { type: 'array', items: COLUMN_SCHEMA, minItems: 1, maxItems: COLUMN_LIMITS.maxColumns };
      break;
    case 'members':
      schema = { type: 'array', items: { type: 'string' }, maxItems: MAX_ASSIGNEES };
      break;
    case 'checklist':
      schema = { type: 'array', items: CHECKLIST_ITEM_SCHEMA, maxItems: CHECKLIST_LIMITS.maxItems };
      break;
    default:
      // A field type newer than this prodmcp: advertise it loosely and let the server validate.
      schema = {};
  }
  if (options.nullable && !field.required && schema.type !== undefined) {
    // anyOf, not `type: [t, "null"]`: single-type dialects (Gemini's function declarations) reject type arrays.
    schema = { anyOf: [schema, { type: 'null' }] };
  }
  return description ? { ...schema, description } : schema;
}

/** One key of a list tool's `filter` argument. */
export interface FilterKey {
  /** The name the tool takes (`status`, `priority`, `record_status`). */
  name: string;
  /** The query parameter it becomes (`data__status`, `data__priority`, `status`). */
  param: string;
  schema: JsonSchema;
}

function oneOrMany(item: JsonSchema, description: string): JsonSchema {
  return { anyOf: [item, { type: 'array', items: item, minItems: 1 }], description };
}

const RECORD_FILTERS: Record<string, { schema: JsonSchema; description: string }> = {
  status: { schema: { type: 'string' }, description: 'Record lifecycle status (active by default), not a column.' },
  is_archived: { schema: { type: 'boolean' }, description: 'true lists archived objects only; archived objects are left out otherwise.' },
  owned_by: { schema: { type: 'string' }, description: 'Owner user id, or "me".' },
};

/**
 * The friendly filter keys of a model: `data__x` is `x` (so a card's `status` is its column);
 * a top-level column whose name a field already takes is `record_<name>`.
 */
export function filterKeys(model: ModelSpec): FilterKey[] {
  const dataNames = new Set(model.allowed_filters.filter((p) => p.startsWith('data__')).map((p) => p.slice(6).replace(/__/g, '.')));
  return model.allowed_filters.map((param): FilterKey => {
    if (param.startsWith('data__')) {
      const name = param.slice(6).replace(/__/g, '.');
      const field = fieldOf(model, name);
      const item: JsonSchema = field?.type === 'enum' ? { type: 'string', enum: [...(field.values ?? [])] }
        : field?.type === 'number' ? { type: 'number' }
        : { type: 'string', maxLength: 200 };
      const what = field?.type === 'tags' ? `Objects whose ${name} contain the value` : `Exact ${name}`;
      const extra = field?.description ? ` ${field.description}` : '';
      return { name, param, schema: oneOrMany(item, `${what}; an array means any of them.${extra}`) };
    }
    const known = RECORD_FILTERS[param];
    const name = dataNames.has(param) ? `record_${param}` : param;
    if (param === 'is_archived') return { name, param, schema: { ...known.schema, description: known.description } };
    return { name, param, schema: oneOrMany(known?.schema ?? { type: 'string' }, known?.description ?? `Exact ${param}; an array means any of them.`) };
  });
}

/** A sort key as the tool shows it: `data__position` → `position`. */
function friendlySort(key: string): string {
  return key.startsWith('data__') ? key.slice(6) : key;
}

/** The list tool's arguments. */
export function listSchema(type: string, model: ModelSpec): JsonSchema {
  const sorts = model.allowed_sorts.flatMap((s) => [s, `-${s}`]);
  const filters = filterKeys(model);
  return {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: model.max_limit, description: `Rows per page (default ${Math.min(50, model.max_limit)}, at most ${model.max_limit}).` },
      offset: { type: 'integer', minimum: 0, description: 'Skip this many rows (prefer after for paging).' },
      after: { type: 'string', description: 'Continue after this id: meta.next_cursor of the previous page.' },
      sort: {
        type: 'string',
        enum: sorts,
        description: `Order; prefix - for descending. Default: ${friendlySort(model.default_sort)}. ${model.allowed_sorts.filter((s) => s.startsWith('data__')).map(friendlySort).join(', ')} may be given without data__.`,
      },
      q: { type: 'string', maxLength: MAX_QUERY_LENGTH, description: `Full-text search in ${model.search_fields.join(', ') || 'the text fields'}.` },
      filter: {
        type: 'object',
        properties: Object.fromEntries(filters.map((f) => [f.name, f.schema])),
        additionalProperties: false,
        description: `Only objects matching every key. Keys: ${filters.map((f) => f.name).join(', ')}.`,
      },
      all: { type: 'boolean', description: `Walk every page and return all rows (at most ${LIST_ALL_CAP}); reports progress.` },
    },
    additionalProperties: false,
  };
}

/** The get tool's arguments. */
export function idOnlySchema(type: string): JsonSchema {
  return { type: 'object', properties: { id: idSchema(type) }, required: ['id'], additionalProperties: false };
}

/** The optional version of an update or delete: a stale one is refused as a conflict. */
export const VERSION_SCHEMA: JsonSchema = { type: 'integer', minimum: 1, description: 'The version you read; if it is stale, nothing changes and the conflict names the current version.' };

/** The delete tool's arguments. */
export function deleteSchema(type: string): JsonSchema {
  return { type: 'object', properties: { id: idSchema(type), version: VERSION_SCHEMA }, required: ['id'], additionalProperties: false };
}

/** The create tool's arguments: the model's create fields. */
export function createSchema(model: ModelSpec): JsonSchema {
  const fields = model.create_fields.map((name) => fieldOf(model, name) ?? ({ name, type: 'string' } as FieldSpec));
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, fieldSchema(f)])),
    required: fields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: false,
  };
}

const TOP_LEVEL_UPDATES: Record<(typeof UPDATE_TOP_LEVEL_KEYS)[number], JsonSchema> = {
  is_archived: { type: 'boolean', description: 'Archive (true) or unarchive (false).' },
};

/** The update tool's arguments: id, the model's update fields (null clears an optional one), is_archived. */
export function updateSchema(type: string, model: ModelSpec): JsonSchema {
  const fields = model.update_fields.map((name) => fieldOf(model, name) ?? ({ name, type: 'string' } as FieldSpec));
  return {
    type: 'object',
    properties: {
      id: idSchema(type),
      ...Object.fromEntries(fields.map((f) => [f.name, fieldSchema(f, { nullable: true })])),
      ...Object.fromEntries(UPDATE_TOP_LEVEL_KEYS.map((key) => [key, TOP_LEVEL_UPDATES[key]])),
      version: VERSION_SCHEMA,
    },
    required: ['id'],
    additionalProperties: false,
  };
}
