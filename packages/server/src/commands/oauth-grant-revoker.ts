/** oauthGrantRevoker: signs an app out of the actor's account (its OAuth grant), and records it. */
import { AppError } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import { recordAuditEvent } from './activity-recorder.js';

/** Revokes grant `id` of the actor (in its workspace): its access and refresh tokens stop working; a 404 for anyone else's or a revoked one. */
export async function oauthGrantRevoker(ctx: CommandContext, id: string): Promise<void> {
  const grant = await ctx.store.getOAuthGrant(id);
  if (!grant || grant.user_id !== ctx.actor.user.id || grant.workspace_id !== ctx.actor.workspace.id || grant.revoked_at) {
    throw new AppError('not_found', `sign-in ${id.slice(0, 40)} is not one of your connected apps; list them with GET /xapi2/oauth/grants`);
  }
  await ctx.store.revokeOAuthGrant(grant.id, ctx.now);
  await recordAuditEvent(ctx, 'delete', 'oauth_grant', grant.id, { revoked_at: [null, ctx.now], client_id: [grant.client_id, grant.client_id] });
}
