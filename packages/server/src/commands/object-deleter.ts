/** objectDeleter: moves an object to the trash; a board takes its cards with it. */
import type { CommandContext } from '../context.js';
import type { ObjectRow } from '../store/types.js';
import { recordActivity } from './activity-recorder.js';
import { checkVersion, loadLiveObject, nextVersion, requireModel, writeNextVersion } from './object-loader.js';

async function trash(ctx: CommandContext, row: ObjectRow, withId: string): Promise<void> {
  const next = { ...nextVersion(ctx, row), is_deleted: true, deleted_at: ctx.now, deleted_with: withId };
  await writeNextVersion(ctx, next, row);
  await recordActivity(ctx, 'delete', row, next);
}

/** Soft-deletes object `id`; returns it and how many objects went to the trash with it. */
export async function objectDeleter(ctx: CommandContext, type: string, id: string, ifMatch?: number): Promise<{ row: ObjectRow; cascaded: number }> {
  requireModel(type);
  const row = await loadLiveObject(ctx, type, id);
  checkVersion(row, ifMatch);
  await trash(ctx, row, row.id);
  let cascaded = 0;
  if (type === 'board') {
    for (const card of await ctx.store.listObjectsByField(ctx.actor.workspace.id, 'card', 'board_id', row.id)) {
      await trash(ctx, card, row.id);
      cascaded++;
    }
  }
  return { row, cascaded };
}
