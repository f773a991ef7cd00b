// The synced watchers, indexed for matching one revision's events: single-key watchers in a map
// by key, range watchers in a list tested one by one (few in practice: the API server watches one
// prefix per resource). Iteration orders are insertion orders, so matching is deterministic.

import type { Event } from '../mvcc/index.js';
import { binaryString, inWatchRange } from './watch-range.js';
import type { WatchRange } from './watch-range.js';

export interface Ranged {
  readonly range: WatchRange;
}

export class WatcherGroup<W extends Ranged> {
  private readonly byKey = new Map<string, Set<W>>();
  private readonly ranges = new Set<W>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(w: W): boolean {
    const k = w.range.singleKey;
    return k === undefined ? this.ranges.has(w) : (this.byKey.get(k)?.has(w) ?? false);
  }

  add(w: W): void {
    const k = w.range.singleKey;
    if (k === undefined) {
      this.ranges.add(w);
    } else {
      let set = this.byKey.get(k);
      if (set === undefined) this.byKey.set(k, (set = new Set()));
      set.add(w);
    }
    this.count++;
  }

  /** Removes w; false if it was not in the group. */
  delete(w: W): boolean {
    const k = w.range.singleKey;
    let removed: boolean;
    if (k === undefined) {
      removed = this.ranges.delete(w);
    } else {
      const set = this.byKey.get(k);
      removed = set?.delete(w) ?? false;
      if (set !== undefined && set.size === 0) this.byKey.delete(k);
    }
    if (removed) this.count--;
    return removed;
  }

  /** Each watcher that one of the events concerns, with those events in their order. */
  match(events: readonly Event[]): Map<W, Event[]> {
    const out = new Map<W, Event[]>();
    if (this.count === 0) return out;
    const add = (w: W, ev: Event): void => {
      const list = out.get(w);
      if (list === undefined) out.set(w, [ev]);
      else list.push(ev);
    };
    for (const ev of events) {
      if (this.byKey.size > 0) {
        const set = this.byKey.get(binaryString(ev.kv.key));
        if (set !== undefined) for (const w of set) add(w, ev);
      }
      for (const w of this.ranges) if (inWatchRange(w.range, ev.kv.key)) add(w, ev);
    }
    return out;
  }

  *[Symbol.iterator](): IterableIterator<W> {
    for (const set of this.byKey.values()) yield* set;
    yield* this.ranges;
  }
}
