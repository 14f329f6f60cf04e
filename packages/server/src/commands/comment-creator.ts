/** commentCreator: adds a Markdown comment to a live card, with its @mentions resolved to members. */
import { validateCommentInput } from '@prodboard/shared';
import { newId, type CommandContext } from '../context.js';
import type { CommentRow } from '../store/types.js';
import { commentText, loadCommentedCard, recordCommentActivity } from './comment-loader.js';

/** Adds the comment `input` ({body}) to card `cardId`; returns it as stored. */
export async function commentCreator(ctx: CommandContext, cardId: string, input: unknown): Promise<CommentRow> {
  const { body } = validateCommentInput(input);
  const card = await loadCommentedCard(ctx, cardId);
  const row: CommentRow = {
    id: newId(),
    workspace_id: ctx.actor.workspace.id,
    card_id: card.id,
    author_id: ctx.actor.user.id,
    ...(await commentText(ctx, body)),
    created_at: ctx.now,
    updated_at: ctx.now,
    version: 1,
  };
  await ctx.store.insertComment(row);
  await ctx.store.reindexCardSearch(row.workspace_id, card.id);
  await recordCommentActivity(ctx, 'create', undefined, row);
  return row;
}
