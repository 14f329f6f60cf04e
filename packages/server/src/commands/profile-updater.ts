/** profileUpdater: the actor changes their own name or email (email unique, matched like login). */
import { AppError, clipEcho } from '@prodboard/shared';
import type { CommandContext } from '../context.js';
import { emailKey } from '../store/email.js';
import type { UserRow } from '../store/types.js';
import { recordAuditEvent } from './activity-recorder.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const FIELDS = ['name', 'email', 'current_password'];

/** The checked new name and email (unchanged ones as they are), and whether the email's key changes. */
export function checkProfile(input: Record<string, unknown>, user: UserRow): { name: string; email: string; emailChanges: boolean } {
  const unknown = Object.keys(input).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    throw new AppError('validation_failed', `unknown field ${unknown.map((k) => clipEcho(k)).join(', ')}; your account takes name, email and current_password`, {
      errors: unknown.map((field) => ({ field: clipEcho(field), message: 'unknown field' })),
    });
  }
  const errors = [];
  let name = user.name;
  if (input.name !== undefined) {
    name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name.length === 0 || name.length > 100) errors.push({ field: 'name', message: 'name must be 1 to 100 characters' });
  }
  let email = user.email;
  if (input.email !== undefined) {
    email = typeof input.email === 'string' ? input.email.trim() : '';
    if (!EMAIL.test(email) || email.length > 254) errors.push({ field: 'email', message: 'email must be an address such as ada@example.com' });
  }
  if (errors.length > 0) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return { name, email, emailChanges: emailKey(email) !== emailKey(user.email) };
}

/** Writes the new name and email (a 409 at `email` when another account has it) and records the change. */
export async function profileUpdater(ctx: CommandContext, user: UserRow, profile: { name: string; email: string }): Promise<void> {
  if (emailKey(profile.email) !== emailKey(user.email)) {
    await ctx.store.lockKey(`email:${emailKey(profile.email)}`);
    const other = await ctx.store.getUserByEmail(profile.email);
    if (other && other.id !== user.id) {
      throw new AppError('conflict', `another account already uses ${profile.email}; pick another address`, { errors: [{ field: 'email', message: 'already has an account' }] });
    }
  }
  if (profile.name === user.name && profile.email === user.email) return;
  await ctx.store.updateUserProfile(user.id, profile, ctx.now);
  const changes: Record<string, [string, string]> = {};
  if (profile.name !== user.name) changes.name = [user.name, profile.name];
  if (profile.email !== user.email) changes.email = [user.email, profile.email];
  await recordAuditEvent(ctx, 'update', 'user', user.id, changes);
}
