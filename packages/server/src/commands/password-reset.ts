/**
 * Password reset links: issued by an owner or admin for a member (or by the prodboard CLI for any
 * account), stored hashed, expiring, used once. Using one sets the password, ends every session of
 * the account and every other link of it, and the caller signs in afresh.
 */
import { AppError } from '@prodboard/shared';
import { newId } from '../context.js';
import { MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { generateToken, hashToken } from '../auth/tokens.js';
import type { ActivityRepo, MembershipRow, PasswordResetRow, PasswordResetsRepo, StoreTx } from '../store/types.js';

/** The web app's page that sets a new password; the token rides in the fragment so it never reaches a log. */
export const PASSWORD_RESET_PATH = '/reset-password#token=';
/** How long a reset link works when no expiry is given. */
export const DEFAULT_RESET_EXPIRY = '24h';
const PREFIX = 'pwr_';

const unusable = () =>
  new AppError('not_found', 'this password reset link is not valid, was already used or has expired; ask an owner or admin of your workspace for a new one', {
    errors: [{ field: 'token', message: 'reset link not valid' }],
  });

/** Creates a reset link for `userId`; `token` is the only copy of the secret there will ever be. */
export async function passwordResetIssuer(
  store: PasswordResetsRepo & ActivityRepo,
  fields: { userId: string; workspaceId: string | null; createdBy: string | null; now: string; expiresAt: string },
): Promise<{ token: string; row: PasswordResetRow }> {
  const token = generateToken('session').replace(/^ses_/, PREFIX);
  const row: PasswordResetRow = {
    id: newId(),
    token_hash: hashToken(token),
    user_id: fields.userId,
    workspace_id: fields.workspaceId,
    created_by: fields.createdBy,
    created_at: fields.now,
    expires_at: fields.expiresAt,
    used_at: null,
  };
  await store.insertPasswordReset(row);
  if (fields.workspaceId) {
    await store.insertActivity({
      workspace_id: fields.workspaceId, actor_id: fields.createdBy, token_id: null, object_type: 'password_reset', object_id: row.id,
      action: 'create', changes: { user_id: [null, fields.userId], expires_at: [null, fields.expiresAt] }, created_at: fields.now,
    });
  }
  return { token, row };
}

/** The unused, unexpired reset link a token names, or a 404. */
export async function loadUsablePasswordReset(store: PasswordResetsRepo, token: unknown, now: number): Promise<PasswordResetRow> {
  if (typeof token !== 'string' || !token.startsWith(PREFIX) || token.length > 200) throw unusable();
  const row = await store.getPasswordResetByHash(hashToken(token));
  if (!row || row.used_at || Date.parse(row.expires_at) <= now) throw unusable();
  return row;
}

/** A new password as given, or a 400 at `field`. */
export function checkNewPassword(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < MIN_PASSWORD_LENGTH || value.length > 1024) {
    throw new AppError('validation_failed', `${field} must be ${MIN_PASSWORD_LENGTH} to 1024 characters`, { errors: [{ field, message: `${MIN_PASSWORD_LENGTH} to 1024 characters` }] });
  }
  return value;
}

/**
 * Sets `passwordHash` for the user, signs out every session of theirs and voids their other reset
 * links, and records it in each of their workspaces (never the password or hash). In `tx`.
 */
export async function passwordSetter(tx: StoreTx, userId: string, passwordHash: string, now: string, actorId: string | null, how: string): Promise<MembershipRow[]> {
  await tx.updateUserPassword(userId, passwordHash, now);
  await tx.deleteSessions(userId);
  await tx.voidPasswordResets(userId, now);
  const memberships = await tx.listMemberships(userId);
  for (const m of memberships) {
    await tx.insertActivity({
      workspace_id: m.workspace_id, actor_id: actorId, token_id: null, object_type: 'user', object_id: userId, action: 'update',
      changes: { password: [null, how], sessions: [null, 'signed out'] }, created_at: now,
    });
  }
  return memberships;
}

/** Uses a reset link: sets the password (see passwordSetter); returns the link and the user's memberships. */
export async function passwordResetCompleter(tx: StoreTx, reset: PasswordResetRow, passwordHash: string, now: string): Promise<MembershipRow[]> {
  if (!(await tx.consumePasswordReset(reset.id, now))) throw unusable();
  return passwordSetter(tx, reset.user_id, passwordHash, now, reset.user_id, 'reset with a link');
}
