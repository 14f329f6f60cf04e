/**
 * A cache of credential lookups (token → token row and member context), so an authenticated request
 * costs one read (its data) instead of three.
 *
 * Coherence comes from a generation number, not from timing: a lookup remembers the generation it
 * started in, and an entry serves only while the generation is unchanged. The store bumps it after
 * committing any change to tokens, sessions, memberships or users, and (PostgreSQL) when another
 * instance announces such a change through NOTIFY. A lookup racing a change therefore never serves
 * the row it read before the change. Entries also expire after `ttlMs`, a bound for the one case the
 * generation cannot see: a NOTIFY lost on a connection that looks alive. The store says when it can
 * vouch for its generation at all (PostgreSQL: only while its LISTEN connection is up); otherwise
 * nothing is cached.
 */
import type { CredentialRecord } from './types.js';

interface Entry {
  generation: number;
  expiresAt: number;
  record: CredentialRecord;
}

export interface CredentialCacheOptions {
  /** How long an entry may serve at most (ms). */
  ttlMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
}

export class CredentialCache {
  private generation = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(options: CredentialCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The record for a token hash: from the cache when it is still current, else from `load` (a miss
   * is never cached: unknown tokens always go to the database). `usable` false bypasses the cache.
   */
  async get(tokenHash: string, usable: boolean, load: () => Promise<CredentialRecord | undefined>): Promise<CredentialRecord | undefined> {
    if (!usable) return load();
    const now = Date.now();
    const hit = this.entries.get(tokenHash);
    if (hit && hit.generation === this.generation && hit.expiresAt > now) return hit.record;
    const generation = this.generation;
    const record = await load();
    if (record && generation === this.generation) {
      this.entries.delete(tokenHash);
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(tokenHash, { generation, expiresAt: now + this.ttlMs, record });
    } else if (!record) {
      this.entries.delete(tokenHash);
    }
    return record;
  }

  /** A personal access token's `last_used_at` was written: cached copies follow. */
  touched(tokenId: string, at: string): void {
    for (const entry of this.entries.values()) {
      if (entry.record.kind === 'pat' && entry.record.token.id === tokenId) {
        entry.record = { ...entry.record, token: { ...entry.record.token, last_used_at: at } };
      }
    }
  }

  /** Some credential or membership changed (here after commit, or on another instance): forget everything. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Entries held (tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }
}
