/** invitationRevoker: makes a pending invite link stop working. */
import { AppError } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import { authorizeRoleGrant } from '../policies.js';
import { recordAuditEvent } from './activity-recorder.js';

/** Revokes invitation `id` of the actor's workspace; a 404 when it is unknown, used or already revoked. */
export async function invitationRevoker(ctx: CommandContext, id: string): Promise<void> {
  const row = await ctx.store.getInvitation(ctx.actor.workspace.id, id);
  if (!row || row.accepted_at || row.revoked_at) {
    throw new AppError('not_found', `invitation ${id.slice(0, 40)} is not a pending invitation of this workspace; list them with GET /xapi2/invitations`);
  }
  // Whoever may not grant the role may not take the offer back either.
  authorizeRoleGrant(ctx.actor, row.role);
  await ctx.store.revokeInvitation(row.id, ctx.now);
  await recordAuditEvent(ctx, 'delete', 'invitation', row.id, { revoked_at: [null, ctx.now] });
}
