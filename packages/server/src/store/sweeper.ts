/**
 * The periodic sweep: deletes what would otherwise pile up forever, on either store.
 *
 * - idempotency keys (each holding a full response) once their replay window has passed;
 * - sessions once expired (they no longer authenticate anyway);
 * - login failures older than the rate-limit window;
 * - telemetry beyond its bound (inserts trim it too; this catches a lowered bound).
 *
 * The server runs one on an unref'd timer (started when it is ready, stopped when it closes); the
 * clock is injected, and `sweepNow` can be called directly. Each store call deletes at most `batch`
 * rows per table and the sweep yields between calls, so a large backlog never holds the database
 * (or, on SQLite, the event loop) for long.
 */
import type { Store, SweepCounts } from './types.js';

/** How long an Idempotency-Key replays its response (routes/data.ts keeps the same 24 hours). */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** How often the server sweeps. */
export const SWEEP_INTERVAL_MS = 10 * 60_000;

export interface SweeperOptions {
  /** Idempotency keys are kept this long (at least the replay window). */
  idempotencyTtlMs?: number;
  /** Login failures are kept this long (the rate-limit window). */
  loginWindowMs: number;
  /** Telemetry events kept. */
  analyticsKeep: number;
  intervalMs?: number;
  /** Rows per table per store call. */
  batch?: number;
  /** The clock (ms since the epoch). */
  now?: () => number;
  /** Told of a sweep that failed (the next one tries again). */
  onError?: (err: unknown) => void;
}

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepCounts> | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: SweeperOptions,
  ) {}

  /** Sweeps now, until nothing is left beyond the limits; a sweep already under way is joined. */
  sweepNow(): Promise<SweepCounts> {
    this.running ??= this.sweep().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<SweepCounts> {
    const { options } = this;
    const now = (options.now ?? Date.now)();
    const limits = {
      idempotencyBefore: new Date(now - (options.idempotencyTtlMs ?? IDEMPOTENCY_WINDOW_MS)).toISOString(),
      sessionsExpiredBefore: new Date(now).toISOString(),
      loginFailuresBefore: now - options.loginWindowMs,
      analyticsKeep: options.analyticsKeep,
      batch: options.batch ?? 1000,
    };
    const total: SweepCounts = { idempotency: 0, sessions: 0, loginFailures: 0, analytics: 0, oauth: 0, passwordResets: 0 };
    for (;;) {
      const counts = await this.store.sweep(limits);
      let full = false;
      for (const key of Object.keys(total) as Array<keyof SweepCounts>) {
        total[key] += counts[key];
        if (counts[key] >= limits.batch) full = true;
      }
      if (!full) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Sweeps every `intervalMs` (not keeping the process alive) until `stop`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sweepNow().catch((err) => this.options.onError?.(err));
    }, this.options.intervalMs ?? SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** The timer, while started (tests: it is unref'd, and gone after stop). */
  get scheduled(): NodeJS.Timeout | undefined {
    return this.timer;
  }
}
