/**
 * The OAuth 2.1 authorization server for /mcp (src/oauth holds its logic):
 * - at the root: discovery documents, /oauth/authorize, /oauth/token, /oauth/register, /oauth/revoke;
 * - under /xapi2/oauth: what the web app's consent page and Integrations page call (signed in only;
 *   operations oauth_requests.* and oauth_grants.*, operations/oauth.ts).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { mountOperationRoutes, route } from '../http/operation-route.js';
import { WindowLimiter } from '../auth/rate-limit.js';
import { param, queryParams } from '../http/request.js';
import { authorizationStarter } from '../oauth/authorization.js';
import { clientRegistrar } from '../oauth/clients.js';
import { OAuthError, sendOAuthError } from '../oauth/errors.js';
import { authorizationServerMetadata, oauthUrls, protectedResourceMetadata } from '../oauth/metadata.js';
import { type Form, tokenEndpoint, tokenRevoker } from '../oauth/token-endpoint.js';

const IdParams = z.object({ id: z.string() });

/** Client registrations accepted per address per minute (each writes a row). */
const REGISTRATIONS_PER_MINUTE = 30;

/** A form body (or a JSON object, which some clients send) as single or repeated string parameters. */
function formOf(request: FastifyRequest): Form {
  const body = request.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new OAuthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded');
  const form: Form = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') form[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) form[key] = value as string[];
    else throw new OAuthError('invalid_request', `${key.slice(0, 40)} must be a string`);
  }
  return form;
}

/** Runs an OAuth endpoint: OAuthErrors answer in OAuth's shape; responses are never cached. */
function oauthEndpoint(handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    try {
      return await handler(request, reply);
    } catch (err) {
      if (err instanceof OAuthError) return sendOAuthError(reply, err);
      throw err;
    }
  };
}

/** Browser-based MCP clients read metadata and call these endpoints from other origins; no cookies are involved, so any origin may. */
function allowCrossOrigin(app: FastifyInstance, paths: string[]) {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });
  for (const path of paths) {
    app.options(path, async (_request, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, mcp-protocol-version')
        .header('access-control-max-age', '600')
        .send(),
    );
  }
}

/** The authorization server's public endpoints (registered without the /xapi2 prefix). */
export function oauthRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  const registrations = new WindowLimiter(REGISTRATIONS_PER_MINUTE, 60_000);
  return async (app) => {
    // The token and revocation endpoints take form bodies (RFC 6749 §4.1.3); repeated keys are kept, to be refused.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      const form: Form = {};
      for (const [key, value] of new URLSearchParams(body as string)) {
        const seen = form[key];
        form[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      done(null, form);
    });
    const discovery = ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server'];
    allowCrossOrigin(app, [...discovery, '/oauth/token', '/oauth/register', '/oauth/revoke']);
    const urls = () => oauthUrls(config, app.server);

    app.get('/.well-known/oauth-protected-resource', async () => protectedResourceMetadata(urls()));
    app.get('/.well-known/oauth-protected-resource/mcp', async () => protectedResourceMetadata(urls()));
    app.get('/.well-known/oauth-authorization-server', async () => authorizationServerMetadata(urls()));

    app.get('/oauth/authorize', async (request, reply) => {
      const location = await authorizationStarter(store, queryParams(request), urls(), {
        allowLoopbackMetadata: config.oauthLoopbackClientMetadata === true,
        now: config.now(),
      });
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    });

    app.post(
      '/oauth/register',
      oauthEndpoint(async (request, reply) => {
        // Only valid registrations count: each writes a row, and that is what the limit bounds.
        const admit = () => {
          try {
            registrations.hit(request.ip, 'client registrations from this address');
          } catch (err) {
            throw new OAuthError('temporarily_unavailable', (err as Error).message, 429);
          }
        };
        return reply.code(201).send(await clientRegistrar(store, request.body, config.now(), admit));
      }),
    );

    app.post(
      '/oauth/token',
      oauthEndpoint(async (request) => tokenEndpoint(store, formOf(request), urls(), config.now())),
    );

    app.post(
      '/oauth/revoke',
      oauthEndpoint(async (request, reply) => {
        await tokenRevoker(store, formOf(request), config.now());
        return reply.code(200).send({});
      }),
    );
  };
}

/** The consent page's and Integrations page's calls (under /xapi2; signed-in sessions only; operations/oauth.ts). */
export const OAUTH_GRANT_ROUTES = [
  route({ method: 'GET', url: '/oauth/requests/:id', operation: 'oauth_requests.get', params: IdParams, errors: [403, 404, 409], input: (request) => ({ id: param(request, 'id') }) }),
  route({
    method: 'POST', url: '/oauth/requests/:id/approve', operation: 'oauth_requests.approve', params: IdParams, errors: [403, 404, 409],
    input: (request) => ({ id: param(request, 'id') }),
  }),
  route({
    method: 'POST', url: '/oauth/requests/:id/deny', operation: 'oauth_requests.deny', params: IdParams, errors: [403, 404, 409],
    input: (request) => ({ id: param(request, 'id') }),
  }),
  route({ method: 'GET', url: '/oauth/grants', operation: 'oauth_grants.list', errors: [403], input: () => ({}) }),
  route({ method: 'DELETE', url: '/oauth/grants/:id', operation: 'oauth_grants.revoke', params: IdParams, errors: [403, 404], input: (request) => ({ id: param(request, 'id') }) }),
];

/** The consent and grant routes. */
export function oauthGrantRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => mountOperationRoutes(app, deps, OAUTH_GRANT_ROUTES);
}
