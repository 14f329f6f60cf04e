/**
 * Card placement, owned by the server: a card's board reference, its status as a column key of that
 * board, and its position within the column (end of column by default, between neighbours on a move,
 * respacing the column in the same transaction when the gap runs out).
 */
import { AppError, DEFAULT_COLUMNS, resolveColumnKey, type Column } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ColumnRef, ObjectRow } from '../store/types.js';
import { recordActivity } from './activity-recorder.js';

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
  const boardId = typeof card.data.board_id === 'string' ? card.data.board_id : undefined;
  if (boardId !== undefined) {
    const columns = boardColumns(await loadBoardRef(ctx, boardId));
    const status = card.data.status;
    if (typeof status === 'string' && requested.status) card.data.status = resolveColumnKey(columns, status);
    else if (typeof status !== 'string' || !columns.some((c) => c.key === status)) card.data.status = columns[0].key;
  }

  const column = columnOf(ctx, card);
  // Moves within one column are serialised so two writers never compute the same free slot.
  await ctx.store.lockKey(`column:${column.workspaceId}:${column.boardId ?? ''}:${column.status ?? ''}`);
  const moved = !previous || column.boardId !== (previous.data.board_id ?? null) || column.status !== (previous.data.status ?? null);
  if (requested.position && typeof card.data.position === 'number') {
    card.data.position = await positionAt(ctx, column, card.data.position, card.id);
  } else if (moved || typeof card.data.position !== 'number') {
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

/** Rewrites the column's positions to even steps, leaving a slot for `cardId` before the card at `before`. */
async function respaceColumn(ctx: CommandContext, column: ColumnRef, cardId: string, before: number): Promise<number> {
  const order = (await ctx.store.columnOrder(column)).filter((c) => c.id !== cardId);
  const oldPosition = new Map(order.map((c) => [c.id, c.position]));
  const slot = order.findIndex((c) => (c.position ?? -Infinity) >= before);
  const ids = order.map((c) => c.id);
  ids.splice(slot === -1 ? ids.length : slot, 0, cardId);
  const changed: Array<{ id: string; position: number }> = [];
  let mine = POSITION_STEP;
  ids.forEach((id, i) => {
    const position = (i + 1) * POSITION_STEP;
    if (id === cardId) mine = position;
    else if (oldPosition.get(id) !== position) changed.push({ id, position });
  });
  await ctx.store.setPositions(column.workspaceId, changed, ctx.now, ctx.actor.user.id);
  for (const { id } of changed) {
    // Each respaced card gets its own event so live views and the audit trail see the new order.
    const after = await ctx.store.getObject(column.workspaceId, 'card', id);
    if (after) {
      const before = { ...after, version: after.version - 1, data: { ...after.data, position: oldPosition.get(id) ?? null } };
      await recordActivity(ctx, 'update', before, after);
    }
  }
  return mine;
}
