// Txn compares and range sorting over key-values, as etcd evaluates them.

import { compareBytes, EMPTY_BYTES } from './bytes.js';
import { assertNever } from './errors.js';
import { CompareResult, CompareTarget, SortOrder, SortTarget } from './types.js';
import type { Compare, KeyValue } from './types.js';

/** What a compare sees for a key that does not exist: every field zero or empty. */
export const ABSENT: KeyValue = { key: EMPTY_BYTES, createRevision: 0, modRevision: 0, version: 0, value: EMPTY_BYTES, lease: 0 };

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareKeyValue(c: Compare, kv: KeyValue): boolean {
  let result: number;
  switch (c.target) {
    case CompareTarget.VALUE:
      result = compareBytes(kv.value, c.value ?? EMPTY_BYTES);
      break;
    case CompareTarget.CREATE:
      result = compareNumbers(kv.createRevision, c.createRevision ?? 0);
      break;
    case CompareTarget.MOD:
      result = compareNumbers(kv.modRevision, c.modRevision ?? 0);
      break;
    case CompareTarget.VERSION:
      result = compareNumbers(kv.version, c.version ?? 0);
      break;
    case CompareTarget.LEASE:
      result = compareNumbers(kv.lease, c.lease ?? 0);
      break;
    default:
      return assertNever(c.target);
  }
  switch (c.result) {
    case CompareResult.EQUAL:
      return result === 0;
    case CompareResult.NOT_EQUAL:
      return result !== 0;
    case CompareResult.GREATER:
      return result > 0;
    case CompareResult.LESS:
      return result < 0;
    default:
      return assertNever(c.result);
  }
}

/** Stable sort (ties stay in key order, which keeps results deterministic). */
export function sortKeyValues(kvs: KeyValue[], target: SortTarget, order: SortOrder): void {
  let cmp: (a: KeyValue, b: KeyValue) => number;
  switch (target) {
    case SortTarget.KEY:
      cmp = (a, b) => compareBytes(a.key, b.key);
      break;
    case SortTarget.VERSION:
      cmp = (a, b) => a.version - b.version;
      break;
    case SortTarget.CREATE:
      cmp = (a, b) => a.createRevision - b.createRevision;
      break;
    case SortTarget.MOD:
      cmp = (a, b) => a.modRevision - b.modRevision;
      break;
    case SortTarget.VALUE:
      cmp = (a, b) => compareBytes(a.value, b.value);
      break;
    default:
      assertNever(target);
  }
  if (order === SortOrder.ASCEND) {
    if (target !== SortTarget.KEY) kvs.sort(cmp);
  } else {
    kvs.sort((a, b) => cmp(b, a));
  }
}

