/**
 * /xapi2/events: the workspace's changes as server-sent events, resumable with Last-Event-ID (or
 * `last_event_id`). EventSource cannot send headers, so this route alone also takes the token as
 * the `access_token` query parameter (request logging is off, and errors never echo the URL's query).
 * A fresh stream may start `replay_seconds` back, so a client that reads its data while the stream
 * opens (rather than after) still misses nothing.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { AppError } from '@prodboard/shared';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import { authenticate, authenticateToken } from '../http/authenticate.js';
import { EventStream } from '../http/event-stream.js';
import { plainDocs } from '../http/operation-route.js';
import { queryParams } from '../http/request.js';
import { runActivityFeed } from '../live/activity-feed.js';

/** How long a disconnected EventSource waits before it reconnects. */
const RETRY_MS = 2000;
/** The most a fresh stream may look back (`replay_seconds`). */
const MAX_REPLAY_SECONDS = 60;

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw new AppError('invalid_query', `${name} may be given only once`, { errors: [{ field: name, message: 'given twice' }] });
  return value;
}

function resumeSeq(request: FastifyRequest, queryValue: string | undefined): number | undefined {
  const raw = request.headers['last-event-id'] ?? queryValue;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw new AppError('invalid_query', 'Last-Event-ID must be the id of the last event received (a whole number)', { errors: [{ field: 'Last-Event-ID', message: 'whole number' }] });
  }
  return Number(raw);
}

/** The live events route. */
export function eventRoutes({ store, config, metrics }: AppDeps): FastifyPluginAsync {
  return async (app) => {
    const streams = new Set<EventStream>();
    // Open streams would hold the server open forever; end them when the app closes.
    app.addHook('preClose', async () => {
      for (const stream of streams) stream.end();
    });

    app.get('/events', { config: plainDocs('events.stream', 'Live activity as Server-Sent Events (token by Authorization or the access_token query parameter)', { 200: undefined }, [400, 401, 403]) }, async (request, reply) => {
      const { access_token: accessToken, last_event_id: lastEventId, replay_seconds: replayRaw, ...rest } = queryParams(request);
      const unknown = Object.keys(rest);
      if (unknown.length > 0) throw new AppError('invalid_query', `unknown parameter ${unknown.join(', ')}; events take access_token, last_event_id and replay_seconds`);
      const replay = single(replayRaw, 'replay_seconds');
      if (replay !== undefined && !(/^\d{1,2}$/.test(replay) && Number(replay) <= MAX_REPLAY_SECONDS)) {
        throw new AppError('invalid_query', `replay_seconds must be a whole number from 0 to ${MAX_REPLAY_SECONDS}`, { errors: [{ field: 'replay_seconds', message: `0-${MAX_REPLAY_SECONDS}` }] });
      }
      const queryToken = request.headers.authorization ? undefined : single(accessToken, 'access_token');
      // A header-authenticated client can read x-auth-refresh-token; a query-token one cannot, so it is never renewed here.
      const actor = queryToken ? await authenticateToken(store, config, queryToken) : await authenticate(store, config, request, reply);
      const resumeFrom = resumeSeq(request, single(lastEventId, 'last_event_id'));
      const token = queryToken ?? /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')![1];
      const currentToken = (reply.getHeader('x-auth-refresh-token') as string | undefined) ?? token;

      reply.hijack();
      const stream = new EventStream(reply.raw);
      streams.add(stream);
      metrics?.streamOpened();
      stream.onClose(() => {
        streams.delete(stream);
        metrics?.streamClosed();
      });
      stream.open(reply.getHeaders() as OutgoingHttpHeaders, RETRY_MS);
      await runActivityFeed({
        store,
        stream,
        actor,
        resumeFrom,
        replaySeconds: Number(replay ?? 0),
        now: config.now,
        heartbeatMs: config.eventsHeartbeatMs,
        reauthenticate: () => authenticateToken(store, config, currentToken),
        onLiveDelivery: metrics && ((row) => metrics.eventDelivered(row.created_at)),
        onRefused: (err) => request.log.info({ status: err.status, reason: err.code, detail: err.message, route: request.routeOptions.url }, 'live stream refused'),
      });
    });
  };
}
