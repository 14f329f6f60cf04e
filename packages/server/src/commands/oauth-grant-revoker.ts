/**
 * Ending an OAuth grant (an app signed in as a member), and recording it: by the member on the
 * Integrations page (`oauthGrantRevoker`), or by the authorization server (`oauthGrantEnder`) when the
 * client revokes its refresh token or a code or refresh token is replayed. Every ending is an
 * `oauth_grant` delete event in the write's transaction; a grant already ended records nothing.
 */
import { AppError } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { ActivityRepo, OAuthGrantRow, OAuthRepo } from '../store/types.js';
import { recordAccountEvent } from './activity-recorder.js';

/** Why a grant ended, as its event records it. */
export type GrantEnding = 'revoked by the member' | 'refresh token revoked by the app' | 'code replayed' | 'refresh token reused';

/**
 * Ends grant `grantId` (read again in `store`'s transaction) at `at` and records why, as done by
 * `actorId` (the grant's member by default). Does nothing for an unknown or already ended grant.
 */
export async function oauthGrantEnder(store: OAuthRepo & ActivityRepo, grantId: string, at: string, why: GrantEnding, actorId?: string): Promise<void> {
  const grant = await store.getOAuthGrant(grantId);
  // The conditional UPDATE decides between concurrent enders (two replays of one refresh token): one records.
  if (!grant || !(await store.revokeOAuthGrant(grant.id, at))) return;
  await recordAccountEvent(store, { workspaceId: grant.workspace_id, actorId: actorId ?? grant.user_id, tokenId: null, at }, 'delete', 'oauth_grant', grant.id, {
    revoked_at: [null, at], client_id: [grant.client_id, grant.client_id], reason: [null, why],
  });
}

/** Revokes grant `id` of the actor (in its workspace): its access and refresh tokens stop working; a 404 for anyone else's or a revoked one. */
export async function oauthGrantRevoker(ctx: CommandContext, id: string): Promise<OAuthGrantRow> {
  const grant = await ctx.store.getOAuthGrant(id);
  if (!grant || grant.user_id !== ctx.actor.user.id || grant.workspace_id !== ctx.actor.workspace.id || grant.revoked_at) {
    throw new AppError('not_found', `sign-in ${id.slice(0, 40)} is not one of your connected apps; list them with GET /xapi2/oauth/grants`);
  }
  await oauthGrantEnder(ctx.store, grant.id, ctx.now, 'revoked by the member', ctx.actor.user.id);
  return grant;
}
