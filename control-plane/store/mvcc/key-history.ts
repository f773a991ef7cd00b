// The kept revisions of one key, oldest first.
//
// Invariants: (modRevision, sub) strictly increases along `revs`. A key usually changes at most
// once per revision; the txns etcd's duplicate-key check lets through (see validate.ts) can
// change it several times in one revision, leaving several entries with the same modRevision.
// subs[i] is revs[i]'s sub-revision, its position among the changes of that revision.

import type { KeyValue } from './types.js';

export interface KeyHistory {
  /** The key bytes, shared by every KeyValue of this key. */
  readonly key: Uint8Array;
  readonly revs: KeyValue[];
  readonly subs: number[];
}

/** Per-revision bookkeeping cost counted in the size estimate, besides key and value bytes. */
export const REVISION_OVERHEAD_BYTES = 64;

export function isTombstone(kv: KeyValue): boolean {
  return kv.createRevision === 0;
}

/** Index of the newest revision <= rev, or -1. */
export function indexAt(h: KeyHistory, rev: number): number {
  const revs = h.revs;
  let hi = revs.length - 1;
  if (hi < 0) return -1;
  if (revs[hi]!.modRevision <= rev) return hi;
  let lo = 0;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (revs[mid]!.modRevision <= rev) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The key's value at rev, or undefined if it did not exist then. */
export function liveAt(h: KeyHistory, rev: number): KeyValue | undefined {
  const i = indexAt(h, rev);
  if (i < 0) return undefined;
  const kv = h.revs[i]!;
  return isTombstone(kv) ? undefined : kv;
}

/** The key's newest value, or undefined if it is deleted. */
export function liveNow(h: KeyHistory): KeyValue | undefined {
  const kv = h.revs[h.revs.length - 1];
  return kv === undefined || isTombstone(kv) ? undefined : kv;
}

export function revisionBytes(h: KeyHistory, kv: KeyValue): number {
  return REVISION_OVERHEAD_BYTES + kv.value.length + (kv === h.revs[0] ? h.key.length : 0);
}

/**
 * Drops what no read at a revision >= compactRev and no event at a revision >= compactRev
 * needs: every revision older than the newest one <= compactRev, and that one too if it is a
 * tombstone older than compactRev. (A tombstone exactly at compactRev stays, so a watch that
 * starts at compactRev still sees the delete.) Returns the estimated bytes freed; the history
 * is empty afterwards if the key should leave the index.
 */
export function compactHistory(h: KeyHistory, compactRev: number): number {
  const i = indexAt(h, compactRev);
  if (i < 0) return 0;
  const kv = h.revs[i]!;
  let drop = i + 1;
  if (!isTombstone(kv) || kv.modRevision === compactRev) {
    // Keep revision i and any earlier change of the same revision (its events stay whole).
    drop = i;
    while (drop > 0 && h.revs[drop - 1]!.modRevision === kv.modRevision) drop--;
  }
  if (drop === 0) return 0;
  let freed = 0;
  for (let j = 0; j < drop; j++) freed += REVISION_OVERHEAD_BYTES + h.revs[j]!.value.length;
  if (drop === h.revs.length) freed += h.key.length;
  h.revs.splice(0, drop);
  h.subs.splice(0, drop);
  return freed;
}
