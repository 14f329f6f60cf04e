/** /xapi2/members: who is in the workspace, their roles, removing them and password reset links (operations/members.ts, password-resets.ts). */
import { OPERATIONS, RoleSchema } from '@prodboard/shared';
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
  route({
    method: 'DELETE', url: '/members/:userId', operation: 'members.remove', params: z.object({ userId: z.string() }), errors: [400, 403, 404, 409],
    input: (request) => ({ user_id: param(request, 'userId') }),
  }),
  route({
    method: 'POST', url: '/members/:userId/password-reset', operation: 'members.password_reset', status: 201, params: z.object({ userId: z.string() }),
    body: z.object({ expires: z.string().optional() }), errors: [400, 403, 404],
    input: (request) => ({ user_id: param(request, 'userId'), expires: (request.body as Record<string, unknown> | undefined)?.expires as never }),
  }),
  // The link's token travels in a POST body, never a URL, so it stays out of logs.
  route({
    method: 'POST', url: '/password-reset/preview', operation: 'password_resets.preview', body: OPERATIONS['password_resets.preview'].input, errors: [400, 404],
    input: (request) => request.body as never,
  }),
  route({
    method: 'POST', url: '/password-reset', operation: 'password_resets.complete', body: OPERATIONS['password_resets.complete'].input, errors: [400, 403, 404],
    input: (request) => request.body as never,
  }),
];

/** The member routes. */
export function memberRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, MEMBER_ROUTES);
}
