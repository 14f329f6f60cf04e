/**
 * Server configuration: defaults, then environment variables, then command-line options.
 */
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Everything `buildApp` and `serve` need to know. */
export interface ServerConfig {
  host: string;
  port: number;
  /** SQLite database file (used unless `databaseUrl` is set). */
  dbPath: string;
  /** PostgreSQL URL (postgres://...); when set, PostgreSQL is the store. */
  databaseUrl?: string;
  /** Idle lifetime of a login session; each renewal starts a new one. */
  sessionTtlMs: number;
  /** A session older than this is renewed and the new token returned in `x-auth-refresh-token`. */
  sessionRefreshMs: number;
  /**
   * Failed logins to one account from one address before each further attempt from there waits
   * (1 minute, doubling up to `loginWindowMs`); also the wrong current passwords allowed per account
   * within `loginWindowMs` on a password change.
   */
  loginMaxFailures: number;
  loginWindowMs: number;
  /** Failed logins allowed from one address, across all accounts, within `loginWindowMs`. */
  loginAddressMaxFailures: number;
  /**
   * Fastify's `trustProxy`: the peers (addresses and CIDRs) that may say who the client is in
   * X-Forwarded-For; false believes only the socket.
   */
  trustedProxies: false | string[];
  /** The address people reach the server at (links the server writes), without a trailing slash. */
  publicUrl?: string;
  /** Longest a client may take to send a whole request, headers and body (0: no limit). */
  requestTimeoutMs: number;
  /** Largest request body, in bytes. */
  bodyLimit: number;
  /** Largest telemetry batch, in bytes, and requests per minute per address. */
  analyticsBodyLimit: number;
  analyticsPerMinute: number;
  /** Telemetry events kept (oldest dropped first). */
  analyticsKeep: number;
  /** Path of the single-file prodmcp build this server distributes (absent until it is built). */
  mcpScriptPath: string;
  /**
   * Whether /mcp answers plain tools/call requests itself (mcp/direct-call.ts) rather than through
   * the SDK's per-request pipeline; the answers are the same. PRODBOARD_MCP_DIRECT_CALLS=0 turns
   * it off, to rule it out when diagnosing.
   */
  mcpDirectCalls: boolean;
  /** The built web app served at `/` (absent until it is built). */
  webRoot: string;
  /** Live event streams send a heartbeat, and re-check their token, this often. */
  eventsHeartbeatMs: number;
  /** Memory for cached list pages (see store/page-cache.ts); 0 turns the cache off. */
  pageCacheBytes: number;
  /** How often old idempotency keys, expired sessions and the like are deleted (store/sweeper.ts). */
  sweepIntervalMs: number;
  logLevel: string;
  /** The clock (ms since the epoch) of sessions, tokens' use and expiry, login limits and live replay windows; tests inject their own. */
  now: () => number;
  /** Bearer token that may read GET /metrics (PRODBOARD_METRICS_TOKEN); unset: /metrics is off. */
  metricsToken?: string;
  /**
   * Whether an OAuth client_id may name a metadata document on plain http at a loopback address
   * (tests serve one there); off in every real server, where documents come only over https from
   * public addresses.
   */
  oauthLoopbackClientMetadata?: boolean;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** PRODBOARD_METRICS_TOKEN, checked: a short token could be guessed. */
function metricsToken(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16 || /\s/.test(raw)) throw new Error('PRODBOARD_METRICS_TOKEN must be at least 16 characters without spaces (e.g. openssl rand -hex 24)');
  return raw;
}

