/** /xapi2/invitations: one-time invite links (operations/invitations.ts). */
import { OPERATIONS } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { param } from '../http/request.js';

/** The invitation routes (operations invitations.*). The link's token travels in a POST body, never a URL, so it stays out of logs. */
export const INVITATION_ROUTES = [
  route({ method: 'GET', url: '/invitations', operation: 'invitations.list', errors: [403], input: () => ({}) }),
  route({
    method: 'POST', url: '/invitations', operation: 'invitations.create', status: 201, body: OPERATIONS['invitations.create'].input, errors: [400, 403],
    input: (request) => request.body as never,
  }),
  route({
    method: 'DELETE', url: '/invitations/:id', operation: 'invitations.revoke', params: z.object({ id: z.string() }), errors: [403, 404],
    input: (request) => ({ id: param(request, 'id') }),
  }),
  route({
    method: 'POST', url: '/invitations/preview', operation: 'invitations.preview', body: OPERATIONS['invitations.preview'].input, errors: [400, 404],
    input: (request) => request.body as never,
  }),
  route({
    method: 'POST', url: '/invitations/join', operation: 'invitations.join', body: OPERATIONS['invitations.join'].input, errors: [400, 403, 404, 409],
    input: (request) => request.body as never,
  }),
  route({
    method: 'POST', url: '/invitations/accept', operation: 'invitations.accept', status: 201, body: OPERATIONS['invitations.accept'].input, errors: [400, 404, 409],
    input: (request) => request.body as never,
  }),
];

/** The invitation routes. */
export function invitationRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, INVITATION_ROUTES);
}
