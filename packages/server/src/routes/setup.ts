/** /xapi2/setup: the first account of a fresh server, through the one-time link printed at start (operations/setup.ts). */
import { OPERATIONS } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';

/** The setup routes (operations setup.*). */
export const SETUP_ROUTES = [
  route({ method: 'GET', url: '/setup', operation: 'setup.status', input: () => ({}) }),
  route({ method: 'POST', url: '/setup', operation: 'setup.create', status: 201, body: OPERATIONS['setup.create'].input, errors: [400, 403, 409], input: (request) => request.body as never }),
];

/** The setup routes. */
export function setupRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, SETUP_ROUTES);
}
