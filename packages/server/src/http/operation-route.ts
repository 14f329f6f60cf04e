/**
 * HTTP over the operation layer: a route is a declaration (method, path, operation, how the request
 * maps onto the operation's input, and its HTTP parts as zod schemas for the OpenAPI document).
 * The pipeline is fixed, all in the handler: checkRequest (nosniff, unstorable text) → authenticate
 * (sets `request.actor`) → the operation's parse → policy → run → send. Errors travel to the one error handler (http/errors.ts).
 *
 * Fastify compiles no schema here: the operation validates its input once, for HTTP and MCP alike,
 * with messages that name each field; and the hot reads send JSON the database wrote, unserialised.
 * The schemas ride in the route's `config.openapi` for http/openapi.ts.
 */
import type { OperationInput, OperationName } from '@prodboard/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { OPERATION_REGISTRY, executeOperation } from '../operations/registry.js';
import { JsonText } from '../operations/operation.js';
import { authenticate } from './authenticate.js';
import { publicBaseUrl } from './public-url.js';
import { checkRequest } from './request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by the authentication preHandler of routes that need one. */
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** What the OpenAPI document says about this route (http/openapi.ts). */
    openapi?: RouteDocs;
    /** The handler calls checkRequest itself, so app.ts adds no preValidation hook for it. */
    checksRequest?: boolean;
  }
}

/** A route's documentation: summary, its HTTP parts and responses as zod schemas. */
export interface RouteDocs {
  operationId: string;
  summary: string;
  tag: string;
  /** Whether the route needs `Authorization: Bearer`. */
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodType;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** Success status → body schema (undefined: not JSON, described in the summary). */
  responses: Record<number, z.ZodType | undefined>;
  /** Error statuses the route may answer besides 401/500 (all with the error body). */
  errors?: number[];
}

/** One HTTP route over an operation. */
export interface OperationRoute<N extends OperationName = OperationName> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under /xapi2, Fastify syntax (`/data/:type/:id`). */
  url: string;
  operation: N;
  /** The status of a success (200 by default). */
  status?: number;
  /** Send the object's version as an ETag. */
  etag?: boolean;
  params?: z.ZodObject;
  query?: z.ZodType;
  headers?: z.ZodObject;
  body?: z.ZodType;
  errors?: number[];
  /** The operation's input, from the request (path, query, headers, body). */
  input(request: FastifyRequest): OperationInput<N>;
}

/** Declares a route over operation `N` (keeps `input` typed). */
export function route<N extends OperationName>(declaration: OperationRoute<N>): OperationRoute<N> {
  return declaration;
}

/** Adds the routes to `app` (a plugin under /xapi2). */
export function mountOperationRoutes(app: FastifyInstance, deps: AppDeps, routes: readonly OperationRoute[]): void {
  const publicUrl = () => publicBaseUrl(deps.config, app.server);
  for (const declared of routes) {
    const op = OPERATION_REGISTRY[declared.operation];
    const status = declared.status ?? 200;
    const actorRoute = op.access === 'actor';
    const docs: RouteDocs = {
      operationId: declared.operation,
      summary: op.schemas.summary,
      tag: declared.operation.split('.')[0],
      auth: op.access === 'actor',
      params: declared.params,
      query: declared.query,
      headers: declared.headers,
      body: declared.body,
      responses: { [status]: op.schemas.output },
      errors: declared.errors,
    };
    app.route({
      method: declared.method,
      url: declared.url,
      config: { openapi: docs, checksRequest: true },
      handler: async (request, reply) => {
        // Authentication opens the handler rather than running as a preHandler hook: the same step at
        // the same point (no schema is validated between them), without a hook runner and its promise
        // on every request (issue 10: nothing slower).
        checkRequest(request, reply);
        if (actorRoute) request.actor = await authenticate(deps.store, deps.config, request, reply);
        const env = { deps, actor: request.actor ?? undefined, ip: request.ip, publicUrl };
        const outcome = await executeOperation(declared.operation, env, declared.input(request));
        if (declared.etag && outcome.version !== undefined) reply.header('etag', `"${outcome.version}"`);
        if (outcome.replayed) reply.header('idempotent-replayed', 'true');
        reply.code(status);
        // JSON the database wrote goes out as it is (see operations/objects.ts).
        if (outcome.output instanceof JsonText) return reply.type('application/json; charset=utf-8').send(outcome.output.text);
        return reply.send(outcome.output);
      },
    });
  }
}

/** The `config` of a route outside the operation layer (health, live events, MCP distribution), so it is documented too. */
export function plainDocs(
  operationId: string,
  summary: string,
  responses: RouteDocs['responses'],
  errors: number[] = [],
  more: Partial<Pick<RouteDocs, 'auth' | 'query' | 'body' | 'params'>> = {},
): { openapi: RouteDocs } {
  return { openapi: { operationId, summary, tag: operationId.split('.')[0], auth: false, responses, errors, ...more } };
}
