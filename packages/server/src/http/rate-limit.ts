/**
 * A fixed-window counter per key, in memory: for per-instance limits such as telemetry intake.
 * (Login limits live in the store so they hold across instances.)
 */
import { AppError } from '@prodboard/shared';

/** Allows `limit` hits per key per `windowMs`; the map is swept as windows pass. */
export class WindowLimiter {
  private windowStart = Date.now();
  private counts = new Map<string, number>();

  constructor(private readonly limit: number, private readonly windowMs: number) {}

  /** Counts a hit, or throws 429 with Retry-After when the key is over its limit. */
  hit(key: string, what: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.counts.clear();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    if (count > this.limit) {
      const retryAfter = (this.windowStart + this.windowMs - now) / 1000;
      throw new AppError('rate_limited', `too many ${what}; wait ${Math.ceil(retryAfter)} s before sending more`, { retryAfter });
    }
  }
}
