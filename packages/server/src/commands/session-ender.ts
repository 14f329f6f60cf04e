/** sessionEnder: logout. The session and every renewal of it (before or after) end, and the logout is recorded. */
import type { CommandContext } from '../context.js';
import { recordAuditEvent } from './activity-recorder.js';

/** Ends the actor's session chain at the command's time (a personal access token has no session: nothing to do). */
export async function sessionEnder(ctx: CommandContext): Promise<void> {
  const credential = ctx.actor.credential;
  if (credential.kind !== 'session') return;
  await ctx.store.endSessionChain(credential.sessionId, ctx.now);
  await recordAuditEvent(ctx, 'delete', 'session', credential.sessionId, { ended_at: [null, ctx.now] });
}
