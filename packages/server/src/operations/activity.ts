/**
 * The workspace's recorded writes, oldest first after a cursor (`since` = a seq from the previous
 * page, or an ISO 8601 time). Owners and admins also see account events (tokens, sessions, roles).
 */
import { AppError, isIso8601 } from '@prodboard/shared';
import { readableActivityTypes } from '../policies.js';
import { presentActivity } from '../presenters.js';
import { defineOperation, done } from './operation.js';

const MAX_LIMIT = 500;

export const listActivity = defineOperation('activity.list', {
  parse(input) {
    const { since, limit: limitRaw, ...rest } = (input.query ?? {}) as Record<string, string | string[] | undefined>;
    if (Object.keys(rest).length > 0) throw new AppError('invalid_query', `unknown parameter ${Object.keys(rest).join(', ')}; activity takes since and limit`);
    if (Array.isArray(since) || Array.isArray(limitRaw)) throw new AppError('invalid_query', 'since and limit may be given only once');
    if (since !== undefined && since !== '' && !/^\d{1,15}$/.test(since) && !isIso8601(since)) {
      throw new AppError('invalid_query', 'since must be the seq of the last event you saw (meta.next_cursor) or an ISO 8601 time', { errors: [{ field: 'since', message: 'seq or ISO time' }] });
    }
    let limit = 100;
    if (limitRaw !== undefined) {
      if (!/^\d{1,6}$/.test(limitRaw) || Number(limitRaw) < 1) throw new AppError('invalid_query', `limit must be a whole number from 1 to ${MAX_LIMIT}`, { errors: [{ field: 'limit', message: 'whole number ≥ 1' }] });
      limit = Math.min(Number(limitRaw), MAX_LIMIT);
    }
    return { since: since || undefined, limit };
  },
  async run({ deps: { store }, actor }, { since, limit }) {
    let sinceSeq = 0;
    if (since !== undefined) sinceSeq = /^\d+$/.test(since) ? Number(since) : await store.activitySeqAt(actor.workspace.id, new Date(since).toISOString());
    const rows = await store.listActivity(actor.workspace.id, sinceSeq, readableActivityTypes(actor), limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return done({ data: page.map(presentActivity), meta: { count: page.length, has_more: rows.length > limit, next_cursor: String(last ? last.seq : sinceSeq), limit } });
  },
});
