/**
 * /xapi2/tokens: the signed-in user's personal access tokens. Sessions only: a token never mints,
 * lists or revokes tokens.
 */
import { AppError, clipEcho, parseScopesInput } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import { parseExpiry } from '../auth/expiry.js';
import { authenticate } from '../http/authenticate.js';
import { param } from '../http/request.js';
import { authorizeAccountManagement } from '../policies.js';
import { presentAccessToken } from '../presenters.js';
import { accessTokenCreator } from '../commands/access-token-creator.js';

/** The token routes. */
export function tokenRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/tokens', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeAccountManagement(actor);
      const rows = await store.listAccessTokens(actor.user.id, actor.workspace.id);
      return { data: rows.map(presentAccessToken) };
    });

    app.post('/tokens', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeAccountManagement(actor);
      const body = (request.body ?? {}) as Record<string, unknown>;
      if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('validation_failed', 'send a JSON object {name, scopes, expires}');
      const unknown = Object.keys(body).filter((k) => !['name', 'scopes', 'expires'].includes(k));
      if (unknown.length) throw new AppError('validation_failed', `unknown field ${unknown.map((k) => clipEcho(k)).join(', ')}; a token takes name, scopes and expires`, { errors: unknown.map((field) => ({ field: clipEcho(field), message: 'unknown field' })) });
      if (typeof body.name !== 'string') throw new AppError('validation_failed', 'name is required, e.g. "Claude Desktop on my laptop"', { errors: [{ field: 'name', message: 'required' }] });
      if (body.expires !== undefined && body.expires !== null && typeof body.expires !== 'string') {
        throw new AppError('validation_failed', 'expires must be a string such as 30d, an ISO date, or null for never', { errors: [{ field: 'expires', message: 'wrong type' }] });
      }
      const { token, row } = await accessTokenCreator(store, {
        userId: actor.user.id,
        workspaceId: actor.workspace.id,
        name: body.name,
        scopes: parseScopesInput(body.scopes),
        expiresAt: parseExpiry(body.expires as string | null | undefined, config.now()),
      });
      return reply.code(201).send({ ...presentAccessToken(row), token, detail: 'copy this token now: it is shown only once' });
    });

    app.delete('/tokens/:id', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeAccountManagement(actor);
      const row = await store.getAccessToken(param(request, 'id'));
      if (!row || row.user_id !== actor.user.id || row.workspace_id !== actor.workspace.id) {
        throw new AppError('not_found', `token ${param(request, 'id').slice(0, 40)} is not one of your tokens; list them with GET /xapi2/tokens`);
      }
      await store.revokeAccessToken(row.id, new Date().toISOString());
      return { ok: true, id: row.id };
    });
  };
}
