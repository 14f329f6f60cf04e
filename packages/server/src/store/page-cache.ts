/**
 * A cache of list pages, keyed by the query and checked against the workspace's latest activity seq.
 *
 * Every write to an object records activity in the same transaction, and activity seqs become
 * visible in commit order (PostgreSQL allocates them under a per-workspace lock; SQLite writes one
 * transaction at a time). So while a workspace's latest seq is unchanged, no object of it has
 * changed, and a page read when that seq was current is still exact. The store reads the seq first
 * and the page after, so a cached page is never older than its seq. Each request still asks the
 * database for the seq (one index lookup), which keeps several instances exact without messages.
 */
import type { JsonPage, ObjectListQuery } from './types.js';

interface Entry {
  seq: number;
  page: JsonPage;
  bytes: number;
}

/**
 * The cache key of a list query: every field, each by as little as identifies it (a filter's and the
 * sort's target follow from the type and the wire parameter, so their field definitions, most of
 * the query's JSON, are left out). The `satisfies` fails to compile when the query gains a field
 * this leaves out.
 */
export function cacheKey(q: ObjectListQuery): string {
  const parts = {
    workspaceId: q.workspaceId,
    type: q.type,
    filters: q.filters.map((f) => [f.param, f.values]),
    sort: q.sort && [q.sort.key, q.sort.desc],
    limit: q.limit,
    offset: q.offset,
    after: q.after ?? null,
    terms: q.terms,
    includeArchived: q.includeArchived,
    id: q.id ?? null,
  } satisfies { [K in keyof Required<ObjectListQuery>]: unknown };
  return JSON.stringify(parts);
}

export class PageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** The key last in `entries` (the most recently used), while known. */
  private newest: string | undefined;

  /** `maxBytes`: the pages' JSON held at most (UTF-16 code units × 2, roughly what V8 keeps); 0 turns caching off. */
  constructor(private readonly maxBytes = 32 * 2 ** 20) {}

  /** False when caching is off: the store then reads every page (and no seq). */
  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /**
   * The page of `query`, read through the cache: the seq first, then the page, so a cached page is
   * never older than its seq. With caching off, only `load` runs.
   */
  async read(query: ObjectListQuery, latestSeq: () => Promise<number>, load: () => Promise<JsonPage>): Promise<JsonPage> {
    if (!this.enabled) return load();
    return this.readAt(query, await latestSeq(), load);
  }

  /**
   * The page of `query` as of `seq` (read just before): cached when it was read at that seq, else
   * loaded and kept. `load` is called before anything is awaited.
   */
  async readAt(query: ObjectListQuery, seq: number, load: () => Promise<JsonPage>): Promise<JsonPage> {
    const key = cacheKey(query);
    const hit = this.entries.get(key);
    if (hit && hit.seq === seq) {
      // Most recently used goes last; eviction takes from the front. A page already last (the same
      // list asked again, as a busy board's clients do) stays put: no delete and re-insert per hit.
      if (this.newest !== key) {
        this.entries.delete(key);
        this.entries.set(key, hit);
        this.newest = key;
      }
      return hit.page;
    }
    const page = await load();
    const current = this.entries.get(key);
    // The key counts too: thousands of distinct queries with small pages would otherwise hold far more than maxBytes.
    if (!current || current.seq <= seq) this.put(key, { seq, page, bytes: 2 * page.items.reduce((n, item) => n + item.length, 64 + key.length) });
    return page;
  }

  /** Pages held (tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  private put(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    if (entry.bytes > this.maxBytes / 4) {
      if (this.newest === key) this.newest = undefined;
      return;
    }
    this.entries.set(key, entry);
    this.newest = key;
    this.bytes += entry.bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
      if (this.newest === k) this.newest = undefined;
    }
  }
}
