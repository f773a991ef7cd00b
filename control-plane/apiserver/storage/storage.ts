// The API server's one seam to the cluster store. The real implementation speaks etcd's v3 gRPC
// API (so the API server runs against a Shoal store or a real etcd); an in-memory twin serves
// unit tests. Keys and values are opaque here: the registry above decides what they mean.
//
// Rules every implementation keeps:
// - Revisions are the store's: one counter for the whole keyspace, strictly increasing, and an
//   object's resourceVersion is its key's modRevision.
// - Writes are compare-and-swap: create fails if the key exists, update/delete fail if the
//   key's modRevision is not the expected one. Nothing is written when they fail.
// - A watch delivers every change after its start revision exactly once and in revision order,
//   or ends with a StorageError (e.g. 'Compacted'); it never skips silently.

export interface StoredValue {
  readonly key: string;
  readonly value: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
}

export interface ListOptions {
  /** At most this many keys (0 = all). */
  readonly limit?: number;
  /** Start listing at this key (inclusive), for pagination. Must be inside the prefix. */
  readonly startKey?: string;
  /** Read at this revision (0 = the latest, linearizable). */
  readonly revision?: number;
}

export interface ListResult {
  readonly items: readonly StoredValue[];
  /** The revision the list was read at. */
  readonly revision: number;
  /** True when more keys follow the last item. */
  readonly more: boolean;
  /** How many keys in the range from startKey (inclusive) were left out by limit. */
  readonly remaining: number;
}

export type WatchEventType = 'put' | 'delete';

export interface StorageWatchEvent {
  readonly type: WatchEventType;
  readonly key: string;
  /** The new value (put) — empty for delete. */
  readonly value: Uint8Array;
  /** The value before this change, when there was one. */
  readonly prevValue: Uint8Array | undefined;
  readonly modRevision: number;
  /** 0 for delete. */
  readonly createRevision: number;
}

export interface StorageWatchHandlers {
  /** Events in revision order; all events of one revision arrive in one call. */
  onEvents(events: readonly StorageWatchEvent[], revision: number): void;
  /** The store has seen everything up to this revision (sent when nothing matched for a while). */
  onProgress?(revision: number): void;
  /** The watch ended and will deliver nothing more (compaction, the store went away for good, close). */
  onError(error: StorageError): void;
}

export interface StorageWatch {
  /**
   * Asks for an onProgress call at the store's current revision once every earlier event of this
   * watch has been delivered (etcd's WatchProgressRequest). Best effort: the answer may be late
   * or, while the watch reconnects, lost; ask again. Lets a watch cache prove it is up to date
   * when nothing under its prefix changes.
   */
  requestProgress(): void;
  close(): void;
}

export interface Storage {
  get(key: string): Promise<StoredValue | undefined>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Fails with 'AlreadyExists' when the key exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<StoredValue>;
  /** Fails with 'Conflict' when the key's modRevision differs, 'NotFound' when it is gone. */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<StoredValue>;
  /** Fails as update does. Returns the deleted value and the revision of the delete. */
  delete(key: string, expectedModRevision: number): Promise<{ readonly prev: StoredValue; readonly revision: number }>;
  /** Watches every key under prefix, changes after fromRevision (exclusive). */
  watch(prefix: string, fromRevision: number, handlers: StorageWatchHandlers): StorageWatch;
  /** The store's current revision (linearizable). */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (after compaction). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export const StorageErrorCode = {
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  /** The requested revision has been compacted. */
  Compacted: 'Compacted',
  /** The store cannot be reached or refused for a transient reason; the caller may retry. */
  Unavailable: 'Unavailable',
  /** The store refused the request (e.g. no space, request too large). */
  Rejected: 'Rejected',
  Closed: 'Closed',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** For Compacted: the oldest revision still readable. */
    readonly compactRevision = 0,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
