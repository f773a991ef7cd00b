// The watch layer of the cluster store: the hub (which watchers see which revisions, from
// history or live) and etcd's v3 Watch gRPC service on top of it.

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
