/**
 * memberRemover: takes a member out of the workspace. Their sessions there are deleted and their
 * personal access tokens and OAuth grants there revoked in the same transaction, so every credential
 * of theirs stops at once (the credential cache drops at commit, on every instance); the recorded
 * event ends their open live streams (live/activity-feed.ts re-checks the credential on it).
 */
import { AppError } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import type { MemberRow } from '../store/types.js';
import { recordAuditEvent } from './activity-recorder.js';

/** The lock that orders changes to a workspace's members (so two owners cannot remove each other at once). */
export const membersLock = (workspaceId: string) => `members:${workspaceId}`;

/** Removes member `userId` from the actor's workspace; returns the member as it was. */
export async function memberRemover(ctx: CommandContext, userId: string): Promise<MemberRow> {
  const workspaceId = ctx.actor.workspace.id;
  await ctx.store.lockKey(membersLock(workspaceId));
  const members = await ctx.store.listMembers(workspaceId);
  const member = members.find((m) => m.user_id === userId);
  if (!member) throw new AppError('not_found', `user ${userId.slice(0, 40)} is not a member of this workspace; list members with GET /xapi2/members`);
  if (member.role === 'owner' && ctx.actor.role !== 'owner') {
    throw new AppError('forbidden', 'only an owner can remove an owner; ask an owner of this workspace');
  }
  if (member.role === 'owner' && !members.some((m) => m.role === 'owner' && m.user_id !== userId)) {
    throw new AppError('conflict', 'this is the last owner of the workspace; make someone else an owner first, then remove this one', {
      errors: [{ field: 'user_id', message: 'a workspace needs at least one owner' }],
    });
  }
  await ctx.store.deleteMembership(workspaceId, userId);
  await ctx.store.endMemberCredentials(userId, workspaceId, ctx.now);
  await recordAuditEvent(ctx, 'delete', 'member', userId, { role: [member.role, null], email: [member.email, null] });
  return member;
}
