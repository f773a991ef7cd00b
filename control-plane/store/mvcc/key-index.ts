// The key index: a B+ tree (sorted-btree) from binary-string keys (see bytes.ts) to key
// histories, scanned in byte order with etcd's range conventions.

import btreeModule from 'sorted-btree';
import type { KeyRange } from './bytes.js';
import type { KeyHistory } from './key-history.js';

const BTree = btreeModule.default;
export type KeyIndex = InstanceType<typeof BTree<string, KeyHistory>>;

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function newKeyIndex(): KeyIndex {
  return new BTree<string, KeyHistory>(undefined, compareStrings);
}

/** Returned from a sorted-btree range callback to stop the scan. */
const BREAK = { break: true } as const;

/** Calls visit for every key of the range present in the index (deleted or not), in byte
 * order, until visit returns false. */
export function scanIndex(index: KeyIndex, range: KeyRange, visit: (k: string, h: KeyHistory) => boolean): void {
  if (range.single) {
    const h = index.get(range.start);
    if (h !== undefined) visit(range.start, h);
    return;
  }
  const high = range.end ?? index.maxKey();
  if (high === undefined || high < range.start) return;
  index.forRange(range.start, high, range.end === undefined, (k, h) => (visit(k, h) ? undefined : BREAK));
}
