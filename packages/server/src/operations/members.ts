/** The workspace's members and their roles. Signed-in people only (never a PAT); changing a role takes an owner or admin. */
import { assertUuid } from '@prodboard/shared';
import { commandContext } from '../context.js';
import { memberRoleUpdater } from '../commands/member-role-updater.js';
import { authorizeAccountManagement } from '../policies.js';
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
