/**
 * Task tools: one call per thing an assistant is asked to do on a board (an overview, a move, a batch
 * of updates or creates, what changed, comments, the trash). Arguments take references as people
 * write them (refs.ts); results are compact and on a budget (compact.ts). Schemas are terse on
 * purpose: the default toolset must fit the reference client's tools/list size.
 */
import { PRIORITIES } from '@prodboard/shared';
import { BackendError, type JsonObject, type ListParams } from './backend.js';
import type { Prepared, ToolSpec } from './catalogue.js';
import { DATA_NOTE, EXTRA_CARD_FIELDS, RESULT_BUDGET, clip, compactCard, fitRows } from './compact.js';
import type { JsonSchema } from './json-schema.js';
import { invalid, resolver, type Resolver } from './refs.js';
import type { ToolContext } from './run.js';

/** Most items card_update_many and card_create_many take in one call. */
export const BATCH_MAX = 200;

const S: JsonSchema = { type: 'string' };
const I: JsonSchema = { type: 'integer' };
const B: JsonSchema = { type: 'boolean' };
const TAGS: JsonSchema = { type: 'array', items: S };
const PRIORITY: JsonSchema = { type: 'string', enum: [...PRIORITIES] };
const CARD = { ...S, description: 'Id or key (WEB-42)' };
const BOARD = { ...S, description: 'Id, key (WEB) or name' };
const VERSION = { ...I, description: 'Version you read; stale → conflict' };
const obj = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 && { required }),
  additionalProperties: false,
});

/** The card fields the tools write, as people name them. */
const CARD_FIELDS: Record<string, JsonSchema> = {
  title: S,
  description: S,
  column: { ...S, description: 'Key or name' },
  priority: PRIORITY,
  tags: TAGS,
  assignees: { type: 'array', items: S, description: 'me, email, name or id' },
  due_date: S,
};
/** A card's fields, as card_create takes them: checked per item when the tool runs (the schema stays small). */
const FIELDS_OBJECT: JsonSchema = { type: 'object', description: 'As card_create' };
const FILTER = obj({ column: S, priority: S, tag: S, assignee: S, archived: B });

const READ = { readOnlyHint: true };
const WRITE = { readOnlyHint: false, destructiveHint: false };

const dataOf = (o: JsonObject): JsonObject => (o.data && typeof o.data === 'object' ? (o.data as JsonObject) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The wire fields of a `set` / card argument: column → status on `board`, assignees resolved; null clears. */
async function cardFields(input: JsonObject, board: JsonObject | undefined, r: Resolver, field: string): Promise<JsonObject> {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'column') {
      if (value === null) throw invalid(`${field}.column`, 'column cannot be cleared; name the column to move to');
      if (!board) throw invalid(`${field}.column`, 'a column needs a board: pass board');
      out.status = r.column(board, String(value), `${field}.column`);
    } else if (key === 'assignees' && Array.isArray(value)) {
      out.assignees = await Promise.all(value.map((a, i) => r.assignee(String(a), `${field}.assignees[${i}]`)));
    } else out[key] = value;
  }
  return out;
}

/** The server's filter parameters for a card filter argument. */
async function filterParams(filter: JsonObject | undefined, board: JsonObject | undefined, r: Resolver): Promise<ListParams> {
  const q: ListParams = {};
  if (board) q.data__board_id = String(board.id);
  if (!filter) return q;
  if (filter.column !== undefined) {
    if (!board) throw invalid('filter.column', 'filter.column needs a board: pass board');
    q.data__status = r.column(board, String(filter.column), 'filter.column');
  }
  if (filter.priority !== undefined) q.data__priority = String(filter.priority);
  if (filter.tag !== undefined) q.data__tags = String(filter.tag);
  if (filter.assignee !== undefined) q.data__assignees = await r.assignee(String(filter.assignee), 'filter.assignee');
  if (filter.archived !== undefined) q.is_archived = filter.archived === true;
  return q;
}

