/**
 * Creates that carry an Idempotency-Key (objects and comments): within the window, a retry with the
 * same key and the same request answers with the first result instead of creating again; the same
 * key with another request is a 422. Keys belong to the caller (workspace and user).
 */
import { createHash } from 'node:crypto';
import { AppError } from '@prodboard/shared';
import type { Actor } from '../context.js';
import { IDEMPOTENCY_WINDOW_MS } from '../store/sweeper.js';
import type { StoreTx } from '../store/types.js';
import { JsonText, type Outcome } from './operation.js';

/** An Idempotency-Key as given, or a 400. */
export function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 200 characters (a UUID is ideal)', { errors: [{ field: 'Idempotency-Key', message: 'must be 1-200 characters' }] });
  }
  return key;
}

/**
 * Runs `create` in `tx` unless `key` already answered the same `request` (any text that names what
 * is created: a fingerprint of it is kept), in which case the first answer is replayed. `request` is
 * called only with a key: most creates carry none, and need not serialise their fields for it.
 */
export async function createOnce<O>(tx: StoreTx, actor: Actor, key: string | undefined, request: () => string, create: () => Promise<Outcome<O>>): Promise<Outcome<O>> {
  if (!key) return create();
  const requestHash = createHash('sha256').update(request()).digest('hex');
  // A retry racing the first attempt (possibly on another instance) waits for it, then replays it.
  await tx.lockKey(`idempotency:${actor.workspace.id}:${actor.user.id}:${key}`);
  const prior = await tx.getIdempotency(actor.workspace.id, actor.user.id, key);
  if (prior && Date.parse(prior.created_at) > Date.now() - IDEMPOTENCY_WINDOW_MS) {
    if (prior.request_hash !== requestHash) {
      throw new AppError('unprocessable', 'this Idempotency-Key was already used for a different request; use a new key for a new object');
    }
    return { output: new JsonText<O>(prior.response), replayed: true };
  }
  if (prior) await tx.pruneIdempotency(new Date(Date.now() - IDEMPOTENCY_WINDOW_MS).toISOString());
  const created = await create();
  await tx.putIdempotency(actor.workspace.id, actor.user.id, key, {
    request_hash: requestHash, status: 201, response: created.output instanceof JsonText ? created.output.text : JSON.stringify(created.output), created_at: new Date().toISOString(),
  });
  return created;
}
