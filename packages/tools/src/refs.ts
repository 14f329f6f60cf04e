/**
 * References as people and models write them, resolved once here over the Backend (so stdio and
 * /mcp resolve alike): a card by id or key (WEB-42), a board by id, key (WEB) or name (any case),
 * a column by key or name, an assignee as `me`, a member id, an email or a name. An ambiguous
 * reference is an error listing the candidates, never a guess.
 */
import { isUuid, normalizeBoardKey, parseCardKey, type FieldError } from '@prodboard/shared';
import { BackendError, type JsonObject } from './backend.js';
import type { ToolContext } from './run.js';

/** A failure of the caller's arguments, in the API's error shape (code, field, message). */
export function invalid(field: string, message: string, details: Record<string, unknown> = {}): BackendError {
  const errors: FieldError[] = [{ field, message }];
  return new BackendError(400, message, 'validation_failed', errors, details);
}

/** A reference that fits several objects: the candidates, so the caller can pick one. */
export function ambiguous(field: string, ref: string, candidates: Array<Record<string, unknown>>, hint: string): BackendError {
  const message = `${field} "${ref.slice(0, 80)}" matches ${candidates.length}: ${candidates.map((c) => Object.values(c).join(' ')).join('; ')}. ${hint}`;
  return new BackendError(400, message, 'ambiguous', [{ field, message: 'matches several' }], { candidates });
}

const dataOf = (o: JsonObject): JsonObject => (o.data && typeof o.data === 'object' ? (o.data as JsonObject) : {});

/** Per-call memo of what resolution read (boards, members), so a batch reads each once. */
export interface Resolver {
  board(ref: string, field?: string): Promise<JsonObject>;
  card(ref: string, field?: string): Promise<JsonObject>;
  /** The column key of `ref` on `board`. */
  column(board: JsonObject, ref: string, field?: string): string;
  /** A member id, or `me`. */
  assignee(ref: string, field?: string): Promise<string>;
  /** Every board (id → board), read once. */
  boards(): Promise<JsonObject[]>;
  boardById(id: string): Promise<JsonObject | undefined>;
}

async function allBoards(ctx: ToolContext): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  let after: string | undefined;
  for (let page = 0; page < 40; page++) {
    const res = await ctx.backend.list('board', { limit: 50, sort: 'created_at', ...(after && { after }) }, ctx.signal);
    out.push(...res.data);
    if (res.meta.has_more !== true || res.data.length === 0) break;
    after = String(res.data[res.data.length - 1].id);
  }
  return out;
}

/** A resolver for one tool call. */
export function resolver(ctx: ToolContext): Resolver {
  let boards: Promise<JsonObject[]> | undefined;
  let members: Promise<JsonObject[]> | undefined;
  const byId = new Map<string, JsonObject>();
  const self: Resolver = {
    boards: () => (boards ??= allBoards(ctx)),
    async boardById(id) {
      if (byId.has(id)) return byId.get(id);
      try {
        const board = await ctx.backend.get('board', id, ctx.signal);
        byId.set(id, board);
        return board;
      } catch (err) {
        if (err instanceof BackendError && err.status === 404) return undefined;
        throw err;
      }
    },
    async board(ref, field = 'board') {
      const raw = ref.trim();
      if (raw === '') throw invalid(field, `${field} must not be empty; give a board id, key (WEB) or name`);
      if (isUuid(raw) || normalizeBoardKey(raw)) {
        try {
          const board = await ctx.backend.get('board', raw, ctx.signal);
          byId.set(String(board.id), board);
          return board;
        } catch (err) {
          if (!(err instanceof BackendError) || err.status !== 404 || isUuid(raw)) throw err;
        }
      }
      const all = await self.boards();
      const named = all.filter((b) => String(dataOf(b).name ?? '').toLowerCase() === raw.toLowerCase());
      if (named.length === 1) return named[0];
      const list = (bs: JsonObject[]) => bs.slice(0, 20).map((b) => ({ key: b.key, name: dataOf(b).name }));
      if (named.length > 1) throw ambiguous(field, raw, list(named), 'Pass the board key instead.');
      throw new BackendError(404, `no board has the id, key or name "${raw.slice(0, 80)}"; boards: ${list(all).map((b) => `${b.key} (${b.name})`).join(', ') || 'none'}`, 'not_found', [
        { field, message: 'no such board' },
      ]);
    },
    async card(ref, field = 'card') {
      const raw = ref.trim();
      if (!isUuid(raw) && !parseCardKey(raw)) throw invalid(field, `${field} must be a card id or key like WEB-42; got "${raw.slice(0, 80)}" (search with card_list q to find a card)`);
      try {
        return await ctx.backend.get('card', raw, ctx.signal);
      } catch (err) {
        if (err instanceof BackendError && err.status === 404) throw new BackendError(404, `no card ${raw.slice(0, 80)} in this workspace (deleted cards are in trash_list)`, 'not_found', [{ field, message: 'no such card' }]);
        throw err;
      }
    },
    column(board, ref, field = 'column') {
      const raw = ref.trim().toLowerCase();
      const columns = (Array.isArray(dataOf(board).columns) ? dataOf(board).columns : []) as Array<{ key: string; name: string }>;
      const byKey = columns.filter((c) => c.key.toLowerCase() === raw);
      if (byKey.length === 1) return byKey[0].key;
      const named = columns.filter((c) => c.name.toLowerCase() === raw);
      if (named.length === 1) return named[0].key;
      if (named.length > 1) throw ambiguous(field, ref, named.map((c) => ({ key: c.key, name: c.name })), 'Pass the column key instead.');
      throw invalid(field, `board ${String(board.key ?? board.id)} has no column "${ref.slice(0, 64)}"; its columns: ${columns.map((c) => `${c.key} (${c.name})`).join(', ')}`);
    },
    async assignee(ref, field = 'assignee') {
      const raw = ref.trim();
      if (raw.toLowerCase() === 'me') return 'me';
      if (isUuid(raw)) return raw;
      members ??= ctx.backend.members(ctx.signal).then(
        (page) => page.data,
        (err: unknown) => {
          if (err instanceof BackendError && err.status === 403) {
            throw invalid(field, `${field} "${raw.slice(0, 80)}": this token may not read the member list, so only "me" or a member id work here`);
          }
          throw err;
        },
      );
      const all = await members;
      const lower = raw.toLowerCase();
      const hits = all.filter((m) => String(m.email ?? '').toLowerCase() === lower || String(m.name ?? '').toLowerCase() === lower);
      if (hits.length === 1) return String(hits[0].user_id);
      if (hits.length > 1) throw ambiguous(field, raw, hits.map((m) => ({ name: m.name, email: m.email })), 'Pass the email instead.');
      throw invalid(field, `no member is "${raw.slice(0, 80)}"; members: ${all.slice(0, 20).map((m) => `${m.name} <${m.email}>`).join(', ')}`);
    },
  };
  return self;
}
