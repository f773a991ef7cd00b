// Shared by the watch tests: a seeded RNG, a store whose writes are notified to a hub, readable
// deliveries, and a bounded wait.
import { MvccStore } from '../../control-plane/store/mvcc/index.js';
import type { Event } from '../../control-plane/store/mvcc/index.js';
import { mvccWatchSource, WatchHub } from '../../control-plane/store/watch/index.js';
import type { WatchDelivery, WatchHubConfig } from '../../control-plane/store/watch/index.js';
import { b, eventText, unwrap } from './helpers/mvcc.js';
import { seededRng as seeded } from '../support/random.js';
export { seeded };


/** An MVCC store whose every write is notified to a hub, as the store server does after apply. */
export class Notified {
  readonly store = new MvccStore();
  readonly hub: WatchHub;
  /** Every write's revision and events, in order (the truth watchers are checked against). */
  readonly log: { revision: number; events: readonly Event[] }[] = [];

  constructor(config: Omit<WatchHubConfig, 'source'> = {}) {
    this.hub = new WatchHub({ ...config, source: mvccWatchSource(this.store) });
  }

  put(key: string, value: string): number {
    return this.record(unwrap(this.store.put({ key: b(key), value: b(value) })));
  }

  del(key: string, rangeEnd?: string): number {
    return this.record(unwrap(this.store.deleteRange({ key: b(key), ...(rangeEnd === undefined ? {} : { rangeEnd: b(rangeEnd) }) })));
  }

  /** Several puts in one txn: one revision, several events. */
  puts(kvs: [string, string][]): number {
    return this.record(unwrap(this.store.txn({ success: kvs.map(([k, v]) => ({ type: 'put' as const, put: { key: b(k), value: b(v) } })) })));
  }

  private record(r: { revision: number; events: readonly Event[] }): number {
    if (r.events.length > 0) this.log.push({ revision: r.revision, events: r.events });
    this.hub.notify(r.revision, r.events);
    return r.revision;
  }
}

/** "rev N: PUT k=v@... prev ..; ..." or "compacted at N". */
export function deliveryText(d: WatchDelivery): string {
  return d.type === 'compacted' ? `compacted at ${d.compactRevision}` : `rev ${d.revision}: ${d.events.map(eventText).join('; ')}`;
}

/** Pulls a watcher until it has nothing (bounded). */
export function drain(w: { next(): WatchDelivery | undefined }, max = 100_000): WatchDelivery[] {
  const out: WatchDelivery[] = [];
  for (let i = 0; i < max; i++) {
    const d = w.next();
    if (d === undefined) return out;
    out.push(d);
  }
  throw new Error(`watcher still had deliveries after ${max} pulls`);
}

/** Waits until cond() holds, polling every 5 ms, for at most ms. */
export async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
