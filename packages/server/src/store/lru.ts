/**
 * A small least-recently-used map: a Map in use order (oldest first), trimmed to `max` entries.
 * The stores keep their prepared statements in these, so the number of distinct list-query shapes
 * a client can send never grows the process (or, on PostgreSQL, a connection) without bound.
 */
/**
 * Prepared statements a store keeps (SQLite: in the process; PostgreSQL: per connection, in the
 * server). The code's own statements number about a hundred; the rest are list shapes.
 */
export const STATEMENT_CACHE_SIZE = 256;

/** An entry and when it was last used (a tick of its LRU). */
interface Slot<V> {
  value: V;
  used: number;
}

/**
 * A use is a stamp on the entry, not a move within the Map: a hit (every statement of every request)
 * then costs one lookup instead of a delete and a re-insert, which also left the Map's table full of
 * holes to rehash. Only `set` beyond `max` looks for the least recently used entry, and it follows a
 * cache miss (a statement to prepare, a text to rewrite), which costs far more than the scan.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  private tick = 0;

  /** `onEvict` hears of each entry pushed out by `set` (not of `delete`). */
  constructor(readonly max: number, private readonly onEvict?: (key: K, value: V) => void) {
    if (!(max >= 1)) throw new Error('an LRU holds at least one entry');
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    slot.used = ++this.tick;
    return slot.value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Adds or refreshes an entry as the most recently used, evicting the oldest beyond `max`. */
  set(key: K, value: V): void {
    const slot = this.map.get(key);
    if (slot !== undefined) {
      slot.value = value;
      slot.used = ++this.tick;
      return;
    }
    this.map.set(key, { value, used: ++this.tick });
    while (this.map.size > this.max) {
      let oldKey: K | undefined;
      let oldest: Slot<V> | undefined;
      for (const [k, s] of this.map) {
        if (oldest === undefined || s.used < oldest.used) {
          oldKey = k;
          oldest = s;
        }
      }
      if (oldest === undefined) return;
      this.map.delete(oldKey as K);
      this.onEvict?.(oldKey as K, oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Keys, least recently used first. */
  keys(): IterableIterator<K> {
    return [...this.map].sort((a, b) => a[1].used - b[1].used).map(([k]) => k)[Symbol.iterator]();
  }

  get size(): number {
    return this.map.size;
  }
}
