/**
 * What the comment commands share: loading a comment whose card is live in the caller's workspace,
 * resolving a body's @mentions against the workspace's members, and recording the comment's activity.
 *
 * A comment's activity names its card (`object_type: 'comment'`, `object_id`: the card's id, the
 * comment's id in `changes.id`), so a card's history and the live feed of an open card are one
 * indexed read of the card's id.
 */
import { AppError, assertUuid, foldForSearch, resolveMentions, type Json } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ActivityRow, CommentRow, ObjectRow } from '../store/types.js';
import { recordAuditEvent } from './activity-recorder.js';
import { loadLiveObject } from './object-loader.js';

/** A 404 for a comment that is not in this workspace (or whose card is in the trash). */
export function commentNotFound(id: string): AppError {
  return new AppError('not_found', `comment ${id.slice(0, 80)} was not found in this workspace (or its card is in the trash); list a card's comments with GET /xapi2/cards/{card_id}/comments`);
}

/** The comment and its live card, both held for this write; or a 404. */
export async function loadComment(ctx: CommandContext, id: string): Promise<{ comment: CommentRow; card: ObjectRow }> {
  assertUuid(id);
  const comment = await ctx.store.getComment(ctx.actor.workspace.id, id);
  if (!comment) throw commentNotFound(id);
  const card = await ctx.store.getObjectForUpdate(ctx.actor.workspace.id, 'card', comment.card_id);
  if (!card || card.is_deleted) throw commentNotFound(id);
  return { comment, card };
}

/** The live card a new comment goes on, held for this write; or a 404. */
export function loadCommentedCard(ctx: CommandContext, cardId: string): Promise<ObjectRow> {
  return loadLiveObject(ctx, 'card', cardId);
}

/** The body's fields as stored: the text, its resolved mentions and its folded search text. */
export async function commentText(ctx: CommandContext, body: string): Promise<Pick<CommentRow, 'body' | 'mentions' | 'search_text'>> {
  const members = await ctx.store.listMembers(ctx.actor.workspace.id);
  return { body, mentions: resolveMentions(body, members), search_text: foldForSearch(body) };
}

/**
 * Records a comment's write on its card's history and live feed. The body is left out: a deleted
 * comment must be gone (someone may have pasted a secret), and readers fetch the comments anyway.
 */
export function recordCommentActivity(ctx: CommandContext, action: ActivityRow['action'], before: CommentRow | undefined, after: CommentRow | undefined): Promise<number> {
  const comment = (after ?? before)!;
  const changes: Record<string, [Json, Json]> = { id: [before?.id ?? null, after?.id ?? null] };
  return recordAuditEvent(ctx, action, 'comment', comment.card_id, changes);
}
