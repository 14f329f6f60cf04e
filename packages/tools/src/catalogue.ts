/**
 * The tool catalogue: five tools per model (`<model>_list`, `_get`, `_create`, `_update`,
 * `_delete`, as the model's ops allow) plus `whoami`, the reference client's names and argument
 * shapes, built from whichever manifest is in use.
 */
import { AppError, normalizeColumns, type Manifest, type ModelSpec } from '@prodboard/shared';
import type { ToolAnnotations } from '@modelcontextprotocol/server';
import type { JsonSchema } from './json-schema.js';
import type { ToolContext } from './run.js';
import { taskTools } from './task-tools.js';
import type { ToolSelection, ToolsetName } from './toolsets.js';
import { LIST_ALL_CAP, createSchema, deleteSchema, filterKeys, idOnlySchema, listSchema, updateSchema, type FilterKey } from './schemas.js';

/** What a tool does when called. */
export type ToolAction =
  | { kind: 'list'; type: string; model: ModelSpec; filters: FilterKey[] }
  | { kind: 'read' | 'create' | 'update' | 'delete'; type: string; model: ModelSpec }
  | { kind: 'whoami' }
  | { kind: 'task'; type: string; access: 'read' | 'write'; run: (args: Record<string, unknown>, ctx: ToolContext) => Promise<Record<string, unknown>> };

/** Arguments after normalisation, or the problems that stop the call. */
export type Prepared = { value: Record<string, unknown> } | { issues: string[] };

/** One tool. */
export interface ToolSpec {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  annotations: ToolAnnotations;
  action: ToolAction;
  /** The toolsets that list it (toolsets.ts). */
  toolsets: ToolsetName[];
  /** Turns accepted alternative spellings into the advertised shape before the schema check. */
  prepare?: (args: Record<string, unknown>) => Prepared;
}

/** The tool as tools/list shows it. */
export interface PublicTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  annotations: ToolAnnotations;
}

const READ_ONLY: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

function annotations(title: string, write: { destructive: boolean; idempotent: boolean }): ToolAnnotations {
  return { title, readOnlyHint: false, destructiveHint: write.destructive, idempotentHint: write.idempotent, openWorldHint: false };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function prepareList(model: ModelSpec, filters: FilterKey[]) {
  const byName = new Map(filters.map((f) => [f.name, f]));
  const byParam = new Map(filters.map((f) => [f.param, f]));
  return (args: Record<string, unknown>): Prepared => {
    const value = { ...args };
    if (typeof value.sort === 'string') {
      const desc = value.sort.startsWith('-');
      const key = desc ? value.sort.slice(1) : value.sort;
      if (!model.allowed_sorts.includes(key) && model.allowed_sorts.includes(`data__${key}`)) value.sort = `${desc ? '-' : ''}data__${key}`;
    }
    if (isObject(value.filter)) {
      const filter: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value.filter)) {
        // Friendly names first; the wire names of allowed_filters are accepted too (the reference client took them).
        const name = byName.has(key) ? key : byParam.get(key)?.name ?? key;
        filter[name] = name === 'is_archived' && typeof item === 'string' && /^(true|false)$/i.test(item) ? item.toLowerCase() === 'true' : item;
      }
      value.filter = filter;
    }
    return { value };
  };
}

function prepareFields(model: ModelSpec) {
  const columnFields = model.fields.filter((f) => f.type === 'columns').map((f) => f.name);
  if (columnFields.length === 0) return undefined;
  return (args: Record<string, unknown>): Prepared => {
    const value = { ...args };
    for (const name of columnFields) {
      const raw = value[name];
      // A string or a list of names is the reference client's form: turn it into {key, name} columns here.
      if (typeof raw !== 'string' && !(Array.isArray(raw) && raw.some((item) => typeof item === 'string'))) continue;
      try {
        value[name] = normalizeColumns(raw);
      } catch (err) {
        if (err instanceof AppError) return { issues: err.errors.map((e) => e.message) };
        throw err;
      }
    }
    return { value };
  };
}

function friendly(key: string): string {
  return key.startsWith('data__') ? key.slice(6) : key;
}

