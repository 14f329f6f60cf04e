/** invitationCreator: mints a one-time invite link into the actor's workspace; the token is returned once and stored hashed. */
import { AppError, ROLES, listWords, type Role } from '@prodboard/shared';
import { newId, type CommandContext } from '../context.js';
import { parseExpiry } from '../auth/expiry.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import { authorizeRoleGrant } from '../policies.js';
import type { InvitationRow } from '../store/types.js';
import { recordAuditEvent } from './activity-recorder.js';

/** How long an invite link works when no expiry is given. */
export const DEFAULT_INVITATION_EXPIRY = '7d';
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export interface NewInvitation {
  role?: unknown;
  email?: unknown;
  expires?: unknown;
}

function checkInput(input: NewInvitation, now: number): { role: Role; email: string | null; expiresAt: string } {
  const errors = [];
  const role = (input.role ?? 'member') as Role;
  if (!ROLES.includes(role)) errors.push({ field: 'role', message: `role must be ${listWords(ROLES)}` });
  let email: string | null = null;
  if (input.email !== undefined && input.email !== null && input.email !== '') {
    email = typeof input.email === 'string' ? input.email.trim() : '';
    if (!EMAIL.test(email) || email.length > 254) errors.push({ field: 'email', message: 'email must be an address such as ada@example.com, or left out to let anyone with the link join' });
  }
  const expires = input.expires ?? DEFAULT_INVITATION_EXPIRY;
  let expiresAt: string | null = null;
  if (typeof expires !== 'string') {
    errors.push({ field: 'expires', message: 'expires must be a duration such as 7d or 48h, or an ISO date; invite links always expire' });
  } else {
    try {
      expiresAt = parseExpiry(expires, now, { never: false });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      errors.push(...err.errors.map((e) => ({ ...e, message: err.message })));
    }
  }
  if (errors.length > 0) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return { role, email, expiresAt: expiresAt! };
}

/** Creates the invitation; `token` is the only copy of the secret there will ever be. */
export async function invitationCreator(ctx: CommandContext, input: NewInvitation): Promise<{ token: string; row: InvitationRow }> {
  const { role, email, expiresAt } = checkInput(input, Date.parse(ctx.now));
  authorizeRoleGrant(ctx.actor, role);
  const token = generateToken('session').replace(/^ses_/, 'inv_');
  const row: InvitationRow = {
    id: newId(),
    workspace_id: ctx.actor.workspace.id,
    token_hash: hashToken(token),
    role,
    email,
    created_by: ctx.actor.user.id,
    created_at: ctx.now,
    expires_at: expiresAt,
    accepted_at: null,
    accepted_by: null,
    revoked_at: null,
  };
  await ctx.store.insertInvitation(row);
  await recordAuditEvent(ctx, 'create', 'invitation', row.id, { role: [null, role], email: [null, email] });
  return { token, row };
}
