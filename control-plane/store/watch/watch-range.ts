// The key range of a watcher, in etcd's watch conventions (etcd 3.4 v3rpc + mvcc.watchStream):
// - an empty key means "\0", the smallest key (so key "" with range_end "\0" is every key);
// - an empty range_end: only the key itself;
// - range_end "\0": every key >= key;
// - otherwise [key, range_end), which must not be empty: key < range_end, else
//   EmptyWatcherRangeError. (The MVCC's own range conventions are the same, so a WatchRange's
//   key and rangeEnd can be handed to MvccStore.eventsFrom as they are.)

import { compareBytes, EMPTY_BYTES, inRange } from '../mvcc/index.js';
import { EmptyWatcherRangeError } from './errors.js';

export interface WatchRange {
  readonly key: Uint8Array;
  /** EMPTY_BYTES for a single key, [0] for every key >= key, else the exclusive end. */
  readonly rangeEnd: Uint8Array;
  /** The single key as a binary string (one char per byte), for map lookups; undefined for ranges. */
  readonly singleKey: string | undefined;
}

export type WatchRangeResult =
  | { readonly ok: true; readonly range: WatchRange }
  | { readonly ok: false; readonly error: EmptyWatcherRangeError };

const ZERO = new Uint8Array([0]);

export function watchRange(key: Uint8Array, rangeEnd: Uint8Array | undefined): WatchRangeResult {
  const k = key.length === 0 ? ZERO : key.slice();
  if (rangeEnd === undefined || rangeEnd.length === 0) {
    return { ok: true, range: { key: k, rangeEnd: EMPTY_BYTES, singleKey: binaryString(k) } };
  }
  if (isZeroEnd(rangeEnd)) return { ok: true, range: { key: k, rangeEnd: ZERO, singleKey: undefined } };
  if (compareBytes(k, rangeEnd) >= 0) return { ok: false, error: new EmptyWatcherRangeError(k, rangeEnd.slice()) };
  return { ok: true, range: { key: k, rangeEnd: rangeEnd.slice(), singleKey: undefined } };
}

export function inWatchRange(r: WatchRange, key: Uint8Array): boolean {
  return inRange(key, r.key, r.rangeEnd);
}

function isZeroEnd(end: Uint8Array): boolean {
  return end.length === 1 && end[0] === 0;
}

/** One char (code unit 0..255) per byte: equal keys give equal strings. */
export function binaryString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}
