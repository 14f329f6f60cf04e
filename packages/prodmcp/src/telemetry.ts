/**
 * Telemetry: small batches of usage events to the configured server's /xapi2/analytics/track.
 *
 * Never blocking: events queue in memory and go out together after a short delay, with their own
 * short deadline, and any failure is dropped. Never carrying secrets: an event holds a type and a
 * few counters (model, op, pages, status); never arguments, tokens, ids or server messages.
 * Off with PRODMCP_NO_TELEMETRY=1 or DO_NOT_TRACK=1, which also drops the analytics headers.
 */
import { release, type } from 'node:os';
import type { ApiClient } from './http/api-client.js';
import { STATE_FILES, type StateDir } from './state.js';
import { COMMAND_NAME, VERSION } from './version.js';

const FLUSH_DELAY_MS = 500;
const SEND_TIMEOUT_MS = 4000;
const MAX_BATCH = 100;

/** Scalar facts an event may carry. */
export type EventMeta = Record<string, string | number | boolean | undefined>;

interface QueuedEvent {
  type: string;
  ts_client: number;
  meta: EventMeta;
}

/** The telemetry of one prodmcp process. */
export class Telemetry {
  private sessionIdCache?: string;
  private deviceIdCache?: string;
  private queue: QueuedEvent[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private api?: ApiClient;

  constructor(readonly enabled: boolean, private readonly state: StateDir) {}

  /** Connects the client the batches go out with (the configured server, never another). */
  attach(api: ApiClient): void {
    this.api = api;
  }

  /** One id per process, like the reference client's session id. */
  get sessionId(): string {
    // globalThis.crypto, not node:crypto: a static import would load crypto at every start-up.
    return (this.sessionIdCache ??= globalThis.crypto.randomUUID());
  }

  /** The anonymous device id from device.json, created on first use. */
  deviceId(): string {
    if (this.deviceIdCache) return this.deviceIdCache;
    const saved = this.state.read(STATE_FILES.device).device_id;
    if (typeof saved === 'string' && saved.length >= 32) return (this.deviceIdCache = saved);
    const fresh = globalThis.crypto.randomUUID();
    try {
      this.state.write(STATE_FILES.device, { device_id: fresh });
    } catch {
      // an unwritable home directory must not break anything: the id then lives for this process
    }
    return (this.deviceIdCache = fresh);
  }

  /** The analytics headers of API calls; none when telemetry is off. */
  headers(): Record<string, string> {
    if (!this.enabled) return {};
    return {
      'x-analytics-device-id': this.deviceId(),
      'x-analytics-session-id': this.sessionId,
      'x-mcp-channel': 'mcp',
      'x-mcp-version': VERSION,
    };
  }

  /** Queues an event; it goes out with the next batch. */
  track(eventType: string, meta: EventMeta = {}): void {
    if (!this.enabled || !this.api) return;
    const clean: EventMeta = {};
    for (const [key, value] of Object.entries(meta)) if (value !== undefined) clean[key] = value;
    this.queue.push({ type: eventType, ts_client: Math.floor(Date.now() / 1000), meta: clean });
    if (this.queue.length >= MAX_BATCH) this.flushSoon(0);
    else this.flushSoon(FLUSH_DELAY_MS);
  }

  /** Sends what is queued and waits for the batches in flight, at most `budgetMs`. */
  async flush(budgetMs = 1000): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.send();
    if (this.inFlight.size === 0) return;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, budgetMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]).then(() => undefined), timeout]);
  }

  private flushSoon(delayMs: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, delayMs);
    this.timer.unref();
  }

  private send(): void {
    if (!this.api || this.queue.length === 0) return;
    const events = this.queue.splice(0, MAX_BATCH);
    const body = {
      device_id: this.deviceId(),
      session_id: this.sessionId,
      events,
      meta: { channel: 'mcp', mcp_version: VERSION, command_name: COMMAND_NAME, os: `${type()} ${release()}`, node: process.versions.node },
    };
    const sending = this.api
      .call('POST', '/xapi2/analytics/track', { body, auth: false, timeoutMs: SEND_TIMEOUT_MS, redirects: 'none' })
      .then(() => undefined, () => undefined)
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
    if (this.queue.length > 0) this.flushSoon(0);
  }
}
