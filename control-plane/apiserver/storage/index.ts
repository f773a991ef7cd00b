// The API server's storage layer: the Storage seam, its etcd v3 implementation, the in-memory
// twin, and the watch cache that fans one store watch out to every API watcher.
export { StorageError, StorageErrorCode } from './storage.js';
export type {
  ListOptions,
  ListResult,
  Storage,
  StoredValue,
  StorageWatch,
  StorageWatchEvent,
  StorageWatchHandlers,
  WatchEventType,
} from './storage.js';
export { EtcdStorage } from './etcd-storage.js';
export type { EtcdStorageOptions } from './etcd-storage.js';
export type { FailoverInfo } from './etcd-endpoints.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { MemoryStorage } from './memory-storage.js';
export { compareKeys } from './keys.js';
export { WatchCache, WatchCacheError, WatchCacheErrorCode } from './watch-cache.js';
export type {
  CachedObject,
  CacheListOptions,
  CacheListResult,
  CacheWatch,
  CacheWatchEvent,
  CacheWatchEventType,
  CacheWatchHandlers,
  CacheWatchOptions,
  WatchCacheOptions,
} from './watch-cache.js';
