/**
 * The Production Board HTTP application, as a Fastify instance built from injected dependencies.
 * `serve` wraps it in a process; tests call `buildApp` and talk to it over HTTP.
 */
import type { ServerOptions } from 'node:http';
import compress from '@fastify/compress';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { AppError } from '@prodboard/shared';
import type { AppDeps } from './deps.js';
import { installErrorHandling, sendError } from './http/errors.js';
import { checkRequestHook } from './http/request.js';
import { installMetrics } from './http/metrics.js';
import { lazyChildLogger } from './http/request-logger.js';
import { DOCS_PAGE, collectOpenApi } from './http/openapi.js';
import { plainDocs } from './http/operation-route.js';
import { activityRoutes } from './routes/activity.js';
import { analyticsRoutes } from './routes/analytics.js';
import { authRoutes } from './routes/auth.js';
import { commentRoutes } from './routes/comments.js';
import { dataRoutes } from './routes/data.js';
import { eventRoutes } from './routes/events.js';
import { invitationRoutes } from './routes/invitations.js';
import { mcpRoutes } from './routes/mcp.js';
import { oauthGrantRoutes, oauthRoutes } from './routes/oauth.js';
import { mcpEndpoint } from './mcp/endpoint.js';
import { memberRoutes } from './routes/members.js';
import { setupRoutes } from './routes/setup.js';
import { tokenRoutes } from './routes/tokens.js';
import { trashRoutes } from './routes/trash.js';
import { webRoutes } from './routes/web.js';
import { Sweeper } from './store/sweeper.js';
import { z } from 'zod';

/** The server's version, as the OpenAPI document states it. */
const SERVER_VERSION = '0.1.0';

declare module 'fastify' {
  interface FastifyInstance {
    /** Deletes old idempotency keys, expired sessions and the like on a timer (store/sweeper.ts). */
    sweeper: Sweeper;
  }
}

/** A body of nothing but white space (tested without copying the body, as trim() would). */
const BLANK = /^\s*$/;

/** Deepest JSON body accepted (iteratively checked): deeper bodies only serve to exhaust stacks. */
const MAX_BODY_DEPTH = 64;

/** The top-level key under which a parsed JSON body nests too deep ('body' for the body itself), or undefined. */
function tooDeep(value: unknown): string | undefined {
  // Three parallel stacks and only objects pushed: every body is walked, so the walk allocates little.
  const nodes: object[] = [];
  const depths: number[] = [];
  const roots: string[] = [];
  if (value !== null && typeof value === 'object') nodes.push(value), depths.push(1), roots.push('body');
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    const root = roots.pop()!;
    if (depth > MAX_BODY_DEPTH) return root;
    for (const key in node) {
      const child = node[key];
      if (child !== null && typeof child === 'object') nodes.push(child), depths.push(depth + 1), roots.push(depth === 1 ? key : root);
    }
  }
  return undefined;
}

/**
 * Node's HTTP server options that cut off a client too slow to send its request: the whole request
 * (a body dripped a byte at a time too) within `requestTimeoutMs`, headers within the same (Node
 * ignores the request limit while the headers limit is longer), checked often enough to matter.
 * A response may last as long as it likes: live event streams are complete requests.
 */
function slowClientLimits(requestTimeoutMs: number): { requestTimeout?: number; http?: ServerOptions } {
  if (requestTimeoutMs <= 0) return {};
  const checkEveryMs = Math.min(5_000, Math.max(10, Math.floor(requestTimeoutMs / 10)));
  return { requestTimeout: requestTimeoutMs, http: { headersTimeout: Math.min(60_000, requestTimeoutMs), connectionsCheckingInterval: checkEveryMs } };
}

