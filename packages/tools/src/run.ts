/**
 * Running a tool: its (already checked) arguments become one backend call, or, for `all`, a walk
 * over the pages with the cursor, reporting progress and stopping at LIST_ALL_CAP rows.
 */
import type { Backend, JsonObject, ListParams, Page, QueryValue } from './backend.js';
import type { ToolAction, ToolSpec } from './catalogue.js';
import { LIST_ALL_CAP } from './schemas.js';
import { versioned } from './task-tools.js';

/** What a tool needs from the connection it runs on. */
export interface ToolContext {
  backend: Backend;
  /** Aborts when the host cancels the call or goes away. */
  signal: AbortSignal;
  /** Reports progress when the host asked for it. */
  progress?: (done: number, message: string) => Promise<void>;
  /** Records a usage event (prodmcp's telemetry); absent where nothing is recorded. */
  track?: (event: string, props?: Record<string, string | number | boolean>) => void;
}

function listParams(action: Extract<ToolAction, { kind: 'list' }>, args: JsonObject): ListParams {
  const query: ListParams = {};
  for (const key of ['limit', 'offset', 'sort', 'q', 'after'] as const) {
    if (args[key] !== undefined) query[key] = args[key] as QueryValue;
  }
  const params = new Map(action.filters.map((f) => [f.name, f.param]));
  for (const [name, value] of Object.entries((args.filter as JsonObject | undefined) ?? {})) {
    if (value === undefined) continue;
    query[params.get(name) ?? name] = value as QueryValue | QueryValue[];
  }
  return query;
}

function asPage(value: unknown): Page {
  const page = (value ?? {}) as Partial<Page>;
  return { data: Array.isArray(page.data) ? page.data : [], meta: page.meta && typeof page.meta === 'object' ? page.meta : {} };
}

async function listAll(action: Extract<ToolAction, { kind: 'list' }>, args: JsonObject, ctx: ToolContext): Promise<JsonObject> {
  const query = listParams(action, args);
  const rows: JsonObject[] = [];
  let pages = 0;
  let meta: JsonObject = {};
  let nextCursor: string | null = null;
  for (;;) {
    const page = asPage(await ctx.backend.list(action.type, query, ctx.signal));
    pages += 1;
    meta = page.meta;
    rows.push(...page.data);
    const last = page.data[page.data.length - 1];
    nextCursor = meta.has_more === true && typeof last?.id === 'string' ? last.id : null;
    if (rows.length >= LIST_ALL_CAP) {
      if (rows.length > LIST_ALL_CAP) {
        rows.length = LIST_ALL_CAP;
        nextCursor = String(rows[LIST_ALL_CAP - 1].id);
      }
      break;
    }
    if (!nextCursor) break;
    await ctx.progress?.(rows.length, `${rows.length} ${action.type} objects fetched (page ${pages})`);
    // Keyset paging continues after the last row; an offset applies to the first page only.
    query.after = nextCursor;
    delete query.offset;
  }
  ctx.track?.('mcp.crud', { model: action.type, op: 'list_all', pages });
  return {
    data: rows,
    meta: {
      count: rows.length,
      pages,
      has_more: nextCursor !== null,
      next_cursor: nextCursor,
      ...(meta.limit !== undefined && { limit: meta.limit }),
      ...(nextCursor !== null && { capped_at: LIST_ALL_CAP }),
    },
  };
}

function withoutId(args: JsonObject): JsonObject {
  const { id: _id, ...rest } = args;
  return rest;
}

/** Runs one tool call and returns the JSON result; backend failures throw (BackendError). */
export async function runTool(spec: ToolSpec, args: JsonObject, ctx: ToolContext): Promise<JsonObject> {
  const { backend, signal } = ctx;
  const action = spec.action;
  if (action.kind === 'whoami') {
    const me = await backend.whoami(signal);
    ctx.track?.('mcp.whoami');
    return me;
  }
  if (action.kind === 'task') {
    const result = await action.run(args, ctx);
    ctx.track?.('mcp.task', { tool: spec.name });
    return result;
  }
  if (action.kind === 'list' && args.all === true) return listAll(action, args, ctx);
  let result: unknown;
  switch (action.kind) {
    case 'list':
      result = await backend.list(action.type, listParams(action, args), signal);
      break;
    case 'read':
      result = await backend.get(action.type, String(args.id), signal);
      break;
    case 'create': {
      // Like the reference client, a null on create means "not given".
      const fields = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null && v !== undefined));
      result = await backend.create(action.type, fields, signal);
      break;
    }
    case 'update': {
      const { version, ...fields } = withoutId(args);
      const id = String(args.id);
      const options = { version: version as number | undefined };
      result = await versioned(ctx, action.type, id, options.version, () => backend.update(action.type, id, fields, signal, options));
      break;
    }
    case 'delete': {
      const id = String(args.id);
      const options = { version: args.version as number | undefined };
      const deleted = (await versioned(ctx, action.type, id, options.version, () => backend.delete(action.type, id, signal, options))) ?? { ok: true };
      result = { ...deleted, undo: `trash_restore {type: "${action.type}", id: "${id}"} (trash toolset)` };
      break;
    }
  }
  ctx.track?.('mcp.crud', { model: action.type, op: action.kind });
  return result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as JsonObject) : { value: result };
}
