/** /xapi2/activity: the workspace's recorded writes (operations/activity.ts). */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { queryParams } from '../http/request.js';

/** The activity route (operation activity.list). */
export const ACTIVITY_ROUTES = [
  route({
    method: 'GET', url: '/activity', operation: 'activity.list', errors: [400],
    query: z.object({ since: z.string().optional().describe('meta.next_cursor of the previous page, or an ISO 8601 time'), limit: z.string().optional().describe('1 to 500, 100 by default') }),
    input: (request) => ({ query: queryParams(request) as { since?: string; limit?: string } }),
  }),
];

/** The activity route. */
export function activityRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, ACTIVITY_ROUTES);
}
