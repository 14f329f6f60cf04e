/**
 * The app manifest: the single source of truth for the data models.
 *
 * It is the reference client's `MODELS` JSON, kept as data, with what the reference left undefined
 * made explicit: `columns` has a real field entry, required fields are marked, text fields for
 * full-text search are named, and the card `due_date` declares its ISO 8601 format. The server
 * validates with it, `prodmcp` builds its tools from it and the web app builds its forms from it.
 */

/** A JSON value as stored under an object's `data`. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The reference to another model a field may carry (`card.board_id` → `board`). */
export interface FieldRef {
  type: string;
  /** The referenced object must belong to the caller's workspace. */
  owned: boolean;
  optional: boolean;
}

/** One field of a model, as it appears in the manifest. */
export interface FieldSpec {
  name: string;
  /**
   * `checklist`: an ordered array of items {id, text, done} (see checklist.ts).
   * `members`: an array of user ids of members of the caller's workspace (`me` is the caller).
   */
  type: 'string' | 'number' | 'enum' | 'tags' | 'dict' | 'columns' | 'checklist' | 'members';
  max_len?: number;
  values?: string[];
  ref?: FieldRef;
  /** Required when creating; may never be cleared with `null`. */
  required?: boolean;
  /** `iso8601`: an ISO 8601 date or date-time. */
  format?: 'iso8601';
  description?: string;
}

/** One model (`board`, `card`) of the manifest. */
export interface ModelSpec {
  ops: Array<'list' | 'read' | 'create' | 'update' | 'delete'>;
  create_fields: string[];
  update_fields: string[];
  allowed_filters: string[];
  allowed_sorts: string[];
  default_sort: string;
  max_limit: number;
  fields: FieldSpec[];
  /** Fields searched by `q`, most important first (the first is weighted as the title). */
  search_fields: string[];
}

/** The whole manifest: model name → model. */
export type Manifest = Record<string, ModelSpec>;

/** The twelve accent colours a board may take. */
export const ACCENTS = [
  'slate', 'gray', 'blue', 'indigo', 'violet', 'fuchsia',
  'amber', 'orange', 'emerald', 'green', 'rose', 'red',
] as const;

/** Card priorities, lowest first: sorting by priority follows this order, not the alphabet. */
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

/** The manifest every part of Production Board is built from. */
export const MANIFEST: Manifest = {
  board: {
    ops: ['list', 'read', 'create', 'update', 'delete'],
    create_fields: ['name', 'description', 'accent', 'settings', 'tags', 'columns'],
    update_fields: ['name', 'description', 'accent', 'settings', 'tags', 'columns'],
    allowed_filters: ['data__name', 'data__accent', 'data__tags', 'status', 'is_archived', 'owned_by'],
    allowed_sorts: ['created_at', 'updated_at', 'data__name'],
    default_sort: 'created_at',
    max_limit: 50,
    search_fields: ['name', 'description'],
    fields: [
      { name: 'name', type: 'string', max_len: 200, required: true },
      { name: 'tags', type: 'tags' },
      { name: 'accent', type: 'enum', values: [...ACCENTS] },
      { name: 'settings', type: 'dict' },
      { name: 'description', type: 'string', max_len: 2000 },
      {
        name: 'columns',
        type: 'columns',
        description:
          'Ordered columns: an array of {key, name, wip_limit?}, an array of names, or a comma-separated string of names.',
      },
    ],
  },
  card: {
    ops: ['list', 'read', 'create', 'update', 'delete'],
    create_fields: ['title', 'description', 'status', 'position', 'priority', 'tags', 'assignee', 'due_date', 'board_id', 'assignees', 'checklist'],
    update_fields: ['title', 'description', 'status', 'position', 'priority', 'tags', 'assignee', 'due_date', 'board_id', 'assignees', 'checklist'],
    allowed_filters: [
      'data__status', 'data__priority', 'data__tags', 'data__assignee', 'data__board_id', 'data__assignees',
      'status', 'is_archived', 'owned_by',
    ],
    allowed_sorts: ['created_at', 'updated_at', 'data__position', 'data__status', 'data__priority', 'data__due_date'],
    default_sort: 'data__position',
    max_limit: 200,
    search_fields: ['title', 'description'],
    fields: [
      { name: 'tags', type: 'tags' },
      { name: 'title', type: 'string', max_len: 200, required: true },
      {
        name: 'status',
        type: 'string',
        max_len: 64,
        description: "The key of a column of the card's board (a column name is accepted and normalised).",
      },
      {
        name: 'assignee',
        type: 'string',
        max_len: 64,
        description: 'Free text from before assignees were members; prefer assignees.',
      },
      {
        name: 'assignees',
        type: 'members',
        description: 'Member user ids ("me" is you); replaces the list.',
      },
      {
        name: 'checklist',
        type: 'checklist',
        description: 'Items {id, text, done}; replaces the list (keep ids; new items may omit id).',
      },
      { name: 'board_id', type: 'string', max_len: 64, ref: { type: 'board', owned: true, optional: true } },
      { name: 'due_date', type: 'string', max_len: 32, format: 'iso8601', description: 'An ISO 8601 date (2026-12-31) or date-time.' },
      { name: 'position', type: 'number', description: 'Order within the column; omitted means the end of the column.' },
      { name: 'priority', type: 'enum', values: [...PRIORITIES] },
      { name: 'description', type: 'string', max_len: 4000 },
    ],
  },
};

/** Names of the models, in manifest order. */
export const MODEL_NAMES = Object.keys(MANIFEST);

/** Top-level columns every stored object has; everything else lives under `data`. */
export const TOP_LEVEL_COLUMNS = [
  'id', 'type', 'status', 'owned_by', 'created_by', 'updated_by',
  'is_archived', 'is_deleted', 'created_at', 'updated_at', 'version', 'data',
] as const;

/** The model of that name, or undefined. */
export function modelOf(type: string): ModelSpec | undefined {
  return Object.hasOwn(MANIFEST, type) ? MANIFEST[type] : undefined;
}

/** The field of that name on the model, or undefined. */
export function fieldOf(model: ModelSpec, name: string): FieldSpec | undefined {
  return model.fields.find((f) => f.name === name);
}
