/**
 * The HTTP client for the prodboard API, on node:http with keep-alive connections.
 *
 * Redirects are followed by hand (at most five) so `Authorization` can be dropped the moment a
 * redirect leaves the configured server's origin, and a renewed session token (`x-auth-refresh-token`)
 * is only ever taken from that origin. Reads are retried on 429 and 503, honouring `Retry-After`,
 * within the call's deadline; every wait and every exchange stops when the caller's signal aborts.
 */
import type { Agent, ClientRequest, IncomingHttpHeaders, RequestOptions } from 'node:http';
import * as builtins from '../builtins.js';
import { platform } from 'node:os';
import { DEFAULT_BASE_URL } from '../settings.js';
import { signInAgainHint, type TokenSource } from '../credentials.js';
import { COMMAND_NAME, VERSION } from '../version.js';
import { ApiError } from './api-error.js';

/** The response header that carries a renewed session token. */
export const REFRESH_HEADER = 'x-auth-refresh-token';
const MAX_REDIRECTS = 5;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_READ_RETRIES = 3;
const MAX_RETRY_WAIT_MS = 30_000;

/** One query parameter value; arrays repeat the parameter (the server reads that as IN). */
export type QueryValue = string | number | boolean;

/** Options of one call. */
export interface CallOptions {
  query?: Record<string, QueryValue | QueryValue[] | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** Send the token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  /** Overrides the default deadline (PRODMCP_TIMEOUT). */
  timeoutMs?: number;
  /** `follow` (default), or `none` for calls that must reach the configured server itself. */
  redirects?: 'follow' | 'none';
  headers?: Record<string, string>;
}

/** A response of any status, with its body read. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

interface Transport {
  request: (url: URL, options: RequestOptions) => ClientRequest;
  agent: Agent;
}

/** What the client needs from its surroundings. */
export interface ApiClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** The token to send, read at each call (a renewed session token takes effect at once). */
  token: () => TokenSource | undefined;
  /** Called with a renewed session token from the configured server. */
  onRefreshToken?: (token: string, source: TokenSource) => void;
  /** Extra headers (the analytics headers, when telemetry is on). */
  extraHeaders?: () => Record<string, string>;
}

