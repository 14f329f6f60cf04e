/**
 * Records one activity event per write, in the write's transaction: the audit trail, and the outbox
 * that live updates and webhooks read.
 */
import type { Json } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ActivityRow, ObjectRow } from '../store/types.js';

type Changes = Record<string, [Json, Json]>;

function same(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The fields that differ between two versions of an object: `{field: [before, after]}`. */
export function diffObjects(before: ObjectRow | undefined, after: ObjectRow): Changes {
  const changes: Changes = {};
  const keys = new Set([...Object.keys(before?.data ?? {}), ...Object.keys(after.data)]);
  for (const key of keys) {
    const a = before?.data[key];
    const b = after.data[key];
    if (!same(a, b)) changes[key] = [a ?? null, b ?? null];
  }
  for (const key of ['is_archived', 'is_deleted', 'status'] as const) {
    if (before && before[key] !== after[key]) changes[key] = [before[key], after[key]];
  }
  // The human key: a board's renamed, a card's after a move to another board.
  if (before && (before.key ?? null) !== (after.key ?? null)) changes.key = [before.key ?? null, after.key ?? null];
  return changes;
}

/** Records that `after` was written (created when `before` is undefined). */
export async function recordActivity(ctx: CommandContext, action: ActivityRow['action'], before: ObjectRow | undefined, after: ObjectRow): Promise<number> {
  const credential = ctx.actor.credential;
  return ctx.store.insertActivity({
    workspace_id: ctx.actor.workspace.id,
    actor_id: ctx.actor.user.id,
    token_id: credential.kind === 'pat' ? credential.tokenId : null,
    object_type: after.type,
    object_id: after.id,
    action,
    changes: diffObjects(before, after),
    created_at: ctx.now,
  });
}

/**
 * Records a write to something other than a board or card (a membership, an invitation): it joins
 * the audit trail, and the activity feeds leave it out because they list only model types.
 */
export async function recordAuditEvent(
  ctx: CommandContext,
  action: ActivityRow['action'],
  objectType: string,
  objectId: string,
  changes: Changes,
): Promise<number> {
  const credential = ctx.actor.credential;
  return ctx.store.insertActivity({
    workspace_id: ctx.actor.workspace.id,
    actor_id: ctx.actor.user.id,
    token_id: credential.kind === 'pat' ? credential.tokenId : null,
    object_type: objectType,
    object_id: objectId,
    action,
    changes,
    created_at: ctx.now,
  });
}
