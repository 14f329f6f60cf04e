/**
 * Comments on cards and a card's history (operations/comments.ts):
 *   GET    /xapi2/cards/{id}/comments   the card's comments, oldest first (card:read)
 *   POST   /xapi2/cards/{id}/comments   {body} in Markdown; @mentions resolve to members (card:write)
 *   PATCH  /xapi2/comments/{id}         {body}; its author only (card:write)
 *   DELETE /xapi2/comments/{id}         its author, or an owner or admin (card:write)
 *   GET    /xapi2/cards/{id}/history    the card's activity, newest first (card:read)
 */
import { OPERATIONS } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { ifMatchVersion, param, queryParams } from '../http/request.js';

const CardParams = z.object({ id: z.string().describe('the card id (UUID)') });
const CommentParams = z.object({ id: z.string().describe('the comment id (UUID)') });
const CommentBody = OPERATIONS['comments.create'].input.shape.fields;

/** The comment and history routes (operations comments.*, history.list). */
export const COMMENT_ROUTES = [
  route({
    method: 'GET', url: '/cards/:id/comments', operation: 'comments.list', params: CardParams, errors: [400, 403, 404],
    input: (request) => ({ card_id: param(request, 'id') }),
  }),
  route({
    method: 'POST', url: '/cards/:id/comments', operation: 'comments.create', status: 201, params: CardParams, body: CommentBody, errors: [400, 403, 404],
    input: (request) => ({ card_id: param(request, 'id'), fields: request.body as never }),
  }),
  route({
    method: 'PATCH', url: '/comments/:id', operation: 'comments.update', etag: true, params: CommentParams, body: CommentBody, errors: [400, 403, 404, 409, 412],
    headers: z.object({ 'if-match': z.string().optional().describe("the comment's version you read: a stale one is a 412") }),
    input: (request) => ({ id: param(request, 'id'), fields: request.body as never, version: ifMatchVersion(request) }),
  }),
  route({
    method: 'DELETE', url: '/comments/:id', operation: 'comments.delete', params: CommentParams, errors: [400, 403, 404],
    input: (request) => ({ id: param(request, 'id') }),
  }),
  route({
    method: 'GET', url: '/cards/:id/history', operation: 'history.list', params: CardParams, errors: [400, 403, 404],
    query: z.object({ limit: z.string().optional().describe('how many entries, 1 to 200 (50 by default)') }),
    input: (request) => ({ card_id: param(request, 'id'), query: queryParams(request) }),
  }),
];

/** The comment and history routes. */
export function commentRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, COMMENT_ROUTES);
}