const USER_AGENT = `${COMMAND_NAME}/${VERSION} (mcp; ${platform()}; node${process.versions.node})`;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(): ApiError {
  return new ApiError(0, 'the call was cancelled', 'cancelled');
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The prodboard API client. */
export class ApiClient {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly transports = new Map<string, Transport>();

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.origin = new URL(options.baseUrl).origin;
  }

  /** The URL of an API path with its query. */
  url(path: string, query?: CallOptions['query']): URL {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(item));
    }
    return url;
  }

  /** Calls the API and returns the parsed JSON body (null when empty); throws ApiError otherwise. */
  async json<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const response = await this.call(method, path, options);
    if (response.status >= 200 && response.status < 300) return parseJsonBody(response, this.baseUrl) as T;
    throw this.errorFrom(response, options);
  }

  /**
   * Calls the API and returns the response whatever its status; throws ApiError only when no
   * response came (network, timeout, cancellation) or when the call needs a token and none is set.
   */
  async call(method: string, path: string, options: CallOptions = {}): Promise<RawResponse> {
    const deadline = Date.now() + (options.timeoutMs ?? this.options.timeoutMs);
    const url = this.url(path, options.query);
    const source = options.auth === false ? undefined : this.options.token();
    if (options.auth !== false && !source) {
      throw new ApiError(401, signInAgainHint(undefined), 'not_signed_in');
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...this.options.extraHeaders?.(),
      ...options.headers,
    };
    let body: Buffer | undefined;
    if (options.body !== undefined) {
      body = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] = 'application/json';
    }
    if (source) headers.authorization = `Bearer ${source.token}`;

    for (let attempt = 0; ; attempt++) {
      const response = await this.followRedirects(method, url, headers, body, deadline, options);
      const retryable = method === 'GET' && (response.status === 429 || response.status === 503) && attempt < MAX_READ_RETRIES;
      if (!retryable) {
        this.takeRefreshedToken(response, source);
        return response;
      }
      const wait = Math.min(retryAfterMs(response.headers['retry-after']) ?? 250 * 2 ** attempt, MAX_RETRY_WAIT_MS);
      if (Date.now() + wait >= deadline) return response;
      await sleep(wait, options.signal);
    }
  }

  /** The ApiError for a non-2xx response, with a sign-in hint on 401. */
  errorFrom(response: RawResponse, options: CallOptions = {}): ApiError {
    const error = errorFromResponse(response, this.baseUrl);
    if (response.status !== 401 || options.auth === false) return error;
    const hint = signInAgainHint(this.options.token());
    return new ApiError(error.status, `${error.message.replace(/\.?\s*$/, '.')} ${hint}`, error.code, error.errors);
  }

  /** Closes idle keep-alive connections so the process can exit. */
  close(): void {
    for (const transport of this.transports.values()) transport.agent.destroy();
  }

  /** node:http or node:https (loaded on first use, see builtins.ts) with a keep-alive agent. */
  private transport(protocol: string): Transport {
    let transport = this.transports.get(protocol);
    if (!transport) {
      const mod = protocol === 'https:' ? builtins.https() : builtins.http();
      transport = { request: mod.request as Transport['request'], agent: new mod.Agent({ keepAlive: true, maxSockets: 16 }) };
      this.transports.set(protocol, transport);
    }
    return transport;
  }

  private takeRefreshedToken(response: RawResponse, source: TokenSource | undefined): void {
    const renewed = response.headers[REFRESH_HEADER];
    if (!source || typeof renewed !== 'string' || renewed === '') return;
    // Only the configured server may hand us a token; a redirect target may not.
    if (new URL(response.url).origin !== this.origin) return;
    this.options.onRefreshToken?.(renewed, source);
  }

  private async followRedirects(
    method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, deadline: number, options: CallOptions,
  ): Promise<RawResponse> {
    let current = url;
    let currentMethod = method;
    let currentBody = body;
    const currentHeaders = { ...headers };
    for (let hop = 0; ; hop++) {
      const response = await this.exchange(currentMethod, current, currentHeaders, currentBody, deadline, options.signal);
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || response.status === 304 || !location || options.redirects === 'none') {
        return response;
      }
      if (hop >= MAX_REDIRECTS) {
        throw new ApiError(response.status, `the server at ${this.baseUrl} redirected more than ${MAX_REDIRECTS} times; check PRODMCP_BASE_URL`, 'bad_response');
      }
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new ApiError(response.status, `the server redirected to an unsupported URL scheme (${next.protocol}); check PRODMCP_BASE_URL`, 'bad_response');
      }
      if (next.origin !== current.origin) {
        // The token is for the configured server only: never forward it to another host.
        delete currentHeaders.authorization;
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && currentMethod === 'POST')) {
        currentMethod = 'GET';
        currentBody = undefined;
        delete currentHeaders['content-type'];
      }
      current = next;
    }
  }

  /** One HTTP exchange; retried once when a reused keep-alive connection was closed under us. */
  private async exchange(
    method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, deadline: number, signal?: AbortSignal,
  ): Promise<RawResponse> {
    try {
      return await this.exchangeOnce(method, url, headers, body, deadline, signal);
    } catch (err) {
      if ((err as { staleSocket?: boolean }).staleSocket && IDEMPOTENT.has(method)) {
        return this.exchangeOnce(method, url, headers, body, deadline, signal);
      }
      throw err;
    }
  }

  private exchangeOnce(
    method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, deadline: number, signal?: AbortSignal,
  ): Promise<RawResponse> {
    const { request, agent } = this.transport(url.protocol);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelled());
      const remaining = deadline - Date.now();
      if (remaining <= 0) return reject(this.timeoutError());
      const outgoing = { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) };
      const req = request(url, { method, headers: outgoing, agent });
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const timer = setTimeout(() => {
        finish(() => reject(this.timeoutError()));
        req.destroy();
      }, remaining);
      const onAbort = () => {
        finish(() => reject(cancelled()));
        req.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const error = this.networkError(err);
        if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) Object.assign(error, { staleSocket: true });
        finish(() => reject(error));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            finish(() => reject(new ApiError(res.statusCode ?? 0, `the server's answer is larger than ${MAX_BODY_BYTES >> 20} MiB; ask for fewer rows (limit, filter)`, 'bad_response')));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.href })));
        res.on('error', (err) => finish(() => reject(this.networkError(err))));
        res.on('aborted', () => finish(() => reject(new ApiError(0, `the connection to ${this.baseUrl} broke while reading the answer; try again`, 'network_error'))));
      });
      req.end(body);
    });
  }

  private timeoutError(): ApiError {
    const seconds = Math.round(this.options.timeoutMs / 100) / 10;
    return new ApiError(0, `the prodboard server at ${this.baseUrl} did not answer within ${seconds} s; try again, or raise PRODMCP_TIMEOUT (seconds) if the server is slow`, 'timeout');
  }

  private networkError(err: NodeJS.ErrnoException): ApiError {
    const where = this.baseUrl;
    switch (err.code) {
      case 'ECONNREFUSED':
        return new ApiError(0, `cannot reach the prodboard server at ${where} (connection refused): is it running (npx prodboard serve)? Check PRODMCP_BASE_URL`, 'network_error');
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new ApiError(0, `cannot resolve the host of ${where}; check PRODMCP_BASE_URL and the network`, 'network_error');
      default:
        return new ApiError(0, `network error talking to ${where}: ${err.code ?? err.message}; check PRODMCP_BASE_URL and the network`, 'network_error');
    }
  }
}

