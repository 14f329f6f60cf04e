/** objectCreator: validates and creates one object, recording its activity. */
import { validateInput } from '@prodboard/shared';
import { newId, type CommandContext } from '../context.js';
import type { ObjectRow } from '../store/types.js';
import { recordActivity } from './activity-recorder.js';
import { applyModelRules } from './model-rules.js';
import { requireModel } from './object-loader.js';

/** Creates an object of `type` from a request body of its fields. */
export async function objectCreator(ctx: CommandContext, type: string, body: unknown): Promise<ObjectRow> {
  const input = validateInput(type, requireModel(type), 'create', body);
  const { actor, now } = ctx;
  const row: ObjectRow = {
    id: newId(),
    workspace_id: actor.workspace.id,
    type,
    status: 'active',
    owned_by: actor.user.id,
    created_by: actor.user.id,
    updated_by: actor.user.id,
    is_archived: false,
    is_deleted: false,
    created_at: now,
    updated_at: now,
    version: 1,
    deleted_at: null,
    deleted_with: null,
    data: { ...input.set },
  };
  await applyModelRules(ctx, row, undefined, input);
  // A card's key is taken first and written with the row (no UPDATE after the insert).
  if (type === 'card') row.key = typeof row.data.board_id === 'string' ? await ctx.store.newCardKey(actor.workspace.id, row.id, row.data.board_id) : null;
  await ctx.store.insertObject(row);
  if (type === 'board') row.key = await ctx.store.setBoardKey(actor.workspace.id, row.id, typeof row.data.name === 'string' ? row.data.name : '', input.key);
  await recordActivity(ctx, 'create', undefined, row);
  return row;
}
