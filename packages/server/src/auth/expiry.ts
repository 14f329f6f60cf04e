/**
 * Token expiry input: `30d`, `12h`, `45m`, an ISO 8601 date, or `never`.
 */
import { AppError } from '@prodboard/shared';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** The expiry time as ISO 8601, or null for never. */
export function parseExpiry(spec: string | undefined | null, now = Date.now()): string | null {
  if (spec === undefined || spec === null || spec === '' || spec === 'never') return null;
  const m = /^(\d{1,5})([mhdw])$/.exec(spec.trim());
  if (m) return new Date(now + Number(m[1]) * UNITS[m[2]]).toISOString();
  const at = Date.parse(spec);
  if (!Number.isNaN(at) && /^\d{4}-\d{2}-\d{2}/.test(spec)) {
    if (at <= now) throw new AppError('validation_failed', `expires ${spec} is in the past; give a future date or a duration such as 30d`, { errors: [{ field: 'expires', message: 'in the past' }] });
    return new Date(at).toISOString();
  }
  throw new AppError('validation_failed', `expires "${spec}" is not understood; use a duration such as 30d, 12h or 90m, an ISO date such as 2027-01-31, or never`, {
    errors: [{ field: 'expires', message: 'use 30d, 12h, 90m, an ISO date, or never' }],
  });
}
