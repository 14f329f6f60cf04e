// The statement caches' LRU: a hit marks the entry used (a stamp, not a move), and eviction still
// takes the least recently used entry, as the statement caches rely on (store.test.ts bounds them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Lru } from '../src/store/lru.js';

describe('Lru', () => {
  test('evicts the least recently used entry, counting gets and sets as uses', () => {
    const evicted: Array<[string, number]> = [];
    const lru = new Lru<string, number>(3, (k, v) => evicted.push([k, v]));
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    assert.equal(lru.get('a'), 1); // a is now the most recent: b is the oldest
    lru.set('d', 4);
    assert.deepEqual(evicted, [['b', 2]]);
    lru.set('c', 30); // a refresh of c, no eviction
    assert.deepEqual(evicted, [['b', 2]]);
    assert.deepEqual([...lru.keys()], ['a', 'd', 'c']);
    lru.set('e', 5);
    assert.deepEqual(evicted, [['b', 2], ['a', 1]]);
    assert.equal(lru.get('a'), undefined);
    assert.equal(lru.get('c'), 30);
    assert.equal(lru.size, 3);
    assert.deepEqual([...lru.keys()], ['d', 'e', 'c']);
  });

  test('a miss changes nothing; delete forgets without telling onEvict', () => {
    const evicted: string[] = [];
    const lru = new Lru<string, number>(2, (k) => evicted.push(k));
    lru.set('a', 1);
    assert.equal(lru.get('zz'), undefined);
    assert.equal(lru.has('zz'), false);
    assert.equal(lru.delete('a'), true);
    assert.equal(lru.size, 0);
    assert.deepEqual(evicted, []);
    assert.throws(() => new Lru(0), /at least one entry/);
  });

  test('an unbounded LRU keeps everything and lists it least recently used first', () => {
    const lru = new Lru<string, true>(Number.POSITIVE_INFINITY);
    for (const k of ['x', 'y', 'z']) lru.set(k, true);
    lru.get('x');
    assert.deepEqual([...lru.keys()], ['y', 'z', 'x']);
  });
});
