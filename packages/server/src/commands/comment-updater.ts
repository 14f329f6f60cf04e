/** commentUpdater: its author edits a comment's body (mentions are resolved again). */
import { AppError, validateCommentInput } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import { authorizeCommentEdit } from '../policies.js';
import type { CommentRow } from '../store/types.js';
import { commentText, loadComment, recordCommentActivity } from './comment-loader.js';

/** Replaces comment `id`'s body with `input` ({body}); an unchanged body writes nothing. */
export async function commentUpdater(ctx: CommandContext, id: string, input: unknown, ifMatch?: number): Promise<CommentRow> {
  const { body } = validateCommentInput(input);
  const { comment } = await loadComment(ctx, id);
  authorizeCommentEdit(ctx.actor, comment);
  if (ifMatch !== undefined && ifMatch !== comment.version) {
    throw new AppError('precondition_failed', `comment ${id} is at version ${comment.version}, not ${ifMatch}: it was edited since you read it; read it again and retry with If-Match: ${comment.version}`);
  }
  if (body === comment.body) return comment;
  const next: CommentRow = { ...comment, ...(await commentText(ctx, body)), updated_at: ctx.now, version: comment.version + 1 };
  if (!(await ctx.store.updateComment(next, comment.version))) {
    throw new AppError('conflict', `comment ${id} was changed by another request at the same moment; read it again and retry`);
  }
  await ctx.store.reindexCardSearch(next.workspace_id, next.card_id);
  await recordCommentActivity(ctx, 'update', comment, next);
  return next;
}