/** Cards matching `params`, walking pages, at most `max`; `more` when there were more. */
async function listCards(ctx: ToolContext, params: ListParams, max: number): Promise<{ cards: JsonObject[]; more: boolean }> {
  const cards: JsonObject[] = [];
  const query: ListParams = { limit: 200, ...params };
  for (;;) {
    const page = await ctx.backend.list('card', query, ctx.signal);
    cards.push(...page.data);
    if (cards.length > max) return { cards: cards.slice(0, max), more: true };
    if (page.meta.has_more !== true || page.data.length === 0) return { cards, more: false };
    query.after = String(page.data[page.data.length - 1].id);
  }
}

/**
 * A write with the caller's version: a stale one becomes a conflict naming the current version and
 * the fields changed since (from the card's history).
 */
export async function versioned<T>(ctx: ToolContext, type: string, id: string, version: number | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof BackendError) || err.status !== 412 || version === undefined) throw err;
    const current = await ctx.backend.get(type, id, ctx.signal);
    const currentVersion = Number(current.version);
    let changed: string[] = [];
    if (type === 'card' && currentVersion > version) {
      const history = await ctx.backend.history(id, Math.min(200, currentVersion - version), ctx.signal);
      changed = [...new Set(history.data.flatMap((h) => Object.keys((h.changes as JsonObject | null) ?? {})))];
    }
    throw new BackendError(
      412,
      `${type} ${String(current.key ?? id)} is at version ${currentVersion}, not ${version}${changed.length > 0 ? `; changed since: ${changed.join(', ')}` : ''}. Read it again, then retry with version ${currentVersion} if your change still applies.`,
      'conflict',
      [{ field: 'version', message: 'stale' }],
      { current_version: currentVersion, changed_fields: changed },
    );
  }
}

const fieldsArg = (args: JsonObject): string[] => {
  const fields = Array.isArray(args.fields) ? (args.fields as unknown[]).map(String) : [];
  for (const [i, f] of fields.entries()) {
    if (f !== '*' && !(EXTRA_CARD_FIELDS as readonly string[]).includes(f)) throw invalid(`fields[${i}]`, `fields may name ${EXTRA_CARD_FIELDS.join(', ')} or *; got "${f.slice(0, 40)}"`);
  }
  return fields;
};

/**
 * A 64-bit fingerprint of a text (two FNV-1a variants), in plain JS: node:crypto would cost prodmcp
 * tens of milliseconds at start-up (see prodmcp's builtins.ts). A collision cannot merge two creates:
 * the server refuses a key reused for a different body.
 */
function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}

/** The idempotency key of a create: the caller's, else one derived from the arguments (a retried call repeats them). */
function idempotencyKey(tool: string, args: JsonObject, index?: number): string {
  const base = str(args.idempotency_key) ?? `auto-${tool}-${fingerprint(JSON.stringify(args))}`;
  return index === undefined ? base : `${base}:${index}`;
}

const IDEMPOTENCY = { ...S, description: 'Retry-safe key (default: from the arguments)' };

/**
 * The reference client's spellings, accepted without being advertised (the schemas stay small):
 * `id` for card, `board_id` for board, `status` for column, and its filter keys.
 */
const ALIASES: Record<string, string> = { id: 'card', board_id: 'board', status: 'column' };
const FILTER_ALIASES: Record<string, string> = { status: 'column', tags: 'tag', assignees: 'assignee', is_archived: 'archived' };

function acceptAliases(args: Record<string, unknown>, schema: JsonSchema): Prepared {
  const props = schema.properties ?? {};
  const value: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(args)) {
    const alias = !Object.hasOwn(props, key) && Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
    value[alias && Object.hasOwn(props, alias) && !Object.hasOwn(args, alias) ? alias : key] = item;
  }
  const filter = value.filter;
  if (Object.hasOwn(props, 'filter') && filter && typeof filter === 'object' && !Array.isArray(filter)) {
    const renamed: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(filter)) {
      if (key === 'board_id' && value.board === undefined && typeof item === 'string') value.board = item;
      else renamed[Object.hasOwn(FILTER_ALIASES, key) ? FILTER_ALIASES[key] : key] = item;
    }
    value.filter = renamed;
  }
  return { value };
}

