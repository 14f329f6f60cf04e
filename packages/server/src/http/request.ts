/**
 * Small readers of request details shared by routes: If-Match, Idempotency-Key, query parameters,
 * and the one check that refuses text no store can hold.
 */
import { AppError, UNSTORABLE_TEXT, type RawParams } from '@prodboard/shared';
import type { FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify';

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

/**
 * Query parameters that checkRequest parsed for a request, handed to the route's own call (once, so
 * each caller still gets a record of its own): a list request parsed its query twice (issue 10).
 */
const parsedQueries = new WeakMap<FastifyRequest, RawParams>();

/** Query parameters as a plain record: repeated parameters become arrays. */
export function queryParams(request: FastifyRequest): RawParams {
  const parsed = parsedQueries.get(request);
  if (parsed !== undefined) {
    parsedQueries.delete(request);
    return parsed;
  }
  return parseQuery(request);
}

function parseQuery(request: FastifyRequest): RawParams {
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

// PostgreSQL refuses these (a 500 there) while SQLite stores them: refused before any route sees them.
const UNSTORABLE_ALL = new RegExp(UNSTORABLE_TEXT.source, 'g');

/** A string with each unstorable character written as its escape (`\u0000`), so an error can name it. */
function escapeUnstorable(text: string): string {
  return text.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Where the first unstorable string or key in a value is (`events[0].meta.m`), with the character, or undefined. */
function findUnstorable(value: unknown): { field: string; char: string } | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  const hit = (text: string, field: string) => ({ field: field || 'body', char: UNSTORABLE_TEXT.exec(text)![0] });
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (UNSTORABLE_TEXT.test(node)) return hit(node, path);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${path}[${i}]`]);
    } else if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const field = path ? `${path}.${escapeUnstorable(key)}` : escapeUnstorable(key);
        if (UNSTORABLE_TEXT.test(key)) return hit(key, field);
        stack.push([child, field]);
      }
    }
  }
  return undefined;
}

/** Whether a value holds an unstorable string or key anywhere: the common answer, no, allocates nothing. */
function hasUnstorable(value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE_TEXT.test(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasUnstorable(item)) return true;
    return false;
  }
  // JSON bodies nest at most 64 levels (app.ts), so the recursion is bounded.
  for (const key in value) {
    if (UNSTORABLE_TEXT.test(key) || hasUnstorable((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/**
 * What every routed request goes through before its handler: its response is taken for the type it
 * declares (X-Content-Type-Options: nosniff), and text no store can hold is refused (below).
 * A hook on most routes (app.ts); operation routes call it first thing in their handler instead.
 */
export function checkRequest(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff');
  refuseUnstorableInput(request);
}

/** checkRequest as a preValidation hook. */
export const checkRequestHook: preValidationHookHandler = (request, reply, done) => {
  try {
    checkRequest(request, reply);
  } catch (err) {
    return done(err as Error);
  }
  done();
};

/**
 * Refuses a request whose path parameters, query parameters or JSON body (values and keys) carry a
 * NUL or an unpaired surrogate: a 400 naming where, the same on both stores, before anything is read or written.
 */
export function refuseUnstorableInput(request: FastifyRequest): void {
  // Path and query parameters are percent-decoded as UTF-8, where a surrogate half is invalid (decoded
  // as U+FFFD or refused, never kept), and the HTTP parser refuses a raw NUL: the only way one of
  // them can hold unstorable text is an encoded NUL, %00. Without one, only the body is looked at.
  if (!request.url.includes('%00') && !hasUnstorable(request.body)) return;
  const query = request.url.includes('?') ? parseQuery(request) : undefined;
  if (!hasUnstorable(request.params) && !hasUnstorable(query) && !hasUnstorable(request.body)) {
    if (query !== undefined) parsedQueries.set(request, query);
    return;
  }
  const found = findUnstorable(request.params) ?? findUnstorable(query) ?? findUnstorable(request.body);
  if (!found) return;
  const { field, char } = found;
  const message =
    char === '\u0000'
      ? `${field} contains a NUL character, which cannot be stored; remove it`
      : `${field} contains an unpaired UTF-16 surrogate (${escapeUnstorable(char)}), which is not text and cannot be stored; send well-formed Unicode (a surrogate is only valid as half of a pair, as in an emoji)`;
  throw new AppError('validation_failed', message, { errors: [{ field, message }] });
}

/** A request header as one string (undefined when absent). */
export function headerValue(request: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const raw = request.headers[name];
  return raw === undefined ? undefined : String(raw);
}
