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

export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  /** `onEvict` hears of each entry pushed out by `set` (not of `delete`). */
  constructor(readonly max: number, private readonly onEvict?: (key: K, value: V) => void) {
    if (!(max >= 1)) throw new Error('an LRU holds at least one entry');
  }

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Adds or refreshes an entry as the most recently used, evicting the oldest beyond `max`. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) {
      const [oldKey, oldValue] = this.map.entries().next().value as [K, V];
      this.map.delete(oldKey);
      this.onEvict?.(oldKey, oldValue);
    }
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** Keys, least recently used first. */
  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  get size(): number {
    return this.map.size;
  }
}
