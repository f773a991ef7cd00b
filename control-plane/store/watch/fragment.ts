// Splitting one large WatchResponse into fragments, for watchers created with fragment=true
// (etcd 3.4's sendFragments): if the encoded response is at least maxBytes and has two or more
// events, send it as several responses with fragment=true on all but the last, each holding as
// many events as fit below maxBytes (at least one, however large). The client joins them.

import { Event } from '../../../proto/gen/etcd/mvccpb/kv.js';
import { WatchResponse } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';

/** Field 11 (events) is length-delimited: a one-byte tag, the length as a varint, the bytes. */
function eventFieldBytes(ev: Event): number {
  const n = Event.encode(ev).finish().length;
  return 1 + varintBytes(n) + n;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/** An upper bound of an event's encoded size that needs no encoding. */
function roughEventBytes(ev: Event): number {
  const kv = (x: Event['kv']): number => (x === undefined ? 0 : x.key.length + x.value.length + 64);
  return kv(ev.kv) + kv(ev.prevKv) + 16;
}

export function fragmentResponse(resp: WatchResponse, maxBytes: number): WatchResponse[] {
  const events = resp.events;
  if (events.length < 2) return [resp];
  let rough = 256;
  for (const ev of events) rough += roughEventBytes(ev);
  if (rough < maxBytes) return [resp];
  const sizes = events.map(eventFieldBytes);
  const base = WatchResponse.encode({ ...resp, events: [] }).finish().length;
  if (base + sizes.reduce((a, b) => a + b, 0) < maxBytes) return [resp];
  const fragBase = WatchResponse.encode({ ...resp, events: [], fragment: true }).finish().length;
  const out: WatchResponse[] = [];
  let i = 0;
  while (i < events.length) {
    const part: Event[] = [];
    let size = fragBase;
    while (i < events.length && (part.length === 0 || size + sizes[i]! < maxBytes)) {
      part.push(events[i]!);
      size += sizes[i]!;
      i++;
    }
    out.push({ ...resp, events: part, fragment: i < events.length });
  }
  return out;
}
