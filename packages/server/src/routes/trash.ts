/**
 * /xapi2/trash: what was deleted, newest first, and restoring it (a board brings its cards back).
 */
import { AppError, parseListQuery, type RawParams } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { commandContext } from '../context.js';
import type { AppDeps } from '../deps.js';
import { authenticate } from '../http/authenticate.js';
import { param, queryParams } from '../http/request.js';
import { authorizeModel, readableModels } from '../policies.js';
import { presentObject, presentTrashed } from '../presenters.js';
import { objectRestorer } from '../commands/object-restorer.js';
import { requireModel } from '../commands/object-loader.js';

function paging(params: RawParams): { limit: number; offset: number; types?: string[] } {
  const { type, ...rest } = params;
  // Reuse the list parser's limit/offset rules; `type` is this listing's only filter.
  const parsed = parseListQuery('card', requireModel('card'), { limit: rest.limit, offset: rest.offset });
  const unknown = Object.keys(rest).filter((k) => k !== 'limit' && k !== 'offset');
  if (unknown.length > 0) throw new AppError('invalid_query', `unknown parameter ${unknown.join(', ')}; the trash takes type, limit and offset`);
  const types = type === undefined ? undefined : Array.isArray(type) ? type : [type];
  for (const t of types ?? []) requireModel(t);
  return { limit: parsed.limit, offset: parsed.offset, types };
}

/** The trash routes. */
export function trashRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/trash', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const { limit, offset, types } = paging(queryParams(request));
      const readable = readableModels(actor).filter((t) => !types || types.includes(t));
      const page = await store.listTrash(actor.workspace.id, readable, limit, offset);
      return { data: page.rows.map(presentTrashed), meta: { count: page.rows.length, has_more: page.hasMore, limit, offset, types: readable } };
    });

    app.post('/trash/:type/:id/restore', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const type = param(request, 'type');
      requireModel(type);
      authorizeModel(actor, type, 'write');
      const { row, restored } = await store.transaction((tx) => objectRestorer(commandContext(tx, actor), type, param(request, 'id')));
      return { ...presentObject(row), restored_with_it: restored };
    });
  };
}
