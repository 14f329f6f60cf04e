/**
 * /xapi2/analytics/track: client telemetry batches. No authentication, a small body limit, a
 * per-address rate limit, bounded storage, and anything that looks like a secret is dropped.
 */
import { AppError } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../deps.js';
import { WindowLimiter } from '../http/rate-limit.js';

const MAX_EVENTS = 100;
const SECRET_KEY = /token|password|secret|authorization|cookie|api[-_]?key/i;

const SECRET_VALUE = /\b(?:pat|ses|setup)_[A-Za-z0-9_-]{8,}|\bBearer\s+\S+/gi;

/** A string with every token-looking part replaced, wherever it appears. */
function redactSecrets(text: string): string {
  return text.replace(SECRET_VALUE, '[redacted]');
}

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 4) return null;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => scrub(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEY.test(k))
        .slice(0, 50)
        .map(([k, v]) => [k.slice(0, 64), scrub(v, depth + 1)]),
    );
  }
  if (typeof value === 'string') return redactSecrets(value.slice(0, 500));
  return value;
}

/** The telemetry intake route. */
export function analyticsRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  const limiter = new WindowLimiter(config.analyticsPerMinute, 60_000);
  return async (app) => {
    app.post('/analytics/track', { bodyLimit: config.analyticsBodyLimit }, async (request, reply) => {
      limiter.hit(request.ip, 'telemetry batches');
      const body = request.body as Record<string, unknown> | undefined;
      const events = body?.events;
      if (!body || typeof body !== 'object' || !Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS) {
        throw new AppError('validation_failed', `send {device_id, session_id, events: [{type, ts_client, meta}], meta} with 1 to ${MAX_EVENTS} events`, { errors: [{ field: 'events', message: `1 to ${MAX_EVENTS} events` }] });
      }
      const deviceId = typeof body.device_id === 'string' ? redactSecrets(body.device_id.slice(0, 64)) : null;
      const receivedAt = new Date().toISOString();
      const rows = events.map((event, i) => {
        const type = (event as Record<string, unknown> | null)?.type;
        if (typeof type !== 'string' || type.length === 0 || type.length > 100) {
          throw new AppError('validation_failed', `events[${i}].type must be a string of 1 to 100 characters`, { errors: [{ field: `events[${i}].type`, message: 'required' }] });
        }
        const payload = JSON.stringify(scrub({ event, client: body.meta, session_id: body.session_id }));
        return { received_at: receivedAt, device_id: deviceId, type: redactSecrets(type), payload };
      });
      await store.transaction((tx) => tx.insertAnalytics(rows, config.analyticsKeep));
      return reply.code(202).send({ accepted: rows.length });
    });
  };
}
