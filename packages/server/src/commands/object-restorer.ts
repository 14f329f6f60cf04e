/** objectRestorer: brings an object back from the trash, with everything that went there with it. */
import { AppError, assertUuid, notFound } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ObjectRow } from '../store/types.js';
import { recordActivity } from './activity-recorder.js';
import { placeCard } from './card-placement.js';
import { nextVersion, requireModel, writeNextVersion } from './object-loader.js';

async function untrash(ctx: CommandContext, row: ObjectRow): Promise<ObjectRow> {
  const next = { ...nextVersion(ctx, row), is_deleted: false, deleted_at: null, deleted_with: null };
  // A card comes back to its old place when it is still free; another card may have taken it (or
  // its column may be gone) while it was in the trash, and two cards never share a position.
  if (row.type === 'card') await placeCard(ctx, next, undefined, { status: false, position: true });
  await writeNextVersion(ctx, next, row);
  await recordActivity(ctx, 'restore', row, next);
  return next;
}

/** Restores trashed object `id`; returns it and how many objects came back with it. */
export async function objectRestorer(ctx: CommandContext, type: string, id: string): Promise<{ row: ObjectRow; restored: number }> {
  requireModel(type);
  assertUuid(id);
  const workspaceId = ctx.actor.workspace.id;
  const row = await ctx.store.getObjectForUpdate(workspaceId, type, id);
  if (!row) throw notFound(type, id);
  if (!row.is_deleted) throw new AppError('conflict', `${type} ${id} is not in the trash; there is nothing to restore`);
  const boardId = row.data.board_id;
  if (type === 'card' && typeof boardId === 'string') {
    const board = await ctx.store.getObject(workspaceId, 'board', boardId);
    if (board?.is_deleted) {
      const name = typeof board.data.name === 'string' ? `“${board.data.name}”` : boardId;
      throw new AppError(
        'conflict',
        `this card's board ${name} is in the trash; restore the board first (that brings back the cards deleted with it), then restore this card if it is still in the trash`,
      );
    }
  }
  const restoredRow = await untrash(ctx, row);
  let restored = 0;
  for (const other of await ctx.store.listDeletedWith(workspaceId, row.id)) {
    await untrash(ctx, other);
    restored++;
  }
  return { row: restoredRow, restored };
}
