/** objectUpdater: a partial update; untouched fields stay, `null` clears an optional field. */
import { validateInput } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ObjectRow } from '../store/types.js';
import { diffObjects, recordActivity } from './activity-recorder.js';
import { lockCardColumns } from './card-placement.js';
import { applyModelRules } from './model-rules.js';
import { checkVersion, loadLiveObject, nextVersion, requireModel, writeNextVersion } from './object-loader.js';

/** Updates object `id` of `type`; a change to nothing writes nothing and returns the stored row. */
export async function objectUpdater(ctx: CommandContext, type: string, id: string, body: unknown, ifMatch?: number): Promise<ObjectRow> {
  const input = validateInput(type, requireModel(type), 'update', body);
  if (type === 'card') await lockCardColumns(ctx, id, input);
  const previous = await loadLiveObject(ctx, type, id);
  checkVersion(previous, ifMatch);
  const next = nextVersion(ctx, previous);
  Object.assign(next.data, input.set);
  for (const key of input.clear) delete next.data[key];
  if (input.isArchived !== undefined) next.is_archived = input.isArchived;
  if (type === 'board' && input.key !== undefined) next.key = input.key;
  await applyModelRules(ctx, next, previous, input);
  if (Object.keys(diffObjects(previous, next)).length === 0) return previous;
  await writeNextVersion(ctx, next, previous);
  // Human keys (issue 12): a renamed board key renames its cards' keys; a card on another board gets a number there.
  if (type === 'board' && next.key !== previous.key && next.key) await ctx.store.renameBoardKey(ctx.actor.workspace.id, id, next.key);
  const boardOf = (row: ObjectRow) => (typeof row.data.board_id === 'string' ? row.data.board_id : null);
  if (type === 'card' && boardOf(next) !== boardOf(previous)) next.key = await ctx.store.setCardKey(ctx.actor.workspace.id, id, boardOf(next));
  await recordActivity(ctx, 'update', previous, next);
  return next;
}
