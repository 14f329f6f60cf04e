/**
 * Card placement, owned by the server: a card's board reference, its status as a column key of that
 * board, and its position within the column (end of column by default, between neighbours on a move,
 * respacing the column in the same transaction when the gap runs out).
 *
 * Locks (PostgreSQL; SQLite runs one writer at a time): whoever computes a position in a column, or
 * respaces it, holds that column's advisory lock, so no card enters a column while it is respaced. A
 * card may leave a column meanwhile (its move holds only its row and the columns of that move): the
 * respace writes only rows still in the column when it reaches them. An update that moves a card
 * takes its column locks before its row lock (lockCardColumns), in name order, so it never waits for a
 * column while holding a row that the column's respace waits for.
 */
import { AppError, DEFAULT_COLUMNS, resolveColumnKey, type Column, type RespacedColumn, type ValidatedInput } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ColumnRef, ObjectRow } from '../store/types.js';
import { recordAuditEvent } from './activity-recorder.js';

/** Distance between neighbouring cards after a respace, and for cards added at the end. */
export const POSITION_STEP = 1024;
/** Below this gap a midpoint is no longer trusted and the column is respaced. */
const MIN_GAP = 1e-6;

/** The columns of a board (boards stored before columns existed get the defaults). */
export function boardColumns(board: ObjectRow): Column[] {
  const columns = board.data.columns;
  return Array.isArray(columns) && columns.length > 0 ? (columns as unknown as Column[]) : [...DEFAULT_COLUMNS];
}

/** The live board a card refers to, or a 404 (also for another workspace's board: never revealed). */
export async function loadBoardRef(ctx: CommandContext, boardId: string): Promise<ObjectRow> {
  const board = await ctx.store.getObject(ctx.actor.workspace.id, 'board', boardId);
  if (!board || board.is_deleted) {
    throw new AppError('not_found', `board_id ${boardId} does not name a board in this workspace; list boards to find a valid id, or leave board_id out`, {
      errors: [{ field: 'board_id', message: 'no such board in this workspace' }],
    });
  }
  return board;
}

function columnOf(ctx: CommandContext, card: ObjectRow): ColumnRef {
  const boardId = typeof card.data.board_id === 'string' ? card.data.board_id : null;
  const status = typeof card.data.status === 'string' ? card.data.status : null;
  return { workspaceId: ctx.actor.workspace.id, boardId, status: status as string };
}

/** The name of a column's advisory lock. */
function columnLock(column: ColumnRef): string {
  return `column:${column.workspaceId}:${column.boardId ?? ''}:${column.status ?? ''}`;
}

/**
 * Resolves the card's status to a column key of its board (the board's first column by default).
 * `read`: the card's board as already read, for a guess made before the column locks; placeCard
 * reads it again under them (a column removed meanwhile must not receive the card).
 */
async function settleColumn(ctx: CommandContext, card: ObjectRow, statusRequested: boolean, read?: ObjectRow): Promise<void> {
  const boardId = typeof card.data.board_id === 'string' ? card.data.board_id : undefined;
  if (boardId === undefined) return;
  const board = read !== undefined && read.id === boardId && !read.is_deleted ? read : await loadBoardRef(ctx, boardId);
  const columns = boardColumns(board);
  const status = card.data.status;
  if (typeof status === 'string' && statusRequested) card.data.status = resolveColumnKey(columns, status);
  else if (typeof status !== 'string' || !columns.some((c) => c.key === status)) card.data.status = columns[0].key;
}

/**
 * Before an update of card `id` locks its row: takes the locks of the column it is in and of the one
 * it is going to, when the update may move it (see the file comment). A stale guess (the card moved
 * in between) costs nothing but a lock: placeCard still takes the right one, and a respace re-checks
 * every row it writes. Input errors are left for the update itself to report, in its usual order.
 */
