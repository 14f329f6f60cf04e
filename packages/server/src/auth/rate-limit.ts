/**
 * A fixed-window counter per key, in memory: for per-instance limits such as telemetry intake.
 * (Login limits live in the store so they hold across instances.)
 */
import { AppError } from '@prodboard/shared';

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A wait in words a person reads at a glance ("1 minute", "15 minutes"), rounded up: every 429 says it so. */
export function waitInWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = Math.ceil(seconds / 60);
  return minutes < 120 ? plural(minutes, 'minute') : plural(Math.ceil(minutes / 60), 'hour');
}

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
      throw new AppError('rate_limited', `too many ${what}; try again in ${waitInWords(retryAfter * 1000)}`, { retryAfter });
    }
  }
}
