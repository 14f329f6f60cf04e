/**
 * The one place errors become HTTP responses: AppErrors keep their status and message, Fastify's own
 * errors (bad JSON, wrong content type, oversize body) get our shape and a fix, and 5xx are masked.
 */
import { AppError, MAX_ECHO_LENGTH, clipEcho, type ErrorBody, type ErrorCode } from '@prodboard/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkRequestHook } from './request.js';

function fromFastify(err: FastifyError, request: FastifyRequest, defaultLimit: number): AppError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request.routeOptions.bodyLimit ?? defaultLimit;
      return new AppError('payload_too_large', `the request body is larger than ${Math.round(limit / 1024)} KiB; send less (split large text or many items over several requests)`);
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().slice(0, 80) || 'missing';
      return new AppError('unsupported_media_type', `Content-Type ${type} is not supported; send a JSON body with Content-Type: application/json`);
    }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid_json', 'Content-Length does not match the body; send the body again with a correct Content-Length');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'the body is empty but Content-Type says JSON; send a JSON object');
  }
  if (err.statusCode === 400 && (err instanceof SyntaxError || /JSON|prototype/i.test(err.message))) {
    return new AppError('invalid_json', `the body is not valid JSON (${err.message.slice(0, 120)}); send a JSON object such as {"title": "..."}`);
  }
  if (err.statusCode && err.statusCode < 500) {
    const code: ErrorCode = err.statusCode === 404 ? 'not_found' : err.statusCode === 405 ? 'method_not_allowed' : err.statusCode === 413 ? 'payload_too_large' : 'validation_failed';
    return new AppError(code, err.message);
  }
  return undefined;
}

/** Network errors and PostgreSQL/SQLite codes that mean "the database is out of reach or overloaded", not "this request is wrong". */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'SQLITE_BUSY']);
const UNREACHABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|connect ECONNREFUSED/i;

/**
 * A store failure the caller can only wait out: the database refused or dropped the connection,
 * was shutting down or starting (SQLSTATE class 08, 57P0x), had no connection left (53300), or took
 * longer than the statement timeout (57014). A 503 with Retry-After, not a 500.
 */
function storeUnavailable(err: Error & { code?: unknown; errors?: unknown[] }): AppError | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  const nested = Array.isArray(err.errors) && err.errors.some((e) => UNREACHABLE_CODES.has(String((e as { code?: unknown }).code)));
  const timedOut = code === '57014';
  if (!(UNREACHABLE_CODES.has(code) || nested || code.startsWith('08') || /^57P0[1-3]$/.test(code) || code === '53300' || timedOut || UNREACHABLE_MESSAGES.test(err.message ?? ''))) {
    return undefined;
  }
  return new AppError(
    'unavailable',
    timedOut
      ? 'the database took too long to answer; nothing was changed if the request was a write; retry in a moment'
      : 'the database cannot be reached right now; nothing was changed if the request was a write; retry in a moment (an operator should check that the database is up)',
    { retryAfter: 2 },
  );
}

/** Field problems listed in one response; a body of 5,000 unknown keys gets the first 10 and a count. */
const MAX_LISTED_ERRORS = 10;
/** Longest message and detail sent: room for every list of allowed values, never for a caller's 100 KB. */
const MAX_MESSAGE_LENGTH = 1_000;
const MAX_DETAIL_LENGTH = 1_500;

const LONG_RUN = new RegExp(`\\S{${MAX_ECHO_LENGTH + 1},}`, 'g');

/** Every run of more than MAX_ECHO_LENGTH non-space characters (an echoed key or value) cut to that, then the whole to `max`. */
function boundEcho(text: string, max: number): string {
  return clipEcho(text.replace(LONG_RUN, (run) => clipEcho(run)), max);
}

/**
 * The wire form of an error, bounded wherever it was raised: a validator that quotes its input
 * must not turn a 100 KB field name into a 400 KB answer.
 */
export function boundedBody(err: AppError): ErrorBody {
  const errors = err.errors.slice(0, MAX_LISTED_ERRORS).map((e) => ({ field: clipEcho(e.field), message: boundEcho(e.message, MAX_MESSAGE_LENGTH) }));
  const more = err.errors.length - errors.length;
  const detail = boundEcho(err.message, MAX_DETAIL_LENGTH) + (more > 0 ? ` (${more} more problems not listed)` : '');
  return { ...err.toBody(), detail, i18n: { en: detail }, errors };
}

/**
 * What of an unexpected error goes to the log: what failed and where, never the values involved.
 * PostgreSQL's `detail` repeats the row it refused ("Failing row contains (…)"), token hashes included.
 */
export function loggable(err: Error & { code?: unknown; table?: unknown; column?: unknown; constraint?: unknown }): Record<string, unknown> {
  const { code, table, column, constraint } = err;
  return { type: err.constructor?.name ?? err.name, message: err.message, code, table, column, constraint, stack: err.stack };
}

/**
 * The AppError an error stands for, when it is an expected one (an AppError, or the database out
 * of reach: a 503); undefined for a failure to log and mask. For edges other than the HTTP routes.
 */
export function knownError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  return err instanceof Error ? storeUnavailable(err) : undefined;
}

/** Statuses logged (at info) as refusals. */
const REFUSALS = new Set([401, 403, 429]);

/** Sends an AppError as JSON with its status (and Retry-After). */
export function sendError(reply: FastifyReply, err: AppError): FastifyReply {
  reply.header('x-content-type-options', 'nosniff');
  if (err.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfter))));
  return reply.code(err.status).type('application/json; charset=utf-8').send(boundedBody(err));
}

/** Installs the error and not-found handlers. */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = err instanceof AppError ? err : fromFastify(err, request, bodyLimit);
    if (known) {
      // Refusals are worth a line (a probe, a leaked or revoked token, a client in a retry loop):
      // why, and the route's pattern, never its URL (the events route takes a token in the query).
      if (REFUSALS.has(known.status)) request.log.info({ status: known.status, reason: known.code, detail: known.message, route: request.routeOptions.url }, 'request refused');
      return sendError(reply, known);
    }
    const unavailable = storeUnavailable(err);
    if (unavailable) {
      request.log.warn({ code: (err as { code?: unknown }).code, message: err.message }, 'database unavailable');
      return sendError(reply, unavailable);
    }
    request.log.error({ err: loggable(err) }, 'request failed');
    return sendError(reply, new AppError('internal', `internal error (request ${request.id}); nothing was changed if the request was a write; try again, and report the request id if it keeps happening`));
  });
  app.setNotFoundHandler({ preValidation: checkRequestHook }, (request, reply) =>
    sendError(reply, new AppError('not_found', `no endpoint ${request.method} ${request.url.split('?')[0].slice(0, 200)}; the API lives under /xapi2 (see GET /xapi2/mcp/manifest for the models)`)),
  );
}