export async function lockCardColumns(ctx: CommandContext, id: string, input: ValidatedInput): Promise<void> {
  // Where transactions never overlap (SQLite) there is nothing to order: the reads below only choose locks.
  if (ctx.store.serialWrites) return;
  if (!['status', 'position', 'board_id'].some((key) => key in input.set || input.clear.includes(key))) return;
  const ws = ctx.actor.workspace.id;
  // A move within its column (position only) goes nowhere else: no need to read the board. Another
  // reads the card with the board it stays on or goes to, in one read.
  const leaving = ['status', 'board_id'].some((key) => key in input.set || input.clear.includes(key));
  const wanted = typeof input.set.board_id === 'string' ? input.set.board_id : null;
  const { card: current, board } = leaving ? await ctx.store.getCardAndBoard(ws, id, wanted) : { card: await ctx.store.getObject(ws, 'card', id), board: undefined };
  if (!current || current.is_deleted) return;
  const next: ObjectRow = { ...current, data: { ...current.data, ...input.set } };
  for (const key of input.clear) delete next.data[key];
  try {
    if (leaving) await settleColumn(ctx, next, 'status' in input.set, board);
  } catch (err) {
    if (err instanceof AppError) return;
    throw err;
  }
  await ctx.store.lockKey([...new Set([columnLock(columnOf(ctx, current)), columnLock(columnOf(ctx, next))])].sort());
}

/**
 * Settles board, status and position of a card about to be written. `previous` is the stored card on
 * update; `requested` says which of status and position the caller set explicitly.
 */
export async function placeCard(
  ctx: CommandContext,
  card: ObjectRow,
  previous: ObjectRow | undefined,
  requested: { status: boolean; position: boolean },
): Promise<void> {
  await settleColumn(ctx, card, requested.status);
  const column = columnOf(ctx, card);
  const moved = !previous || column.boardId !== (previous.data.board_id ?? null) || column.status !== (previous.data.status ?? null);
  const placing = requested.position && typeof card.data.position === 'number';
  if (!placing && !moved && typeof card.data.position === 'number') return;
  // Placements in one column are serialised so two writers never compute the same free slot, and
  // none computes one while the column is respaced.
  await ctx.store.lockKey(columnLock(column));
  if (placing) {
    card.data.position = await positionAt(ctx, column, card.data.position as number, card.id);
  } else {
    const last = await ctx.store.maxPosition(column, card.id);
    card.data.position = last === undefined ? POSITION_STEP : Math.floor(last / POSITION_STEP) * POSITION_STEP + POSITION_STEP;
  }
}

/**
 * The position for a card asked to go at `wanted`: that value when free, otherwise just before the
 * card holding it (between it and its predecessor), respacing the column when no room is left.
 */
async function positionAt(ctx: CommandContext, column: ColumnRef, wanted: number, cardId: string): Promise<number> {
  const { below, atOrAbove } = await ctx.store.neighbourPositions(column, wanted, cardId);
  if (atOrAbove !== wanted) return wanted;
  const lower = below ?? wanted - POSITION_STEP;
  const mid = (lower + wanted) / 2;
  if (wanted - lower > MIN_GAP && mid > lower && mid < wanted) return mid;
  return respaceColumn(ctx, column, cardId, wanted);
}

/**
 * Rewrites the column's positions to even steps in one statement, leaving a slot for `cardId` before
 * the card at `before`, and records it as one `respace` event (object: the card whose move needed it)
 * carrying the column and each respaced card's new position and version, so live views and the audit
 * trail follow the new order without an event per card.
 */
async function respaceColumn(ctx: CommandContext, column: ColumnRef, cardId: string, before: number): Promise<number> {
  const respace = await ctx.store.respaceColumn(column, cardId, before, POSITION_STEP);
  const order: RespacedColumn = { board_id: column.boardId, status: column.status, ids: respace.ids, positions: respace.positions, versions: respace.versions };
  await recordAuditEvent(ctx, 'respace', 'card', cardId, { order: [null, order] });
  return respace.position;
}