function contentType(response: RawResponse): string {
  return String(response.headers['content-type'] ?? '').toLowerCase();
}

function looksLikeHtml(response: RawResponse): boolean {
  return contentType(response).includes('html') || /^\s*</.test(response.body.subarray(0, 64).toString('utf8'));
}

function htmlMessage(status: number, baseUrl: string): string {
  return `the server at ${baseUrl} answered HTTP ${status} with an HTML page instead of the prodboard API; check PRODMCP_BASE_URL (it must point at a prodboard server, e.g. ${DEFAULT_BASE_URL})`;
}

function parseJsonBody(response: RawResponse, baseUrl: string): unknown {
  if (response.body.length === 0) return null;
  if (looksLikeHtml(response)) throw new ApiError(response.status, htmlMessage(response.status, baseUrl), 'bad_response');
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch {
    throw new ApiError(response.status, `the server at ${baseUrl} answered HTTP ${response.status} with something that is not JSON; check PRODMCP_BASE_URL`, 'bad_response');
  }
}

/** The ApiError of a non-2xx response: the server's English message, code and field errors. */
export function errorFromResponse(response: RawResponse, baseUrl: string): ApiError {
  const retry = retryAfterMs(response.headers['retry-after']);
  const text = response.body.toString('utf8');
  if (contentType(response).includes('json') || /^\s*\{/.test(text)) {
    try {
      const parsed = JSON.parse(text) as Record<string, any>;
      const message = parsed?.i18n?.en || parsed?.detail || parsed?.message;
      if (typeof message === 'string' && message) {
        const errors = Array.isArray(parsed.errors) ? parsed.errors.filter((e: any) => typeof e?.field === 'string' && typeof e?.message === 'string') : [];
        return new ApiError(response.status, message, typeof parsed.code === 'string' ? parsed.code : `http_${response.status}`, errors, retry);
      }
    } catch {
      // not JSON after all: fall through to the generic message
    }
  }
  if (looksLikeHtml(response)) return new ApiError(response.status, htmlMessage(response.status, baseUrl), 'bad_response', [], retry);
  const snippet = text.trim().slice(0, 200);
  return new ApiError(response.status, `the server answered HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`, `http_${response.status}`, [], retry);
}
