/** /xapi2/trash: what was deleted, newest first, and restoring it (operations/trash.ts). */
import { ModelTypeSchema } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { param, queryParams } from '../http/request.js';

/** The trash routes (operations trash.*). */
export const TRASH_ROUTES = [
  route({
    method: 'GET', url: '/trash', operation: 'trash.list', errors: [400],
    query: z.object({ type: z.union([ModelTypeSchema, z.array(ModelTypeSchema)]).optional(), limit: z.string().optional(), offset: z.string().optional() }),
    input: (request) => ({ query: queryParams(request) }),
  }),
  route({
    method: 'POST', url: '/trash/:type/:id/restore', operation: 'trash.restore', params: z.object({ type: ModelTypeSchema, id: z.string() }), errors: [400, 403, 404, 409],
    input: (request) => ({ type: param(request, 'type'), id: param(request, 'id') }),
  }),
];

/** The trash routes. */
export function trashRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, TRASH_ROUTES);
}
