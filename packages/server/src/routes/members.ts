/**
 * /xapi2/members: who is in the workspace, and their roles. Signed-in people only (never a PAT);
 * changing a role takes an owner or admin.
 */
import { assertUuid } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { commandContext } from '../context.js';
import type { AppDeps } from '../deps.js';
import { authenticate } from '../http/authenticate.js';
import { param } from '../http/request.js';
import { authorizeAccountManagement } from '../policies.js';
import { presentMember } from '../presenters.js';
import { memberRoleUpdater } from '../commands/member-role-updater.js';

/** The member routes. */
export function memberRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/members', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeAccountManagement(actor);
      const rows = await store.listMembers(actor.workspace.id);
      return { data: rows.map(presentMember), meta: { count: rows.length } };
    });

    app.patch('/members/:userId', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const userId = param(request, 'userId');
      assertUuid(userId, 'userId');
      const role = (request.body as Record<string, unknown> | undefined)?.role;
      const row = await store.transaction((tx) => memberRoleUpdater(commandContext(tx, actor), userId, role));
      return presentMember(row);
    });
  };
}
