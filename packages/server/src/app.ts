/**
 * The Production Board HTTP application, as a Fastify instance built from injected dependencies.
 * `serve` wraps it in a process; tests call `buildApp` and talk to it over HTTP.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppDeps } from './deps.js';
import { installErrorHandling } from './http/errors.js';
import { activityRoutes } from './routes/activity.js';
import { analyticsRoutes } from './routes/analytics.js';
import { authRoutes } from './routes/auth.js';
import { dataRoutes } from './routes/data.js';
import { eventRoutes } from './routes/events.js';
import { invitationRoutes } from './routes/invitations.js';
import { mcpRoutes } from './routes/mcp.js';
import { memberRoutes } from './routes/members.js';
import { setupRoutes } from './routes/setup.js';
import { tokenRoutes } from './routes/tokens.js';
import { trashRoutes } from './routes/trash.js';
import { webRoutes } from './routes/web.js';

/** Builds the app; the caller owns `deps.store` and closes it after the app. */
export async function buildApp(deps: AppDeps, logger: FastifyServerOptions['logger'] = false): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    bodyLimit: deps.config.bodyLimit,
    // One line per request costs more than a get-by-id; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Bodies are parsed with prototype poisoning refused outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  installErrorHandling(app, deps.config.bodyLimit);

  // JSON bodies: an empty body (common on DELETE) means no body rather than an error.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });

  app.get('/xapi2/health', async () => ({ ok: true, store: deps.store.description.split(':')[0] }));
  for (const routes of [
    authRoutes, setupRoutes, tokenRoutes, memberRoutes, invitationRoutes, dataRoutes, trashRoutes, activityRoutes, eventRoutes, mcpRoutes,
    analyticsRoutes,
  ]) {
    await app.register(routes(deps), { prefix: '/xapi2' });
  }
  // The web app answers every other GET (its files, and index.html for its pages).
  await app.register(webRoutes(deps));
  return app;
}
