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
export type { Clock } from './etcd-endpoints.js';
export { MemoryStorage } from './memory-storage.js';
export { compareKeys } from './keys.js';
