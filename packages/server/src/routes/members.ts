/** /xapi2/members: who is in the workspace, and their roles (operations/members.ts). */
import { RoleSchema } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { param } from '../http/request.js';

/** The member routes (operations members.*). */
export const MEMBER_ROUTES = [
  route({ method: 'GET', url: '/members', operation: 'members.list', errors: [403], input: () => ({}) }),
  route({
    method: 'PATCH', url: '/members/:userId', operation: 'members.update', params: z.object({ userId: z.string() }), body: z.object({ role: RoleSchema }), errors: [400, 403, 404, 409],
    input: (request) => ({ user_id: param(request, 'userId'), role: (request.body as Record<string, unknown> | undefined)?.role as never }),
  }),
];

/** The member routes. */
export function memberRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, MEMBER_ROUTES);
}
