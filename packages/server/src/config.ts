/**
 * Server configuration: defaults, then environment variables, then command-line options.
 */

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
  /** Failed logins allowed per email (and per address) within `loginWindowMs` before 429. */
  loginMaxFailures: number;
  loginWindowMs: number;
  /** Largest request body, in bytes. */
  bodyLimit: number;
  /** Largest telemetry batch, in bytes, and requests per minute per address. */
  analyticsBodyLimit: number;
  analyticsPerMinute: number;
  /** Telemetry events kept (oldest dropped first). */
  analyticsKeep: number;
  /** Path of the single-file prodmcp build this server distributes (absent until it is built). */
  mcpScriptPath: string;
  /** The built web app served at `/` (absent until it is built). */
  webRoot: string;
  /** Live event streams send a heartbeat, and re-check their token, this often. */
  eventsHeartbeatMs: number;
  /** Memory for cached list pages (see store/page-cache.ts); 0 turns the cache off. */
  pageCacheBytes: number;
  /** How often old idempotency keys, expired sessions and the like are deleted (store/sweeper.ts). */
  sweepIntervalMs: number;
  logLevel: string;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Defaults, overridden by PRODBOARD_* environment variables. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number; got "${raw}"`);
    return value;
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
    bodyLimit: 1024 * 1024,
    analyticsBodyLimit: 64 * 1024,
    analyticsPerMinute: num('PRODBOARD_ANALYTICS_PER_MINUTE', 600),
    analyticsKeep: num('PRODBOARD_ANALYTICS_KEEP', 100_000),
    mcpScriptPath: env.PRODBOARD_MCP_SCRIPT || new URL('../../prodmcp/dist/prodmcp.mjs', import.meta.url).pathname,
    webRoot: env.PRODBOARD_WEB_ROOT || new URL('../../web/dist', import.meta.url).pathname,
    eventsHeartbeatMs: num('PRODBOARD_EVENTS_HEARTBEAT_SECONDS', 15) * 1000,
    pageCacheBytes: num('PRODBOARD_PAGE_CACHE_MB', 32) * 2 ** 20,
    sweepIntervalMs: Math.max(1, num('PRODBOARD_SWEEP_SECONDS', 600)) * 1000,
    logLevel: env.PRODBOARD_LOG_LEVEL || 'info',
  };
}

export { MINUTE, DAY };