/** Defaults, overridden by PRODBOARD_* environment variables. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number; got "${raw}"`);
    return value;
  };
  const flag = (name: string, fallback: boolean) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === '1' || raw === 'true') return true;
    if (raw === '0' || raw === 'false') return false;
    throw new Error(`${name} must be 1 or 0 (true or false); got "${raw}"`);
  };
  return {
    host: env.PRODBOARD_HOST || '127.0.0.1',
    port: num('PRODBOARD_PORT', 4747),
    dbPath: env.PRODBOARD_DB || './data/prodboard.db',
    databaseUrl: env.DATABASE_URL || undefined,
    sessionTtlMs: num('PRODBOARD_SESSION_TTL_SECONDS', 14 * 86_400) * 1000,
    sessionRefreshMs: num('PRODBOARD_SESSION_REFRESH_SECONDS', 86_400) * 1000,
    loginMaxFailures: num('PRODBOARD_LOGIN_MAX_FAILURES', 5),
    loginWindowMs: num('PRODBOARD_LOGIN_WINDOW_SECONDS', 15 * 60) * 1000,
    loginAddressMaxFailures: num('PRODBOARD_LOGIN_ADDRESS_MAX_FAILURES', 100),
    trustedProxies: parseTrustedProxies(env.PRODBOARD_TRUSTED_PROXIES),
    publicUrl: parsePublicUrl(env.PRODBOARD_PUBLIC_URL),
    requestTimeoutMs: num('PRODBOARD_REQUEST_TIMEOUT_SECONDS', 30) * 1000,
    bodyLimit: 1024 * 1024,
    analyticsBodyLimit: 64 * 1024,
    analyticsPerMinute: num('PRODBOARD_ANALYTICS_PER_MINUTE', 600),
    analyticsKeep: num('PRODBOARD_ANALYTICS_KEEP', 100_000),
    mcpScriptPath: env.PRODBOARD_MCP_SCRIPT || fileURLToPath(new URL('../../prodmcp/dist/prodmcp.mjs', import.meta.url)),
    mcpDirectCalls: flag('PRODBOARD_MCP_DIRECT_CALLS', true),
    webRoot: env.PRODBOARD_WEB_ROOT || fileURLToPath(new URL('../../web/dist', import.meta.url)),
    eventsHeartbeatMs: num('PRODBOARD_EVENTS_HEARTBEAT_SECONDS', 15) * 1000,
    pageCacheBytes: num('PRODBOARD_PAGE_CACHE_MB', 32) * 2 ** 20,
    sweepIntervalMs: Math.max(1, num('PRODBOARD_SWEEP_SECONDS', 600)) * 1000,
    logLevel: env.PRODBOARD_LOG_LEVEL || 'info',
    now: Date.now,
    metricsToken: metricsToken(env.PRODBOARD_METRICS_TOKEN),
  };
}

/** The names proxy-addr knows for address ranges. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * PRODBOARD_TRUSTED_PROXIES: a comma-separated list of addresses, CIDRs and proxy-addr's named
 * ranges. Neither "trust everyone" nor a hop count: both would believe a client that connects
 * directly and writes its own X-Forwarded-For (Fastify 5 ignores hop counts for that reason).
 */
export function parseTrustedProxies(raw: string | undefined): false | string[] {
  if (raw === undefined || raw.trim() === '') return false;
  const fail = () => {
    throw new Error(
      `PRODBOARD_TRUSTED_PROXIES must be a comma-separated list of your proxies' addresses and CIDRs (such as 10.0.0.1, 10.0.0.0/8, loopback), not a hop count or "true"; got "${raw}"`,
    );
  };
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (NAMED_RANGES.includes(entry)) continue;
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) fail();
    if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128))) fail();
  }
  return entries;
}

/** PRODBOARD_PUBLIC_URL: an http(s) URL, perhaps with a path, never with a query or fragment. */
export function parsePublicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  // The value is not echoed: it could carry credentials.
  if (!url || !['http:', 'https:'].includes(url.protocol) || /[?#]/.test(raw) || url.username || url.password) {
    throw new Error('PRODBOARD_PUBLIC_URL must be the http(s) address people open the board at, such as https://board.example.com (a path is allowed; a query, fragment or credentials are not)');
  }
  return url.href.replace(/\/+$/, '');
}

export { MINUTE, DAY };