/** The task tools over the card and board models. */
export function taskTools(): ToolSpec[] {
  const task = (
    spec: Omit<ToolSpec, 'action' | 'annotations' | 'toolsets'> & { toolsets?: ToolSpec['toolsets'] },
    needs: 'read' | 'write',
    run: (args: JsonObject, ctx: ToolContext, r: Resolver) => Promise<JsonObject>,
    hints: JsonObject = {},
  ): ToolSpec => ({
    ...spec,
    prepare: (input) => acceptAliases(input, spec.inputSchema),
    toolsets: spec.toolsets ?? ['default', 'cards'],
    annotations: { ...(needs === 'read' ? READ : WRITE), ...hints },
    action: { kind: 'task', type: 'card', access: needs, run: (args, ctx) => run(args, ctx, resolver(ctx)) },
  });

  return [
    task(
      {
        name: 'board_overview',
        title: 'Board overview',
        description: 'Columns with card counts and WIP limits, and the most urgent cards of each (priority, then due date); without board, the boards. Read-only.',
        inputSchema: obj({ board: BOARD, per_column: { ...I, minimum: 0, maximum: 50, description: 'Cards per column (default 5)' } }),
      },
      'read',
      async (args, ctx, r) => {
        if (args.board === undefined) {
          // Where an assistant starts: which boards there are (the default toolset has no board_list).
          const fit = fitRows((await r.boards()).map((b) => ({ key: b.key, name: dataOf(b).name, columns: Array.isArray(dataOf(b).columns) ? (dataOf(b).columns as unknown[]).length : 0 })));
          return {
            boards: fit.rows,
            ...(fit.leftOut > 0 && { left_out: `${fit.leftOut} boards over the 25k-character cap; name one with board_overview {board}` }),
            how: 'board_overview {board: key or name} for one board',
            note: DATA_NOTE,
          };
        }
        const board = await r.board(String(args.board));
        const perColumn = typeof args.per_column === 'number' ? args.per_column : 5;
        const { cards, more } = await listCards(ctx, { data__board_id: String(board.id) }, 5000);
        const rank = (c: JsonObject) => PRIORITIES.indexOf(String(dataOf(c).priority) as (typeof PRIORITIES)[number]);
        const columns = (Array.isArray(dataOf(board).columns) ? dataOf(board).columns : []) as Array<{ key: string; name: string; wip_limit?: number }>;
        const out = columns.map((col) => {
          const here = cards.filter((c) => dataOf(c).status === col.key);
          here.sort((a, b) => rank(b) - rank(a) || String(dataOf(a).due_date ?? '9999').localeCompare(String(dataOf(b).due_date ?? '9999')));
          return {
            key: col.key,
            name: col.name,
            count: here.length,
            ...(col.wip_limit !== undefined && { wip_limit: col.wip_limit, over_wip: here.length > col.wip_limit }),
            cards: here.slice(0, perColumn).map((c) => compactCard(c, [], ['column'])),
          };
        });
        // Within the budget: the least urgent shown cards go first, from the longest lists.
        let trimmed = 0;
        while (JSON.stringify(out).length > RESULT_BUDGET - 1500) {
          const longest = out.reduce((a, b) => (b.cards.length > a.cards.length ? b : a));
          if (longest.cards.length === 0) break;
          longest.cards.pop();
          trimmed += 1;
        }
        return {
          board: { key: board.key, name: dataOf(board).name, id: board.id, version: board.version },
          columns: out,
          ...(trimmed > 0 && { left_out: `${trimmed} cards over the 25k-character cap; lower per_column or use card_list {board, filter: {column}}` }),
          total: cards.length,
          ...(more && { note_more: 'the board has more than 5000 cards; counts cover the first 5000' }),
          note: DATA_NOTE,
        };
      },
    ),
    task(
      {
        name: 'card_list',
        title: 'List cards',
        description:
          'Compact card rows (key, title, column, priority, assignee, due, tags, v=version). q: words or a key. fields adds ' +
          `${EXTRA_CARD_FIELDS.join(', ')} or *. Capped at 25k chars; page with after. Read-only.`,
        inputSchema: obj({
          board: BOARD,
          filter: FILTER,
          q: S,
          sort: { ...S, description: 'priority, due_date, created_at, updated_at, position; - for descending' },
          limit: { ...I, minimum: 1, maximum: 200 },
          after: S,
          fields: { type: 'array', items: S },
          all: { ...B, description: 'Every page, within the cap' },
        }),
      },
      'read',
      async (args, ctx, r) => {
        const fields = fieldsArg(args);
        const board = str(args.board) !== undefined ? await r.board(String(args.board)) : undefined;
        const params = await filterParams(args.filter as JsonObject | undefined, board, r);
        if (args.q !== undefined) params.q = String(args.q);
        if (args.sort !== undefined) {
          const raw = String(args.sort);
          const key = raw.replace(/^-/, '');
          params.sort = `${raw.startsWith('-') ? '-' : ''}${['priority', 'due_date', 'position', 'status'].includes(key) ? `data__${key}` : key}`;
        }
        if (args.after !== undefined) params.after = String(args.after);
        const limit = typeof args.limit === 'number' ? args.limit : 50;
        let cards: JsonObject[];
        let more: boolean;
        if (args.all === true) ({ cards, more } = await listCards(ctx, params, 5000));
        else {
          const page = await ctx.backend.list('card', { ...params, limit }, ctx.signal);
          cards = page.data;
          more = page.meta.has_more === true;
        }
        const rows = cards.map((c) => compactCard(c, fields));
        const fit = fitRows(rows);
        const lastShown = cards[fit.rows.length - 1];
        const truncated = fit.leftOut > 0 || more;
        return {
          data: fit.rows,
          meta: {
            count: fit.rows.length,
            has_more: truncated,
            next_cursor: truncated && lastShown ? lastShown.id : null,
            ...(truncated && {
              left_out: fit.leftOut > 0 ? `${fit.leftOut}${more ? '+' : ''} rows over the 25k-character cap` : 'more rows',
              how: 'call again with after: meta.next_cursor, or narrow with board / filter / q',
            }),
          },
          note: DATA_NOTE,
        };
      },
    ),
    task(
      {
        name: 'card_get',
        title: 'Get a card',
        description: 'One card: compact fields plus description, checklist and assignees. Read-only.',
        inputSchema: obj({ card: CARD, fields: { type: 'array', items: S } }, ['card']),
      },
      'read',
      async (args, ctx, r) => {
        const card = await r.card(String(args.card));
        const fields = fieldsArg(args);
        return { ...compactCard(card, fields.length > 0 ? fields : ['id', 'description', 'checklist', 'assignees', 'board_id']), note: DATA_NOTE };
      },
    ),
    task(
      {
        name: 'card_create',
        title: 'Create a card',
        description: 'Create a card on a board (default column: the first).',
        inputSchema: obj({ board: BOARD, ...CARD_FIELDS, idempotency_key: IDEMPOTENCY }, ['board', 'title']),
      },
      'write',
      async (args, ctx, r) => {
        const board = await r.board(String(args.board));
        const { board: _b, idempotency_key: _k, ...rest } = args;
        const fields = { ...(await cardFields(rest, board, r, 'card')), board_id: board.id };
        const card = await ctx.backend.create('card', fields, ctx.signal, { idempotencyKey: idempotencyKey('card_create', args) });
        return compactCard(card, ['id']);
      },
    ),
    task(
      {
        name: 'card_update',
        title: 'Update a card',
        description: 'Change the given fields of a card (null clears; archived: true archives).',
        inputSchema: obj({ card: CARD, ...CARD_FIELDS, checklist: { type: 'array', items: { type: 'object' }, description: 'Whole list, as card_get gives it; done: true ticks' }, board: BOARD, archived: B, version: VERSION }, ['card']),
      },
      'write',
      async (args, ctx, r) => {
        const card = await r.card(String(args.card));
        const { card: _c, version, board: boardRef, archived, ...rest } = args;
        const board = boardRef !== undefined ? await r.board(String(boardRef)) : str(dataOf(card).board_id) ? await r.boardById(String(dataOf(card).board_id)) : undefined;
        const fields = await cardFields(rest, board, r, 'card');
        if (boardRef !== undefined && board) fields.board_id = board.id;
        if (archived !== undefined) fields.is_archived = archived;
        const id = String(card.id);
        const updated = await versioned(ctx, 'card', id, version as number | undefined, () => ctx.backend.update('card', id, fields, ctx.signal, { version: version as number | undefined }));
        return compactCard(updated);
      },
      { idempotentHint: true },
    ),
    task(
      {
        name: 'card_move',
        title: 'Move a card',
        description: "Move a card to a column: position top, bottom (default), {before: card} or {after: card}.",
        inputSchema: obj(
          {
            card: CARD,
            to: { ...S, description: 'Column key or name' },
            position: { anyOf: [{ type: 'string', enum: ['top', 'bottom'] }, obj({ before: S, after: S })] },
            version: VERSION,
          },
          ['card', 'to'],
        ),
      },
      'write',
      async (args, ctx, r) => {
        const card = await r.card(String(args.card));
        const boardId = str(dataOf(card).board_id);
        const board = boardId ? await r.boardById(boardId) : undefined;
        if (!board) throw invalid('card', `card ${String(card.key ?? card.id)} is on no board; give it one with card_update {board}`);
        const status = r.column(board, String(args.to), 'to');
        const fields: JsonObject = { status };
        const position = args.position;
        if (position === 'top' || (position && typeof position === 'object')) {
          const { cards } = await listCards(ctx, { data__board_id: String(board.id), data__status: status, sort: 'data__position' }, 5000);
          const others = cards.filter((c) => c.id !== card.id);
          if (position === 'top') {
            if (others.length > 0) fields.position = dataOf(others[0]).position;
          } else {
            const rel = position as JsonObject;
            const which = rel.before !== undefined ? 'before' : 'after';
            if ((rel.before === undefined) === (rel.after === undefined)) throw invalid('position', 'position takes exactly one of before or after');
            const anchor = await r.card(String(rel[which]), `position.${which}`);
            const at = others.findIndex((c) => c.id === anchor.id);
            if (at < 0) throw invalid(`position.${which}`, `card ${String(anchor.key ?? anchor.id)} is not in column ${status} of board ${String(board.key)}`);
            // The server puts a card asked for a taken position just before the card holding it.
            const target = which === 'before' ? others[at] : others[at + 1];
            if (target) fields.position = dataOf(target).position;
          }
        }
        const id = String(card.id);
        const version = args.version as number | undefined;
        const moved = await versioned(ctx, 'card', id, version, () => ctx.backend.update('card', id, fields, ctx.signal, { version }));
        return compactCard(moved);
      },
      { idempotentHint: true },
    ),
    task(
      {
        name: 'card_update_many',
        title: 'Update many cards',
        description: `Apply set to up to ${BATCH_MAX} cards chosen by ids, or by board + filter (as in card_list). dry_run: the count and a sample, nothing changed. Per-card results.`,
        inputSchema: obj({ board: BOARD, filter: FILTER, ids: { type: 'array', items: S, maxItems: BATCH_MAX }, set: FIELDS_OBJECT, dry_run: B }, ['set']),
      },
      'write',
      async (args, ctx, r) => {
        const set = (args.set ?? {}) as JsonObject;
        if (Object.keys(set).length === 0) throw invalid('set', 'set names no field to change');
        if (args.ids !== undefined && (args.board !== undefined || args.filter !== undefined)) throw invalid('ids', 'give ids, or board and filter, not both');
        let cards: JsonObject[];
        if (Array.isArray(args.ids)) cards = await Promise.all((args.ids as unknown[]).map((ref, i) => r.card(String(ref), `ids[${i}]`)));
        else {
          if (args.board === undefined) throw invalid('board', 'choose the cards: ids, or board (+ filter)');
          const board = await r.board(String(args.board));
          const listed = await listCards(ctx, await filterParams(args.filter as JsonObject | undefined, board, r), BATCH_MAX);
          if (listed.more) throw invalid('filter', `more than ${BATCH_MAX} cards match; narrow the filter`);
          cards = listed.cards;
        }
        // Resolve set against each card's board before anything is written, so a bad column changes nothing.
        const plans = await Promise.all(
          cards.map(async (card) => {
            const boardId = str(dataOf(card).board_id);
            return { card, fields: await cardFields(set, boardId ? await r.boardById(boardId) : undefined, r, 'set') };
          }),
        );
        if (args.dry_run === true) return { dry_run: true, count: cards.length, sample: cards.slice(0, 5).map((c) => compactCard(c)), note: DATA_NOTE };
        const results: JsonObject[] = [];
        for (const { card, fields } of plans) {
          const id = String(card.id);
          try {
            const updated = await versioned(ctx, 'card', id, Number(card.version), () => ctx.backend.update('card', id, fields, ctx.signal, { version: Number(card.version) }));
            results.push({ key: updated.key ?? id, ok: true, v: updated.version });
          } catch (err) {
            if (!(err instanceof BackendError) || err.status === 0) throw err;
            results.push({ key: card.key ?? id, ok: false, ...err.toBody() });
          }
        }
        const failed = results.filter((x) => x.ok === false).length;
        return { updated: results.length - failed, failed, results };
      },
    ),
    task(
      {
        name: 'card_create_many',
        title: 'Create many cards',
        description: `Create up to ${BATCH_MAX} cards on a board in one call; per-card results; a retry with the same arguments creates nothing twice. dry_run: count and sample.`,
        inputSchema: obj(
          { board: BOARD, cards: { type: 'array', items: FIELDS_OBJECT, minItems: 1, maxItems: BATCH_MAX }, dry_run: B, idempotency_key: IDEMPOTENCY },
          ['board', 'cards'],
        ),
      },
      'write',
      async (args, ctx, r) => {
        const board = await r.board(String(args.board));
        const items = args.cards as JsonObject[];
        const planned = await Promise.all(items.map(async (item, i) => ({ ...(await cardFields(item, board, r, `cards[${i}]`)), board_id: board.id })));
        if (args.dry_run === true) return { dry_run: true, count: planned.length, board: board.key, sample: items.slice(0, 5) };
        const results: JsonObject[] = [];
        for (const [i, fields] of planned.entries()) {
          try {
            const card = await ctx.backend.create('card', fields, ctx.signal, { idempotencyKey: idempotencyKey('card_create_many', args, i) });
            results.push({ key: card.key ?? card.id, ok: true });
          } catch (err) {
            if (!(err instanceof BackendError) || err.status === 0) throw err;
            results.push({ index: i, ok: false, ...err.toBody() });
          }
        }
        const failed = results.filter((x) => x.ok === false).length;
        return { created: results.length - failed, failed, results };
      },
    ),
    task(
      {
        name: 'activity_list',
        title: 'What changed',
        description: 'Changes oldest first, with [before, after] per field; deletions included. since: an ISO time or meta.next_cursor. Read-only.',
        inputSchema: obj({ board: BOARD, since: S, limit: { ...I, minimum: 1, maximum: 500 } }),
      },
      'read',
      async (args, ctx, r) => {
        const limit = typeof args.limit === 'number' ? args.limit : 100;
        const params: ListParams = { limit };
        if (args.since !== undefined) params.since = String(args.since);
        const page = await ctx.backend.activity(params, ctx.signal);
        let rows = page.data;
        const keys = new Map<string, unknown>();
        if (args.board !== undefined) {
          const board = await r.board(String(args.board));
          const boardId = String(board.id);
          const { cards } = await listCards(ctx, { data__board_id: boardId }, 5000);
          for (const c of cards) keys.set(String(c.id), c.key);
          const trashed = await ctx.backend.trash({ type: 'card', limit: 200 }, ctx.signal);
          for (const c of trashed.data) if (dataOf(c).board_id === boardId) keys.set(String(c.id), c.key);
          rows = rows.filter((a) => {
            const changes = (a.changes ?? {}) as Record<string, unknown[]>;
            return a.object_id === boardId || keys.has(String(a.object_id)) || (Array.isArray(changes.board_id) && changes.board_id.includes(boardId));
          });
        } else if (rows.some((a) => a.object_type === 'card' || a.object_type === 'board')) {
          // Keys for the rows: the recently changed cards (what a change log mostly names), deleted ones, and the boards.
          const [recent, trashed, boards] = await Promise.all([
            ctx.backend.list('card', { sort: '-updated_at', limit: 200 }, ctx.signal),
            ctx.backend.trash({ limit: 200 }, ctx.signal),
            r.boards(),
          ]);
          for (const o of [...recent.data, ...trashed.data, ...boards]) if (o.key) keys.set(String(o.id), o.key);
        }
        const compact = rows.map((a) => {
          const changes = (a.changes ?? {}) as Record<string, unknown[]>;
          const key = keys.get(String(a.object_id)) ?? (Array.isArray(changes.key) ? changes.key[1] ?? changes.key[0] : undefined);
          return {
            seq: a.seq,
            at: a.created_at,
            action: a.action,
            type: a.object_type,
            ...(key ? { key } : { id: a.object_id }),
            changes: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => clip(x, 200)) : v])),
          };
        });
        const fit = fitRows(compact);
        const last = fit.rows[fit.rows.length - 1];
        const truncated = fit.leftOut > 0 || page.meta.has_more === true;
        return {
          data: fit.rows,
          meta: {
            count: fit.rows.length,
            has_more: truncated,
            next_cursor: truncated && last ? String(last.seq) : page.meta.next_cursor,
            ...(truncated && { how: 'call again with since: meta.next_cursor' }),
          },
          note: DATA_NOTE,
        };
      },
    ),
    task(
      {
        name: 'comment_add',
        title: 'Comment on a card',
        description: 'Add a Markdown comment to a card (@mentions notify members).',
        inputSchema: obj({ card: CARD, body: { ...S, minLength: 1 } }, ['card', 'body']),
      },
      'write',
      async (args, ctx, r) => {
        const card = await r.card(String(args.card));
        // A host's retry of this call repeats its arguments, so it adds the comment once.
        const comment = await ctx.backend.addComment(String(card.id), String(args.body), ctx.signal, { idempotencyKey: idempotencyKey('comment_add', { card: card.id, body: args.body }) });
        return { id: comment.id, card: card.key ?? card.id, at: comment.created_at };
      },
    ),
    task(
      {
        name: 'comment_list',
        title: "A card's comments",
        description: 'Comments on a card, oldest first. Read-only.',
        inputSchema: obj({ card: CARD }, ['card']),
      },
      'read',
      async (args, ctx, r) => {
        const card = await r.card(String(args.card));
        const page = await ctx.backend.comments(String(card.id), ctx.signal);
        const rows = page.data.map((c) => ({ id: c.id, by: (c.author as JsonObject | undefined)?.name ?? null, at: c.created_at, body: c.body }));
        const fit = fitRows(rows);
        return { card: card.key ?? card.id, data: fit.rows, ...(fit.leftOut > 0 && { left_out: `the ${fit.leftOut} newest comments, over the 25k-character cap: read them in the web app` }), note: DATA_NOTE };
      },
    ),
    task(
      {
        name: 'trash_list',
        title: 'List the trash',
        description: "Deleted boards and cards, newest first; a board's cards are listed under it. Read-only.",
        inputSchema: obj({ type: { type: 'string', enum: ['board', 'card'] } }),
        toolsets: ['trash'],
      },
      'read',
      async (args, ctx) => {
        const params: ListParams = { limit: 200 };
        if (args.type !== undefined) params.type = String(args.type);
        const page = await ctx.backend.trash(params, ctx.signal);
        const rows = page.data.map((o) => ({
          type: o.type,
          id: o.id,
          ...(o.key ? { key: o.key } : {}),
          title: dataOf(o).title ?? dataOf(o).name,
          deleted_at: o.deleted_at,
          ...(o.deleted_with ? { with: o.deleted_with } : {}),
        }));
        const fit = fitRows(rows);
        return { data: fit.rows, meta: { count: fit.rows.length, has_more: fit.leftOut > 0 || page.meta.has_more === true }, how: 'trash_restore {type, id}; rows with "with" come back with that board', note: DATA_NOTE };
      },
    ),
    task(
      {
        name: 'trash_restore',
        title: 'Restore from the trash',
        description: 'Bring a deleted board or card back (a board brings back the cards deleted with it).',
        inputSchema: obj({ type: { type: 'string', enum: ['board', 'card'] }, id: S }, ['type', 'id']),
        toolsets: ['trash'],
      },
      'write',
      async (args, ctx) => {
        const restored = await ctx.backend.restore(String(args.type), String(args.id), ctx.signal);
        return { ok: true, type: restored.type, id: restored.id, key: restored.key ?? null, restored_with_it: restored.restored_with_it ?? 0 };
      },
    ),
  ];
}
