/**
 * Keeping local copies of objects in step with the server: the copy with the higher version wins,
 * so responses, list pages and live events can arrive in any order and still agree.
 */
/** True when `incoming` should replace `current` (it is newer, or there is nothing yet). */
export function isNewer(incoming: { version: number }, current: { version: number } | undefined): boolean {
  return !current || incoming.version > current.version;
}

/** A new id for an Idempotency-Key, so a retried create never makes a duplicate. */
export function newKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
