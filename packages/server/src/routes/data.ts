/**
 * /xapi2/data/{type}: list, read, create, update and soft-delete objects of a model
 * (operations/objects.ts). The reads send JSON written by the database as it is.
 */
import { MANIFEST, ModelTypeSchema, RawParamsSchema, modelInputSchema } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { headerValue, ifMatchVersion, param, queryParams } from '../http/request.js';

const TypeParams = z.object({ type: ModelTypeSchema });
const ObjectParams = z.object({ type: ModelTypeSchema, id: z.string().describe('the object id (UUID)') });
const IfMatch = z.object({ 'if-match': z.string().optional().describe("the version you read: a stale one is a 412") });
const ModelBody = (mode: 'create' | 'update') => z.union(Object.values(MANIFEST).map((model) => modelInputSchema(model, mode)));

/** The data routes (operations objects.*). */
export const DATA_ROUTES = [
  route({
    method: 'GET', url: '/data/:type', operation: 'objects.list', params: TypeParams, errors: [400, 403, 404],
    query: RawParamsSchema.describe("limit, offset, sort, q, after, and filters named as in the manifest's allowed_filters (repeat one for IN)"),
    input: (request) => ({ type: param(request, 'type'), query: queryParams(request) }),
  }),
  route({
    method: 'GET', url: '/data/:type/:id', operation: 'objects.get', etag: true, params: ObjectParams, errors: [400, 403, 404],
    input: (request) => ({ type: param(request, 'type'), id: param(request, 'id') }),
  }),
  route({
    method: 'POST', url: '/data/:type', operation: 'objects.create', status: 201, params: TypeParams, errors: [400, 403, 404, 409, 422],
    headers: z.object({ 'idempotency-key': z.string().optional().describe('a retried create with the same key returns the first result') }),
    body: ModelBody('create'),
    input: (request) => ({ type: param(request, 'type'), fields: request.body as Record<string, never>, idempotency_key: headerValue(request, 'idempotency-key') }),
  }),
  route({
    method: 'PATCH', url: '/data/:type/:id', operation: 'objects.update', etag: true, params: ObjectParams, headers: IfMatch, errors: [400, 403, 404, 409, 412],
    body: ModelBody('update'),
    input: (request) => ({ type: param(request, 'type'), id: param(request, 'id'), fields: request.body as Record<string, never>, version: ifMatchVersion(request) }),
  }),
  route({
    method: 'DELETE', url: '/data/:type/:id', operation: 'objects.delete', params: ObjectParams, headers: IfMatch, errors: [400, 403, 404, 412],
    input: (request) => ({ type: param(request, 'type'), id: param(request, 'id'), version: ifMatchVersion(request) }),
  }),
];

/** The data routes. */
export function dataRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, DATA_ROUTES);
}
