/** passwordChanger: sets a user's new password hash, signs out every session, and records it (never the password or hash). */
import type { CommandContext } from '../context.js';
import { recordAuditEvent } from './activity-recorder.js';

/** Stores `passwordHash` for the actor and ends all its sessions, in the command's transaction. */
export async function passwordChanger(ctx: CommandContext, passwordHash: string): Promise<void> {
  const userId = ctx.actor.user.id;
  await ctx.store.updateUserPassword(userId, passwordHash, ctx.now);
  await ctx.store.deleteSessions(userId);
  await ctx.store.voidPasswordResets(userId, ctx.now);
  await recordAuditEvent(ctx, 'update', 'user', userId, { password: [null, 'changed'], sessions: [null, 'signed out'] });
}
