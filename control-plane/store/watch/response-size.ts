// Sizes of watch events on the wire: exact (for fragmenting) and a cheap upper bound (for
// deciding whether exact sizing is needed, and for bounding batched responses).

import { Event } from '../../../proto/gen/etcd/mvccpb/kv.js';

/** Bytes one event adds to a WatchResponse: field 11 is length-delimited (a one-byte tag, the
 * length as a varint, the encoded event). */
export function eventFieldBytes(ev: Event): number {
  const n = Event.encode(ev).finish().length;
  return 1 + varintBytes(n) + n;
}

/** An upper bound of eventFieldBytes that needs no encoding. */
export function roughEventBytes(ev: Event): number {
  const kv = (x: Event['kv']): number => (x === undefined ? 0 : x.key.length + x.value.length + 64);
  return kv(ev.kv) + kv(ev.prevKv) + 16;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}
