/** /xapi2/tokens: the signed-in user's personal access tokens (operations/tokens.ts). */
import { OPERATIONS } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { param } from '../http/request.js';

/** The token routes (operations tokens.*). */
export const TOKEN_ROUTES = [
  route({ method: 'GET', url: '/tokens', operation: 'tokens.list', errors: [403], input: () => ({}) }),
  route({
    method: 'POST', url: '/tokens', operation: 'tokens.create', status: 201, body: OPERATIONS['tokens.create'].input, errors: [400, 403],
    input: (request) => request.body as never,
  }),
  route({
    method: 'DELETE', url: '/tokens/:id', operation: 'tokens.revoke', params: z.object({ id: z.string() }), errors: [403, 404],
    input: (request) => ({ id: param(request, 'id') }),
  }),
];

/** The token routes. */
export function tokenRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, TOKEN_ROUTES);
}
