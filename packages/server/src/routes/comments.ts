/**
 * Comments on cards and a card's history:
 *   GET    /xapi2/cards/{id}/comments   the card's comments, oldest first (card:read)
 *   POST   /xapi2/cards/{id}/comments   {body} in Markdown; @mentions resolve to members (card:write)
 *   PATCH  /xapi2/comments/{id}         {body}; its author only (card:write)
 *   DELETE /xapi2/comments/{id}         its author, or an owner or admin (card:write)
 *   GET    /xapi2/cards/{id}/history    the card's activity, newest first (card:read)
 * Each route: authenticate → validate → authorize → (transaction → command) → present.
 */
import { AppError, assertUuid, notFound } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { commandContext, type Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { authenticate } from '../http/authenticate.js';
import { ifMatchVersion, param, queryParams } from '../http/request.js';
import { authorizeModel, readableActivityTypes } from '../policies.js';
import { presentComment, presentHistoryEntry } from '../presenters.js';
import { commentCreator } from '../commands/comment-creator.js';
import { commentDeleter } from '../commands/comment-deleter.js';
import { commentUpdater } from '../commands/comment-updater.js';
import type { Store, StoreTx } from '../store/types.js';

const HISTORY_MAX = 200;

/** Member id → name, for presenting authors, mentions and actors (also the MCP tools' comments). */
export async function memberNames(store: Store | StoreTx, actor: Actor): Promise<Map<string, string>> {
  return new Map((await store.listMembers(actor.workspace.id)).map((m) => [m.user_id, m.name]));
}

/** The live card of a path, readable by the actor; or a 404 (also the MCP tools' comments). */
export async function readableCard(store: Store, actor: Actor, id: string): Promise<void> {
  assertUuid(id);
  authorizeModel(actor, 'card', 'read');
  const card = await store.getObject(actor.workspace.id, 'card', id);
  if (!card || card.is_deleted) throw notFound('card', id);
}

function historyLimit(raw: string | string[] | undefined): number {
  if (raw === undefined) return 50;
  if (Array.isArray(raw) || !/^\d{1,6}$/.test(raw) || Number(raw) < 1) {
    throw new AppError('invalid_query', `limit must be a whole number from 1 to ${HISTORY_MAX}`, { errors: [{ field: 'limit', message: 'whole number ≥ 1' }] });
  }
  return Math.min(Number(raw), HISTORY_MAX);
}

/** The comment and history routes. */
export function commentRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/cards/:id/comments', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const cardId = param(request, 'id');
      await readableCard(store, actor, cardId);
      const [rows, names] = await Promise.all([store.listComments(actor.workspace.id, cardId), memberNames(store, actor)]);
      return { data: rows.map((r) => presentComment(r, names)), meta: { count: rows.length } };
    });

    app.post('/cards/:id/comments', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeModel(actor, 'card', 'write');
      const { row, names } = await store.transaction(async (tx) => {
        const row = await commentCreator(commandContext(tx, actor), param(request, 'id'), request.body);
        return { row, names: await memberNames(tx, actor) };
      });
      return reply.code(201).send(presentComment(row, names));
    });

    app.patch('/comments/:id', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const ifMatch = ifMatchVersion(request);
      authorizeModel(actor, 'card', 'write');
      const { row, names } = await store.transaction(async (tx) => {
        const row = await commentUpdater(commandContext(tx, actor), param(request, 'id'), request.body, ifMatch);
        return { row, names: await memberNames(tx, actor) };
      });
      reply.header('etag', `"${row.version}"`);
      return presentComment(row, names);
    });

    app.delete('/comments/:id', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      authorizeModel(actor, 'card', 'write');
      const row = await store.transaction((tx) => commentDeleter(commandContext(tx, actor), param(request, 'id')));
      return { ok: true, id: row.id, card_id: row.card_id };
    });

    app.get('/cards/:id/history', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const cardId = param(request, 'id');
      const { limit: limitRaw, ...rest } = queryParams(request);
      if (Object.keys(rest).length > 0) throw new AppError('invalid_query', `unknown parameter ${Object.keys(rest).join(', ')}; a card's history takes limit`);
      const limit = historyLimit(limitRaw);
      await readableCard(store, actor, cardId);
      const [rows, names] = await Promise.all([
        store.listObjectActivity(actor.workspace.id, cardId, readableActivityTypes(actor), limit),
        memberNames(store, actor),
      ]);
      return { data: rows.map((r) => presentHistoryEntry(r, names)), meta: { count: rows.length, limit } };
    });
  };
}
