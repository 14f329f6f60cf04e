/**
 * Records one activity event per write, in the write's transaction: the audit trail, and the outbox
 * that live updates and webhooks read.
 */
import type { ACCOUNT_EVENT_TYPES, Json } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ActivityRepo, ActivityRow, ObjectRow } from '../store/types.js';

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

/** Who wrote, where and when: what an event records besides the change itself. */
export interface EventStamp {
  workspaceId: string;
  actorId: string;
  /** The personal access token used, if any. */
  tokenId: string | null;
  at: string;
}

/** The stamp of a command's actor. */
export function stampOf(ctx: CommandContext): EventStamp {
  const credential = ctx.actor.credential;
  return { workspaceId: ctx.actor.workspace.id, actorId: ctx.actor.user.id, tokenId: credential.kind === 'pat' ? credential.tokenId : null, at: ctx.now };
}

/**
 * Records a write to something other than a board or card (a membership, an invitation, a token, a
 * session, a password) with `stamp`, for writes made before there is an actor (login, the CLI): it
 * joins the audit trail, owners and admins read it in GET /xapi2/activity, and the live feeds leave
 * it out because they list only model types. `changes` never holds a secret.
 */
export async function recordAccountEvent(
  store: ActivityRepo,
  stamp: EventStamp,
  action: ActivityRow['action'],
  objectType: (typeof ACCOUNT_EVENT_TYPES)[number],
  objectId: string,
  changes: Changes,
): Promise<number> {
  return store.insertActivity({
    workspace_id: stamp.workspaceId,
    actor_id: stamp.actorId,
    token_id: stamp.tokenId,
    object_type: objectType,
    object_id: objectId,
    action,
    changes,
    created_at: stamp.at,
  });
}

/** Records a write by the command's actor to something other than a board or card (see recordAccountEvent); `respace` and comment events use it too. */
export async function recordAuditEvent(
  ctx: CommandContext,
  action: ActivityRow['action'],
  objectType: (typeof ACCOUNT_EVENT_TYPES)[number] | 'card' | 'comment',
  objectId: string,
  changes: Changes,
): Promise<number> {
  return recordAccountEvent(ctx.store, stampOf(ctx), action, objectType as (typeof ACCOUNT_EVENT_TYPES)[number], objectId, changes);
}
