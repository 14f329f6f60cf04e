/**
 * /xapi2/invitations: one-time invite links. Owners and admins create, list and revoke them; the
 * person invited previews and accepts one without an account (the link's token is the credential).
 */
import { AppError, clipEcho } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { commandContext } from '../context.js';
import type { AppDeps } from '../deps.js';
import { authenticate } from '../http/authenticate.js';
import { publicBaseUrl } from '../http/public-url.js';
import { param } from '../http/request.js';
import { authorizeMemberManagement } from '../policies.js';
import { presentActor, presentInvitation } from '../presenters.js';
import { invitationAccepter, loadUsableInvitation } from '../commands/invitation-accepter.js';
import { invitationCreator } from '../commands/invitation-creator.js';
import { invitationRevoker } from '../commands/invitation-revoker.js';
import { sessionCreator } from '../commands/session-creator.js';

/** The web app's page that accepts an invitation; the token rides in the fragment so it never reaches a log. */
const ACCEPT_PATH = '/invite#token=';

function body(request: { body?: unknown }): Record<string, unknown> {
  const value = request.body ?? {};
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    throw new AppError('validation_failed', 'send a JSON object', { errors: [{ field: 'body', message: 'must be a JSON object' }] });
  }
  return value as Record<string, unknown>;
}

/** The invitation routes. */
export function invitationRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/invitations', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeMemberManagement(actor);
      const rows = await store.listPendingInvitations(actor.workspace.id);
      return { data: rows.map((row) => presentInvitation(row)) };
    });

    app.post('/invitations', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeMemberManagement(actor);
      const input = body(request);
      const unknown = Object.keys(input).filter((k) => !['role', 'email', 'expires'].includes(k));
      if (unknown.length > 0) {
        throw new AppError('validation_failed', `unknown field ${unknown.map((k) => clipEcho(k)).join(', ')}; an invitation takes role, email and expires`, { errors: unknown.map((field) => ({ field: clipEcho(field), message: 'unknown field' })) });
      }
      const { token, row } = await store.transaction((tx) => invitationCreator(commandContext(tx, actor), input));
      const path = `${ACCEPT_PATH}${token}`;
      return reply.code(201).send({
        ...presentInvitation(row),
        token,
        path,
        url: `${publicBaseUrl(config, app.server)}${path}`,
        detail: 'send this link to the person you invite; it works once and is shown only now',
      });
    });

    app.delete('/invitations/:id', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeMemberManagement(actor);
      const id = param(request, 'id');
      await store.transaction((tx) => invitationRevoker(commandContext(tx, actor), id));
      return { ok: true, id };
    });

    // The token travels in a POST body rather than a URL, so it stays out of logs and histories.
    app.post('/invitations/preview', async (request) => {
      const invitation = await loadUsableInvitation(store, body(request).token);
      const workspace = (await store.getWorkspace(invitation.workspace_id))!;
      return { workspace: { name: workspace.name, slug: workspace.slug }, role: invitation.role, email: invitation.email, expires_at: invitation.expires_at };
    });

    app.post('/invitations/accept', async (request, reply) => {
      const { user, workspace, role } = await invitationAccepter(store, body(request));
      const { token, row } = await sessionCreator(store, user.id, workspace.id, config.sessionTtlMs, config.now());
      return reply.code(201).send({
        access_token: token,
        token_type: 'bearer',
        expires_at: row.expires_at,
        user: presentActor({ user, workspace, role, credential: { kind: 'session', sessionId: row.id } }),
      });
    });
  };
}