/** Builds the app; the caller owns `deps.store` and closes it after the app. */
export async function buildApp(deps: AppDeps, logger: FastifyServerOptions['logger'] | FastifyBaseLogger = false): Promise<FastifyInstance> {
  // serve hands over its own logger, so the process writes one stream of JSON lines.
  const isInstance = typeof logger === 'object' && typeof (logger as FastifyBaseLogger).child === 'function';
  const app = Fastify({
    ...(isInstance ? { loggerInstance: logger as FastifyBaseLogger } : { logger: logger as FastifyServerOptions['logger'] }),
    bodyLimit: deps.config.bodyLimit,
    // request.ip (and the login limits) believe X-Forwarded-For only from these proxies.
    trustProxy: deps.config.trustedProxies,
    ...slowClientLimits(deps.config.requestTimeoutMs),
    // One line per request costs more than a get-by-id; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // ...so a request's own logger is made only when it logs (an error, a refusal).
    ...(logger ? { childLoggerFactory: lazyChildLogger } : {}),
    // Bodies are parsed with prototype poisoning refused outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Long path segments reach the routes, whose id checks give a clear 400.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
    frameworkErrors: (error, _request, reply) =>
      sendError(reply, new AppError('validation_failed', `the URL is malformed (${error.message}); percent-encode path segments correctly`)),
  });
  installErrorHandling(app, deps.config.bodyLimit);

  // Only JSON bodies: Fastify's default text/plain parser would hand routes a string.
  app.removeContentTypeParser('text/plain');
  // JSON bodies: an empty body (common on DELETE) means no body rather than an error; a parse error
  // says what is wrong (the default parser hides both the syntax error and the poisoned key).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (BLANK.test(text)) return done(null, undefined);
    return parseJson(request, text, (err, value) => {
      const deep = err ? undefined : tooDeep(value);
      if (deep) {
        const message = `${deep} nests more than ${MAX_BODY_DEPTH} levels deep; flatten it`;
        return done(new AppError('validation_failed', message, { errors: [{ field: deep, message }] }), undefined);
      }
      if (!err) return done(null, value);
      try {
        JSON.parse(text);
      } catch (syntax) {
        return done(new AppError('invalid_json', `the body is not valid JSON (${(syntax as Error).message.slice(0, 120)}); send a JSON object such as {"title": "..."}`), undefined);
      }
      return done(new AppError('invalid_json', 'the body uses the forbidden key __proto__ or constructor.prototype; rename or remove that key'), undefined);
    });
  });

  // gzip or brotli for JSON and the app's files, for clients that accept them. Bodies under 1 KiB
  // (most single objects and errors) go out as they are: compressing them costs more than it saves.
  // Brotli at quality 4 (the plugin's default) keeps large list pages cheap to compress; the app's
  // built files are compressed once, at build time, at the best quality (routes/web.ts). Live event
  // streams are never compressed: they are hijacked (written to the socket directly), and
  // text/event-stream is outside the compressible types, so no event waits in a compressor's buffer.
  // Request bodies are never compressed by our clients: no decompression hook on every route.
  await app.register(compress, { global: true, globalDecompression: false, threshold: 1024, encodings: ['br', 'gzip'] });

  // Every response is taken for the type it declares (X-Content-Type-Options: nosniff): set by
  // checkRequest for routed requests, by sendError for errors raised before it, by the event stream
  // for its own head. (On the raw response instead, it would send every reply down Node's slower
  // writeHead.) Text no store can hold (NUL, unpaired surrogates) never reaches a route, wherever it
  // is sent. Operation routes run checkRequest first in their handler (http/operation-route.ts);
  // every other route gets it as its first preValidation hook. (A global hook would run on the hot
  // reads too: Fastify's hook runner is a measurable part of a get by id, issue 10.)
  // (The not-found handler has it too: http/errors.ts.)
  app.addHook('onRoute', (route) => {
    if (route.config?.checksRequest) return;
    const own = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [checkRequestHook, ...own];
  });

  // Routes say what they are as they are added (config.openapi); the document is built from that.
  app.decorateRequest('actor', null);
  const openapi = collectOpenApi(app, { version: SERVER_VERSION });
  app.get('/xapi2/openapi.json', { config: plainDocs('meta.openapi', 'The OpenAPI 3.1 document of this API', { 200: z.object({ openapi: z.string() }).loose() }) }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(openapi.document()),
  );
  app.get('/xapi2/docs', { config: plainDocs('meta.docs', 'This API reference as an HTML page', { 200: undefined }) }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(DOCS_PAGE));

  // Liveness (the process answers) and readiness (its database answers too), for load balancers.
  const Health = z.object({ ok: z.literal(true), store: z.string() });
  app.get('/xapi2/health', { config: plainDocs('health.live', 'Liveness: the process answers', { 200: Health }) }, async () => ({ ok: true, store: deps.store.description.split(':')[0] }));
  app.get('/xapi2/ready', { config: plainDocs('health.ready', 'Readiness: the process and its database answer', { 200: Health }, [503]) }, async () => {
    await deps.store.ping();
    return { ok: true, store: deps.store.description.split(':')[0] };
  });
  // GET /metrics (off unless PRODBOARD_METRICS_TOKEN is set); routes report live streams and event lag to it.
  const metrics = installMetrics(app, deps);
  for (const routes of [
    authRoutes, setupRoutes, tokenRoutes, memberRoutes, invitationRoutes, dataRoutes, commentRoutes, trashRoutes, activityRoutes, eventRoutes, mcpRoutes,
    analyticsRoutes, oauthGrantRoutes,
  ]) {
    await app.register(routes({ ...deps, metrics }), { prefix: '/xapi2' });
  }
  // The OAuth authorization server for /mcp: discovery documents and /oauth/* at the root.
  await app.register(oauthRoutes(deps));
  // /mcp: the tools over MCP Streamable HTTP, with its own Host/Origin checks (mcp/endpoint.ts).
  await app.register(mcpEndpoint({ ...deps, metrics }));
  // The web app answers every other GET (its files, and index.html for its pages).
  await app.register(webRoutes(deps));
  const { config } = deps;
  const sweeper = new Sweeper(deps.store, {
    loginWindowMs: config.loginWindowMs, analyticsKeep: config.analyticsKeep, intervalMs: config.sweepIntervalMs,
    onError: (err) => app.log.warn({ err }, 'the periodic sweep failed; the next one tries again'),
  });
  app.decorate('sweeper', sweeper);
  app.addHook('onReady', async () => sweeper.start());
  app.addHook('onClose', async () => sweeper.stop());
  return app;
}
