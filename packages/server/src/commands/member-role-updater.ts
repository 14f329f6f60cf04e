/** memberRoleUpdater: changes a member's role, keeping at least one owner in the workspace. */
import { AppError, ROLES, listWords, type Role } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import { authorizeRoleGrant } from '../policies.js';
import type { MemberRow } from '../store/types.js';
import { recordAuditEvent } from './activity-recorder.js';
import { membersLock } from './member-remover.js';

/** Gives member `userId` the role `role`; returns the member as now stored. */
export async function memberRoleUpdater(ctx: CommandContext, userId: string, role: unknown): Promise<MemberRow> {
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
    throw new AppError('validation_failed', `role must be ${listWords(ROLES)}`, { errors: [{ field: 'role', message: `one of ${ROLES.join(', ')}` }] });
  }
  const workspaceId = ctx.actor.workspace.id;
  await ctx.store.lockKey(membersLock(workspaceId));
  const members = await ctx.store.listMembers(workspaceId);
  const member = members.find((m) => m.user_id === userId);
  if (!member) throw new AppError('not_found', `user ${userId.slice(0, 40)} is not a member of this workspace; list members with GET /xapi2/members`);
  authorizeRoleGrant(ctx.actor, role as Role, member.role);
  if (member.role === role) return member;
  if (member.role === 'owner' && !members.some((m) => m.role === 'owner' && m.user_id !== userId)) {
    throw new AppError('conflict', 'this is the last owner of the workspace; make someone else an owner first, then change this role', {
      errors: [{ field: 'role', message: 'a workspace needs at least one owner' }],
    });
  }
  await ctx.store.upsertMembership({ workspace_id: workspaceId, user_id: userId, role: role as Role, created_at: member.created_at });
  await recordAuditEvent(ctx, 'update', 'member', userId, { role: [member.role, role] });
  return { ...member, role: role as Role };
}
