// Splitting one large WatchResponse into fragments, for watchers created with fragment=true
// (etcd 3.4's sendFragments): if the encoded response is at least maxBytes and has two or more
// events, send it as several responses with fragment=true on all but the last, each holding as
// many events as fit below maxBytes (at least one, however large). The client joins them.

import type { Event } from '../../../proto/gen/etcd/mvccpb/kv.js';
import { WatchResponse } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { eventFieldBytes, roughEventBytes } from './response-size.js';

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
