/**
 * Token expiry input: `30d`, `12h`, `45m`, `2w`, an ISO 8601 date, or `never`. Anything else,
 * including an empty string or a zero duration, is a 400: a typo must not mint a credential that
 * never expires or one that is expired already.
 */
import { AppError, clipEcho, isIso8601 } from '@prodboard/shared';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

const DURATION_OR_DATE = 'use a duration such as 30d, 12h or 90m, or an ISO date such as 2027-01-31';

/**
 * The expiry time as ISO 8601, or null for never (`never`, or no value at all). With
 * `{ never: false }` (invite links) an expiry is required and `never` is refused.
 */
export function parseExpiry(spec: string | undefined | null, now = Date.now(), { never = true } = {}): string | null {
  const fix = never ? `${DURATION_OR_DATE}, or never` : `${DURATION_OR_DATE}; invite links always expire`;
  const invalid = (detail: string, short: string) => new AppError('validation_failed', `expires ${detail}; ${fix}`, { errors: [{ field: 'expires', message: short }] });
  if (spec === undefined || spec === null || spec === 'never') {
    if (never) return null;
    throw invalid('is required', 'required');
  }
  const text = spec.trim();
  if (text === '') throw invalid('is empty', 'empty');
  const m = /^(\d{1,5})([mhdw])$/.exec(text);
  if (m) {
    if (Number(m[1]) === 0) throw invalid(`"${text}" has already passed`, 'must be at least 1m');
    return new Date(now + Number(m[1]) * UNITS[m[2]]).toISOString();
  }
  const at = isIso8601(text) ? Date.parse(text) : NaN;
  if (Number.isFinite(at)) {
    if (at <= now) throw invalid(`${text} is in the past; give a future date or a duration`, 'in the past');
    return new Date(at).toISOString();
  }
  throw invalid(`"${clipEcho(text)}" is not understood`, 'use 30d, 12h, 90m or an ISO date');
}
