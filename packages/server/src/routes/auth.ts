/** /xapi2/auth: login, the caller, logout and password change (operations/auth.ts). */
import { OPERATIONS } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';

/** The auth routes (operations auth.*). */
export const AUTH_ROUTES = [
  route({ method: 'POST', url: '/auth/login', operation: 'auth.login', body: OPERATIONS['auth.login'].input, errors: [400, 429], input: (request) => request.body as never }),
  route({ method: 'GET', url: '/auth/me', operation: 'auth.me', input: () => ({}) }),
  route({ method: 'POST', url: '/auth/logout', operation: 'auth.logout', errors: [403], input: () => ({}) }),
  route({
    method: 'POST', url: '/auth/password', operation: 'auth.password', body: OPERATIONS['auth.password'].input, errors: [400, 403, 429],
    input: (request) => request.body as never,
  }),
  route({ method: 'PATCH', url: '/auth/me', operation: 'auth.update', body: OPERATIONS['auth.update'].input, errors: [400, 403, 409, 429], input: (request) => request.body as never }),
  route({ method: 'GET', url: '/auth/workspaces', operation: 'auth.workspaces', errors: [403], input: () => ({}) }),
  route({ method: 'POST', url: '/auth/switch', operation: 'auth.switch', body: OPERATIONS['auth.switch'].input, errors: [400, 403, 404], input: (request) => request.body as never }),
];

/** The auth routes. */
export function authRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, AUTH_ROUTES);
}
