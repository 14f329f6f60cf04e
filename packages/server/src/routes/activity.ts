/**
 * /xapi2/activity: the workspace's recorded writes, oldest first after a cursor (`since` = a seq from
 * the previous page, or an ISO 8601 time).
 */
import { AppError, isIso8601 } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import { authenticate } from '../http/authenticate.js';
import { queryParams } from '../http/request.js';
import { readableActivityTypes } from '../policies.js';
import { presentActivity } from '../presenters.js';

const MAX_LIMIT = 500;

/** The activity route. */
export function activityRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/activity', async (request, reply) => {
      const actor = await authenticate(store, config, request, reply);
      const { since, limit: limitRaw, ...rest } = queryParams(request);
      if (Object.keys(rest).length > 0) throw new AppError('invalid_query', `unknown parameter ${Object.keys(rest).join(', ')}; activity takes since and limit`);
      if (Array.isArray(since) || Array.isArray(limitRaw)) throw new AppError('invalid_query', 'since and limit may be given only once');
      let sinceSeq = 0;
      if (since !== undefined && since !== '') {
        if (/^\d{1,15}$/.test(since)) sinceSeq = Number(since);
        else if (isIso8601(since)) sinceSeq = await store.activitySeqAt(actor.workspace.id, new Date(since).toISOString());
        else throw new AppError('invalid_query', 'since must be the seq of the last event you saw (meta.next_cursor) or an ISO 8601 time', { errors: [{ field: 'since', message: 'seq or ISO time' }] });
      }
      let limit = 100;
      if (limitRaw !== undefined) {
        if (!/^\d{1,6}$/.test(limitRaw) || Number(limitRaw) < 1) throw new AppError('invalid_query', `limit must be a whole number from 1 to ${MAX_LIMIT}`, { errors: [{ field: 'limit', message: 'whole number ≥ 1' }] });
        limit = Math.min(Number(limitRaw), MAX_LIMIT);
      }
      const rows = await store.listActivity(actor.workspace.id, sinceSeq, readableActivityTypes(actor), limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { data: page.map(presentActivity), meta: { count: page.length, has_more: rows.length > limit, next_cursor: String(last ? last.seq : sinceSeq), limit } };
    });
  };
}
