/** Using a password reset link (no account needed: the link's token is the credential). */
import { AppError } from '@prodboard/shared';
import { hashPassword } from '../auth/passwords.js';
import { checkNewPassword, loadUsablePasswordReset, passwordResetCompleter } from '../commands/password-reset.js';
import { defineOperation, done, fieldsOf } from './operation.js';
import { openSession } from './sessions.js';

export const previewPasswordReset = defineOperation('password_resets.preview', {
  access: 'public',
  async run({ deps: { store, config } }, input) {
    const reset = await loadUsablePasswordReset(store, fieldsOf(input).token, config.now());
    const user = (await store.getUser(reset.user_id))!;
    return done({ email: user.email, name: user.name, expires_at: reset.expires_at });
  },
});

export const completePasswordReset = defineOperation('password_resets.complete', {
  access: 'public',
  async run({ deps }, input) {
    const { store, config } = deps;
    const fields = fieldsOf(input);
    const reset = await loadUsablePasswordReset(store, fields.token, config.now());
    const password = checkNewPassword(fields.password, 'password');
    const hash = await hashPassword(password);
    const now = new Date(config.now()).toISOString();
    const memberships = await store.transaction((tx) => passwordResetCompleter(tx, reset, hash, now));
    const membership = memberships.find((m) => m.workspace_id === reset.workspace_id) ?? memberships[0];
    if (!membership) {
      throw new AppError('forbidden', 'your new password is set, but this account belongs to no workspace any more; ask an owner for an invitation');
    }
    const user = (await store.getUser(reset.user_id))!;
    const workspace = (await store.getWorkspace(membership.workspace_id))!;
    return done(await openSession(deps, user, workspace, membership.role, 'password reset'));
  },
});
