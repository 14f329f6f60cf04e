/**
 * /xapi2/data/{type}: list, read, create, update and soft-delete objects of a model.
 * Each route: authenticate → validate → authorize → (transaction → command) → present.
 */
import { createHash } from 'node:crypto';
import { AppError, notFound, parseCardKey, parseListQuery } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { commandContext } from '../context.js';
import type { AppDeps } from '../deps.js';
import { authenticate } from '../http/authenticate.js';
import { idempotencyKey, ifMatchVersion, param, queryParams } from '../http/request.js';
import { authorizeModel } from '../policies.js';
import { presentObject } from '../presenters.js';
import { objectCreator } from '../commands/object-creator.js';
import { objectDeleter } from '../commands/object-deleter.js';
import { objectUpdater } from '../commands/object-updater.js';
import { requireModel, resolveObjectId } from '../commands/object-loader.js';
import { IDEMPOTENCY_WINDOW_MS } from '../store/sweeper.js';


/** The data routes. */
export function dataRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/data/:type', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const type = param(request, 'type');
      const query = parseListQuery(type, requireModel(type), queryParams(request));
      authorizeModel(actor, type, 'read');
      for (const filter of query.filters) {
        if (filter.param === 'owned_by') filter.values = filter.values.map((v) => (v === 'me' ? actor.user.id : v));
      }
      // A `q` that is a card's key (WEB-42), current or from before a move, finds that card (issue 12).
      const q = queryParams(request).q;
      const byKey = type === 'card' && typeof q === 'string' && parseCardKey(q) ? await store.resolveKey(actor.workspace.id, type, q) : undefined;
      const listed = byKey === undefined ? query : { ...query, terms: [], sort: query.sort ?? parseListQuery(type, requireModel(type), {}).sort, id: byKey };
      const page = await store.listObjects({ ...listed, workspaceId: actor.workspace.id, type });
      const meta = { count: page.items.length, has_more: page.hasMore, next_cursor: page.hasMore ? page.lastId : null, limit: query.limit, offset: query.offset };
      // The objects arrive as JSON written by the database: the page is assembled, not re-serialised.
      return reply.type('application/json; charset=utf-8').send(`{"data":[${page.items.join(',')}],"meta":${JSON.stringify(meta)}}`);
    });

    app.get('/data/:type/:id', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const type = param(request, 'type');
      requireModel(type);
      authorizeModel(actor, type, 'read');
      // An id, or a board's or card's key (issue 12).
      const id = await resolveObjectId(store, actor.workspace.id, type, param(request, 'id'));
      const found = await store.getObjectJson(actor.workspace.id, type, id);
      if (!found || found.is_deleted) throw notFound(type, id);
      reply.header('etag', `"${found.version}"`);
      // Written by the database as presentObject would (a list test holds the two equal).
      return reply.type('application/json; charset=utf-8').send(found.json);
    });

    app.post('/data/:type', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const type = param(request, 'type');
      requireModel(type);
      const key = idempotencyKey(request);
      authorizeModel(actor, type, 'write');
      // Only a create that carries a key needs its body fingerprinted.
      const requestHash = key ? createHash('sha256').update(`${type}\n${JSON.stringify(request.body ?? null)}`).digest('hex') : '';
      const result = await store.transaction(async (tx) => {
        if (key) {
          // A retry racing the first attempt (possibly on another instance) waits for it, then replays it.
          await tx.lockKey(`idempotency:${actor.workspace.id}:${actor.user.id}:${key}`);
          const prior = await tx.getIdempotency(actor.workspace.id, actor.user.id, key);
          if (prior && Date.parse(prior.created_at) > Date.now() - IDEMPOTENCY_WINDOW_MS) {
            if (prior.request_hash !== requestHash) {
              throw new AppError('unprocessable', 'this Idempotency-Key was already used for a different request; use a new key for a new object');
            }
            return { status: prior.status, body: JSON.parse(prior.response) as unknown, replayed: true };
          }
          if (prior) await tx.pruneIdempotency(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString());
        }
        const row = await objectCreator(commandContext(tx, actor), type, request.body);
        const body = presentObject(row);
        if (key) {
          await tx.putIdempotency(actor.workspace.id, actor.user.id, key, {
            request_hash: requestHash, status: 201, response: JSON.stringify(body), created_at: new Date().toISOString(),
          });
        }
        return { status: 201, body, replayed: false };
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(result.status).send(result.body);
    });

    app.patch('/data/:type/:id', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const type = param(request, 'type');
      requireModel(type);
      const ifMatch = ifMatchVersion(request);
      authorizeModel(actor, type, 'write');
      const row = await store.transaction((tx) => objectUpdater(commandContext(tx, actor), type, param(request, 'id'), request.body, ifMatch));
      reply.header('etag', `"${row.version}"`);
      return presentObject(row);
    });

    app.delete('/data/:type/:id', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const type = param(request, 'type');
      requireModel(type);
      const ifMatch = ifMatchVersion(request);
      authorizeModel(actor, type, 'write');
      const { row, cascaded } = await store.transaction((tx) => objectDeleter(commandContext(tx, actor), type, param(request, 'id'), ifMatch));
      return {
        ok: true,
        id: row.id,
        type,
        trashed_with_it: cascaded,
        restore: `POST /xapi2/trash/${type}/${row.id}/restore`,
      };
    });
  };
}
