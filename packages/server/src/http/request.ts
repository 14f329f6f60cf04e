/**
 * Small readers of request details shared by routes: If-Match, Idempotency-Key, query parameters.
 */
import { AppError, type RawParams } from '@prodboard/shared';
import type { FastifyRequest } from 'fastify';

/** The version an `If-Match` header asks for (`3`, `"3"` or `W/"3"`), or undefined without one. */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(String(raw));
  if (!m) throw new AppError('validation_failed', `If-Match "${String(raw).slice(0, 40)}" is not a version; send the object's version number, e.g. If-Match: 3`, { errors: [{ field: 'If-Match', message: 'must be a version number' }] });
  return Number(m[1]);
}

/** The `Idempotency-Key` header, or undefined. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = String(raw);
  if (key.length === 0 || key.length > 200) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 200 characters (a UUID is ideal)', { errors: [{ field: 'Idempotency-Key', message: 'must be 1-200 characters' }] });
  }
  return key;
}

/** Query parameters as a plain record: repeated parameters become arrays. */
export function queryParams(request: FastifyRequest): RawParams {
  const out: RawParams = Object.create(null) as RawParams;
  const search = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
  for (const [key, value] of search) {
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** A path parameter, typed. */
export function param(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string>)[name];
}