function modelTools(type: string, model: ModelSpec): ToolSpec[] {
  const tools: Array<Omit<ToolSpec, 'toolsets'>> = [];
  const has = (op: ModelSpec['ops'][number]) => model.ops.includes(op);
  if (has('list')) {
    const filters = filterKeys(model);
    const statusNote = filters.some((f) => f.name === 'status' && f.param === 'data__status')
      ? ` filter.status is the ${type}'s column key (record_status is the record lifecycle).`
      : '';
    tools.push({
      name: `${type}_list`,
      title: `List ${type} objects`,
      description:
        `List ${type} objects (default order: ${friendly(model.default_sort)}). Narrow with filter {${filters.map((f) => f.name).join(', ')}}, ` +
        `search with q, sort with sort, page with limit + after (meta.next_cursor), or set all: true for every row (up to ${LIST_ALL_CAP}).` +
        `${statusNote} Returns {data: [...], meta: {count, has_more, next_cursor}}. Read-only.`,
      inputSchema: listSchema(type, model),
      annotations: { title: `List ${type} objects`, ...READ_ONLY },
      action: { kind: 'list', type, model, filters },
      prepare: prepareList(model, filters),
    });
  }
  if (has('read')) {
    tools.push({
      name: `${type}_get`,
      title: `Get one ${type}`,
      description: `Fetch one ${type} by id, with all its fields under data and its version. Read-only.`,
      inputSchema: idOnlySchema(type),
      annotations: { title: `Get one ${type}`, ...READ_ONLY },
      action: { kind: 'read', type, model },
    });
  }
  if (has('create')) {
    tools.push({
      name: `${type}_create`,
      title: `Create a ${type}`,
      description: `Create a ${type}: pass its fields as top-level arguments. Returns the created ${type}. Writes data: confirm with the user first.`,
      inputSchema: createSchema(model),
      annotations: annotations(`Create a ${type}`, { destructive: false, idempotent: false }),
      action: { kind: 'create', type, model },
      prepare: prepareFields(model),
    });
  }
  if (has('update')) {
    tools.push({
      name: `${type}_update`,
      title: `Update a ${type}`,
      description: `Update a ${type} by id: only the fields you pass change; null clears an optional field. Returns the updated ${type}. Writes data: confirm with the user first.`,
      inputSchema: updateSchema(type, model),
      annotations: annotations(`Update a ${type}`, { destructive: false, idempotent: true }),
      action: { kind: 'update', type, model },
      prepare: prepareFields(model),
    });
  }
  if (has('delete')) {
    tools.push({
      name: `${type}_delete`,
      title: `Delete a ${type}`,
      description:
        `Delete a ${type} by id: it disappears from lists and reads at once${type === 'board' ? ', and its cards go to the trash with it' : ''}. ` +
        `Undo: trash_restore {type: "${type}", id}${type === 'board' ? ' brings the cards back too' : ''}, or the web app's trash. Confirm with the user first.`,
      inputSchema: deleteSchema(type),
      annotations: annotations(`Delete a ${type}`, { destructive: true, idempotent: true }),
      action: { kind: 'delete', type, model },
    });
  }
  // The reference client's tools; board tools and card_delete are also their own toolsets.
  return tools.map((tool) => ({
    ...tool,
    toolsets: type === 'board' ? ['boards', 'reference'] : tool.action.kind === 'delete' ? ['cards', 'reference'] : ['reference'],
  }));
}

const WHOAMI: ToolSpec = {
  name: 'whoami',
  title: 'Current signed-in user',
  description: 'The signed-in user, role, workspace and token scopes. Call once to confirm access.',
  inputSchema: { type: 'object', properties: {}, additionalProperties: false },
  annotations: { title: 'Current signed-in user', ...READ_ONLY },
  action: { kind: 'whoami' },
  toolsets: ['default', 'reference'],
};

/** Every tool of the manifest, in manifest order, then the task tools (when the manifest has boards and cards), then whoami. */
export function buildCatalogue(manifest: Manifest): ToolSpec[] {
  const tasks = Object.hasOwn(manifest, 'card') && Object.hasOwn(manifest, 'board') ? taskTools() : [];
  return [...Object.entries(manifest).flatMap(([type, model]) => modelTools(type, model)), ...tasks, WHOAMI];
}

/** The tool without its private parts, as tools/list and `prodmcp tools` show it. */
export function publicTool(spec: ToolSpec): PublicTool {
  return { name: spec.name, title: spec.title, description: spec.description, inputSchema: spec.inputSchema, annotations: spec.annotations };
}

/** The server's guidance for the AI model, sent at initialize (and in server/discover). */
export const INSTRUCTIONS =
  'These tools read and write a Production Board workspace: boards (with ordered columns) and cards. ' +
  'Call whoami first to confirm access. Read-only tools (*_list, *_get, board_overview, activity_list, comment_list, whoami) are safe to call freely; ' +
  'write tools (*_create, *_update, *_move, *_delete, *_many, comment_add, trash_restore) change shared data: confirm with the user before calling them. ' +
  'Cards are named by key (WEB-42), boards by key (WEB) or name. ' +
  "A card's status is the key of a column of its board (see the board's data.columns); list cards of a board with " +
  'card_list {filter: {board_id, status}}. Failed calls return isError with the server\'s message and http_status; ' +
  'the message says which argument to fix and which values are allowed. ' +
  'Users, tokens and billing are managed in the Production Board web app, not here.';

/** What a tool needs from the caller: read or write access to a model (none for whoami). */
export function toolAccess(spec: ToolSpec): { type: string; access: 'read' | 'write' } | undefined {
  const action = spec.action;
  if (action.kind === 'whoami') return undefined;
  if (action.kind === 'task') return { type: action.type, access: action.access };
  return { type: action.type, access: action.kind === 'list' || action.kind === 'read' ? 'read' : 'write' };
}

/**
 * The tools a caller may use, by its role and its token's scopes (`may` answers for one model and
 * access), from the selected toolsets (default: `default`): a read-only token or selection sees no
 * write tool, and calling one is refused as an unknown tool. A name is listed once: the reference
 * client's shape when `reference` was selected, else the first in catalogue order.
 */
export function toolsFor(tools: ToolSpec[], may: (type: string, access: 'read' | 'write') => boolean, selection: ToolSelection = {}): ToolSpec[] {
  const sets = new Set(selection.toolsets ?? ['default']);
  const byName = new Map<string, ToolSpec>();
  for (const spec of tools) {
    if (!sets.has('all') && !spec.toolsets.some((t) => sets.has(t))) continue;
    const needs = toolAccess(spec);
    if (needs && (!may(needs.type, needs.access) || (selection.readOnly && needs.access === 'write'))) continue;
    const prior = byName.get(spec.name);
    const wantReference = sets.has('reference');
    if (!prior || (prior.toolsets.includes('reference') !== wantReference && spec.toolsets.includes('reference') === wantReference)) byName.set(spec.name, spec);
  }
  return [...byName.values()];
}
