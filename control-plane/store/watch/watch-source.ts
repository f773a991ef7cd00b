// Where the hub reads the past: the MVCC's kept history. Rules the hub relies on:
// - currentRevision() is the revision of the last applied write; the hub is told of every write
//   through notify() after it is applied, so the source is never behind the hub.
// - eventsFrom(start, ...) returns whole revisions with revision >= start, in order, or
//   'compacted' when start is below the compact revision; exactly MvccStore.eventsFrom.
// The in-memory twin is the MvccStore itself (pure, no I/O).

import type { HistoryResult, MvccStore } from '../mvcc/index.js';

export interface WatchSource {
  currentRevision(): number;
  eventsFrom(start: number, key: Uint8Array, rangeEnd: Uint8Array, limit: number): HistoryResult;
}

/** A WatchSource reading an MvccStore (restore() replaces its state in place, so one source
 * serves for the store's whole life). */
export function mvccWatchSource(store: MvccStore): WatchSource {
  return {
    currentRevision: () => store.revision,
    eventsFrom: (start, key, rangeEnd, limit) => store.eventsFrom(start, key, rangeEnd, limit),
  };
}
