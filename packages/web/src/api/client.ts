/**
 * The one way the web app talks to the server: JSON in and out, the session token on every call,
 * the renewed token taken from `x-auth-refresh-token`, and failures turned into ApiError with the
 * server's field errors, so forms can show each message at its field.
 */
import type { FieldError } from '@prodboard/shared';
import { reportApi } from './connectivity.js';
import { sessionToken, setSessionToken } from './session.js';
import type { ErrorBody } from './types.js';

/** A failed call: the HTTP status (0 when the server could not be reached) and the server's error body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[];

  constructor(status: number, body: ErrorBody) {
    super(body.detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.errors = body.errors ?? [];
  }
}

export interface CallOptions {
  body?: unknown;
  /** Query parameters; arrays repeat the parameter; undefined and '' are left out. */
  query?: Record<string, string | number | boolean | undefined | Array<string | number>>;
  /** The version the write expects (If-Match): a 412 when someone changed the object since. */
  ifMatch?: number;
  idempotencyKey?: string;
  /** Calls made without the session (login, setup, invitations). */
  anonymous?: boolean;
  /** A session token other than the stored one (the invite page joins with the session it just signed in). */
  token?: string;
  signal?: AbortSignal;
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Calls `listener` when the server says the session is no longer valid. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** The URL of an API path with its query. */
export function apiUrl(path: string, query: CallOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const search = params.toString();
  return `/xapi2${path}${search ? `?${search}` : ''}`;
}

/** Calls the API; resolves to the parsed body or throws ApiError. */
export async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = options.anonymous ? null : (options.token ?? sessionToken());
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch !== undefined) headers['if-match'] = String(options.ifMatch);
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;

  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    reportApi(false);
    throw new ApiError(0, { detail: 'The server could not be reached. Check your connection; nothing was changed.', code: 'network', errors: [] });
  }
  reportApi(true);

  const renewed = response.headers.get('x-auth-refresh-token');
  if (renewed && token && sessionToken() === token) setSessionToken(renewed);

  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) return body as T;

  const error = new ApiError(
    response.status,
    body && typeof body === 'object' && 'detail' in body
      ? (body as ErrorBody)
      : { detail: `The server answered ${response.status}. Try again in a moment.`, code: 'internal', errors: [] },
  );
  if (response.status === 401 && token && sessionToken() === token) {
    setSessionToken(null);
    for (const listener of signedOutListeners) listener();
  }
  throw error;
}

/** Shorthands. */
export const api = {
  get: <T>(path: string, options?: CallOptions) => call<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: CallOptions) => call<T>('POST', path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: CallOptions) => call<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options?: CallOptions) => call<T>('DELETE', path, options),
};

/** A message for any error, for toasts and form-level errors. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong. Try again.';
}
