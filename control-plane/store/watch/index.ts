// The watch layer of the cluster store: the hub (which watchers see which revisions, from
// history or live) and etcd's v3 Watch gRPC service on top of it.
//
// Wiring in the store server (one hub per member, fed by that member's own apply loop):
//   const hub = new WatchHub({ source: mvccWatchSource(mvcc) });
//   server.addService(WatchService, createWatchService({ hub, header, hasLeader, signal }));
//   // after each committed command is applied, in log order (no-op for commands that took
//   // no revision; refused commands changed nothing and need no call):
//   const r = mvcc.apply(cmd); if (r.ok) hub.notify(r.value.revision, r.value.events);
//   // after installing a Raft snapshot:
//   mvcc.restore(bytes); hub.restored();

export { WatchHub, DEFAULT_HISTORY_BATCH_EVENTS, DEFAULT_MAX_BUFFERED_EVENTS } from './watch-hub.js';
export type { WatchHubConfig, WatchHubStats, WatchResult, WatchSpec } from './watch-hub.js';
export type { WatchDelivery, Watcher, WatcherOptions, WatcherState } from './watcher.js';
export { mvccWatchSource } from './watch-source.js';
export type { WatchSource } from './watch-source.js';
export { inWatchRange, watchRange } from './watch-range.js';
export type { WatchRange, WatchRangeResult } from './watch-range.js';
export { DuplicateWatchIdError, EmptyWatcherRangeError, WatchBug, WatchError, WatchErrorCode } from './errors.js';
export { WatchStream } from './watch-stream.js';
export type { WatchStreamConfig, WatchStreamIo } from './watch-stream.js';
export { fragmentResponse } from './fragment.js';
export { createWatchService, DEFAULT_FRAGMENT_BYTES, DEFAULT_PROGRESS_NOTIFY_INTERVAL_MS } from './watch-service.js';
export type { WatchServiceConfig } from './watch-service.js';
