/**
 * The workspace's members and their roles. Signed-in people only (never a PAT); changing a role,
 * removing a member and issuing a password reset link take an owner or admin (an owner, for an owner).
 */
import { AppError, assertUuid } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { parseExpiry } from '../auth/expiry.js';
import { memberRemover } from '../commands/member-remover.js';
import { memberRoleUpdater } from '../commands/member-role-updater.js';
import { DEFAULT_RESET_EXPIRY, PASSWORD_RESET_PATH, passwordResetIssuer } from '../commands/password-reset.js';
import { authorizeAccountManagement, authorizeMemberManagement } from '../policies.js';
import { presentMember } from '../presenters.js';
import { defineOperation, done } from './operation.js';

export const listMembers = defineOperation('members.list', {
  policy: authorizeAccountManagement,
  async run({ deps, actor }) {
    const rows = await deps.store.listMembers(actor.workspace.id);
    return done({ data: rows.map(presentMember), meta: { count: rows.length } });
  },
});

export const updateMember = defineOperation('members.update', {
  parse(input) {
    assertUuid(input.user_id, 'userId');
    return input;
  },
  // The command authorizes: who may change a role depends on the member's current role.
  async run({ deps, actor }, { user_id, role }) {
    const row = await deps.store.transaction((tx) => memberRoleUpdater(commandContext(tx, actor), user_id, role));
    return done(presentMember(row));
  },
});

export const removeMember = defineOperation('members.remove', {
  parse(input) {
    assertUuid(input.user_id, 'userId');
    return input;
  },
  policy: authorizeMemberManagement,
  async run({ deps, actor }, { user_id }) {
    const member = await deps.store.transaction((tx) => memberRemover(commandContext(tx, actor), user_id));
    return done({ ok: true as const, id: user_id, detail: `${member.name} was removed; their sessions, tokens and OAuth sign-ins in this workspace stopped working` });
  },
});

export const issuePasswordReset = defineOperation('members.password_reset', {
  parse(input) {
    assertUuid(input.user_id, 'userId');
    return input;
  },
  policy: authorizeMemberManagement,
  async run({ deps: { store, config }, actor, publicUrl }, { user_id, expires }) {
    if (expires !== undefined && typeof expires !== 'string') {
      throw new AppError('validation_failed', 'expires must be a duration such as 24h or 7d, or an ISO date', { errors: [{ field: 'expires', message: 'wrong type' }] });
    }
    const now = config.now();
    const expiresAt = parseExpiry(expires ?? DEFAULT_RESET_EXPIRY, now, { never: false })!;
    const { token, row, member } = await store.transaction(async (tx) => {
      const member = await tx.getMembership(actor.workspace.id, user_id);
      if (!member) throw new AppError('not_found', `user ${user_id.slice(0, 40)} is not a member of this workspace; list members with GET /xapi2/members`);
      if (member.role === 'owner' && actor.role !== 'owner') throw new AppError('forbidden', "only an owner can reset an owner's password; ask an owner of this workspace");
      const issued = await passwordResetIssuer(tx, { userId: user_id, workspaceId: actor.workspace.id, createdBy: actor.user.id, now: new Date(now).toISOString(), expiresAt });
      return { ...issued, member: (await tx.getUser(user_id))! };
    });
    const path = `${PASSWORD_RESET_PATH}${token}`;
    return done({
      user_id, email: member.email, token, path, url: `${publicUrl()}${path}`, expires_at: row.expires_at,
      detail: `send this link to ${member.name}; it sets a new password once, until ${row.expires_at}, and is shown only now`,
    });
  },
});
