/** accessTokenRevoker: ends one of the actor's personal access tokens, and records it. */
import { AppError } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import { recordAuditEvent } from './activity-recorder.js';

/** Revokes token `id` of the actor (in its workspace); a 404 for anyone else's token. */
export async function accessTokenRevoker(ctx: CommandContext, id: string): Promise<void> {
  const row = await ctx.store.getAccessToken(id);
  if (!row || row.user_id !== ctx.actor.user.id || row.workspace_id !== ctx.actor.workspace.id) {
    throw new AppError('not_found', `token ${id.slice(0, 40)} is not one of your tokens; list them with GET /xapi2/tokens`);
  }
  await ctx.store.revokeAccessToken(row.id, ctx.now);
  await recordAuditEvent(ctx, 'delete', 'access_token', row.id, { revoked_at: [row.revoked_at, ctx.now], name: [row.name, row.name] });
}
