/**
 * GET /metrics in Prometheus' text format (prom-client): request latency by route pattern, database
 * connection use, open live streams, and event lag (an activity's commit to its delivery on a live
 * stream). Off unless PRODBOARD_METRICS_TOKEN is set, and then readable only with that token as a
 * Bearer token: a loopback-only rule would open it to the world through any reverse proxy on the
 * same machine, where every request comes from 127.0.0.1. When off, nothing is measured either.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@prodboard/shared';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppDeps } from '../deps.js';
import { sendError } from './errors.js';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** One app's metrics (a registry of its own: tests run several apps in one process). */
export class Metrics {
  readonly registry = new Registry();
  private liveStreams = 0;
  private readonly latency: Histogram<'method' | 'route' | 'status_code'>;
  private readonly lag: Histogram;
  private readonly toolCalls: Counter<'path'>;

  constructor(deps: AppDeps) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'prodboard_' });
    this.latency = new Histogram({
      name: 'prodboard_http_request_duration_seconds',
      help: 'Time to answer a request, by route pattern (never the raw URL), method and status.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.lag = new Histogram({
      name: 'prodboard_event_lag_seconds',
      help: "Time from an activity's commit (its timestamp, written in its transaction) to its delivery on a live stream; replayed events are not counted.",
      buckets: LAG_BUCKETS,
      registers,
    });
    this.toolCalls = new Counter({
      name: 'prodboard_mcp_tool_calls_total',
      help: "Tool calls on /mcp, by the path that served them: direct (a plain call, answered without the SDK's per-request pipeline) or sdk.",
      labelNames: ['path'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'prodboard_live_streams',
      help: 'Open live event streams (GET /xapi2/events).',
      registers,
      collect() {
        this.set(self.liveStreams);
      },
    });
    new Gauge({
      name: 'prodboard_db_pool_connections',
      help: 'Database connections by pool and state: total open, idle, and waiting (callers queued for one; on SQLite, transactions queued behind the one running).',
      labelNames: ['pool', 'state'],
      registers,
      collect() {
        this.reset();
        for (const stats of deps.store.poolStats?.() ?? []) {
          this.set({ pool: stats.pool, state: 'total' }, stats.total);
          this.set({ pool: stats.pool, state: 'idle' }, stats.idle);
          this.set({ pool: stats.pool, state: 'waiting' }, stats.waiting);
        }
      },
    });
  }

  /** Records one answered request; `route` is the pattern Fastify matched, or undefined (no route). */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    this.latency.observe({ method, route: route ?? 'unmatched', status_code: String(status) }, seconds);
  }

  /** A tool call on /mcp began, on the direct path or the SDK's. */
  mcpToolCall(path: 'direct' | 'sdk'): void {
    this.toolCalls.inc({ path });
  }

  streamOpened(): void {
    this.liveStreams += 1;
  }

  streamClosed(): void {
    this.liveStreams -= 1;
  }

  /** An activity (committed at `createdAt`) was written to a live stream just now. */
  eventDelivered(createdAt: string): void {
    const lag = (Date.now() - Date.parse(createdAt)) / 1000;
    if (Number.isFinite(lag)) this.lag.observe(Math.max(0, lag));
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Registers GET /metrics and, when metrics are on, the hook that times every request. Returns the
 * app's Metrics, or undefined when they are off.
 */
export function installMetrics(app: FastifyInstance, deps: AppDeps): Metrics | undefined {
  const token = deps.config.metricsToken;
  const metrics = token ? new Metrics(deps) : undefined;
  const expected = token ? digest(token) : undefined;

  app.get('/metrics', async (request, reply) => {
    if (!metrics || !expected) {
      return sendError(reply, new AppError('not_found', 'metrics are off; set PRODBOARD_METRICS_TOKEN on the server and send it as Authorization: Bearer <token> to read /metrics'));
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    // Compared as digests, in constant time: the token's length and prefix leak nothing.
    if (!m || !timingSafeEqual(digest(m[1]), expected)) {
      throw new AppError('unauthenticated', 'reading /metrics needs the token set in PRODBOARD_METRICS_TOKEN, sent as Authorization: Bearer <token>');
    }
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });

  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url;
      if (route === '/metrics') return;
      metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    });
  }
  return metrics;
}
