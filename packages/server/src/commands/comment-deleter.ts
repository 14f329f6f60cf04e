/** commentDeleter: removes a comment, by its author or by an owner or admin. */
import type { CommandContext } from '../context.js';
import { authorizeCommentDelete } from '../policies.js';
import type { CommentRow } from '../store/types.js';
import { commentNotFound, loadComment, recordCommentActivity } from './comment-loader.js';

/** Deletes comment `id` for good (the card's history keeps only that it was deleted); returns what it was. */
export async function commentDeleter(ctx: CommandContext, id: string): Promise<CommentRow> {
  const { comment } = await loadComment(ctx, id);
  authorizeCommentDelete(ctx.actor, comment);
  // Two deletes racing: the card row lock serialises them, and the second finds nothing to delete.
  if (!(await ctx.store.deleteComment(comment.workspace_id, id))) throw commentNotFound(id);
  await ctx.store.reindexCardSearch(comment.workspace_id, comment.card_id);
  await recordCommentActivity(ctx, 'delete', comment, undefined);
  return comment;
}
