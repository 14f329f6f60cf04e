/**
 * /xapi2/analytics/track: client telemetry batches. No authentication, a small body limit, a
 * per-address rate limit, bounded storage, and anything that looks like a secret is dropped.
 *
 * Nothing received is stored twice: a row per event, and the batch's client meta and session id
 * only in the row of its first event (the others share its received_at and device_id). Copying the
 * meta into every row stored up to 98× the bytes received.
 */
import { AppError } from '@prodboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { plainDocs } from '../http/operation-route.js';
import type { AppDeps } from '../deps.js';
import { WindowLimiter } from '../auth/rate-limit.js';

const MAX_EVENTS = 100;
/**
 * Largest stored JSON of one event, and of a batch's client meta, after long strings are cut: with
 * `analyticsKeep` rows (100,000 by default) the table stays under about 300 MB whatever is sent.
 */
const MAX_EVENT_BYTES = 2048;
const MAX_META_BYTES = 1024;
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

/** Refuses a value whose stored JSON would exceed `max` bytes. */
function tooLarge(field: string, value: unknown, max: number, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
  if (bytes <= max) return;
  const message = `${field} is ${Math.ceil(bytes / 1024)} KiB once long strings are cut to 500 characters; ${what} may be at most ${max / 1024} KiB, so send less`;
  throw new AppError('validation_failed', message, { errors: [{ field, message }] });
}

/** The telemetry intake route. */
export function analyticsRoutes({ store, config }: AppDeps): FastifyPluginAsync {
  const limiter = new WindowLimiter(config.analyticsPerMinute, 60_000);
  return async (app) => {
    app.post('/analytics/track', { bodyLimit: config.analyticsBodyLimit, config: plainDocs('analytics.track', "Accepts a client's telemetry batch (size- and rate-limited)", { 202: z.object({ accepted: z.number().int() }) }, [400, 413, 429]) }, async (request, reply) => {
      limiter.hit(request.ip, 'telemetry batches');
      const body = request.body as Record<string, unknown> | undefined;
      const events = body?.events;
      if (!body || typeof body !== 'object' || !Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS) {
        throw new AppError('validation_failed', `send {device_id, session_id, events: [{type, ts_client, meta}], meta} with 1 to ${MAX_EVENTS} events`, { errors: [{ field: 'events', message: `1 to ${MAX_EVENTS} events` }] });
      }
      const deviceId = typeof body.device_id === 'string' ? redactSecrets(body.device_id.slice(0, 64)) : null;
      const sessionId = typeof body.session_id === 'string' ? redactSecrets(body.session_id.slice(0, 64)) : undefined;
      const client = scrub(body.meta, 1);
      tooLarge('meta', client, MAX_META_BYTES, 'the client meta (os, versions) of the batch');
      const receivedAt = new Date().toISOString();
      const rows = events.map((event, i) => {
        const type = (event as Record<string, unknown> | null)?.type;
        if (typeof type !== 'string' || type.length === 0 || type.length > 100) {
          throw new AppError('validation_failed', `events[${i}].type must be a string of 1 to 100 characters`, { errors: [{ field: `events[${i}].type`, message: 'required' }] });
        }
        const scrubbed = scrub(event, 1);
        tooLarge(`events[${i}]`, scrubbed, MAX_EVENT_BYTES, 'one event');
        const payload = JSON.stringify(i === 0 ? { event: scrubbed, client, session_id: sessionId } : { event: scrubbed });
        return { received_at: receivedAt, device_id: deviceId, type: redactSecrets(type), payload };
      });
      await store.transaction((tx) => tx.insertAnalytics(rows, config.analyticsKeep));
      return reply.code(202).send({ accepted: rows.length });
    });
  };
}
