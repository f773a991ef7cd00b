// Errors of the watch layer. A refused watch is an expected outcome, returned as a value and
// answered on the stream (etcd sends a created+canceled WatchResponse whose cancel_reason is the
// message below; clients match on it). Broken invariants throw WatchBug.

export const WatchErrorCode = {
  EmptyWatcherRange: 'empty-watcher-range',
  DuplicateWatchId: 'duplicate-watch-id',
} as const;
export type WatchErrorCode = (typeof WatchErrorCode)[keyof typeof WatchErrorCode];

export abstract class WatchError extends Error {
  abstract readonly code: WatchErrorCode;
}

/** range_end is set and not above key: the watcher could never see an event. */
export class EmptyWatcherRangeError extends WatchError {
  readonly code = WatchErrorCode.EmptyWatcherRange;
  override readonly name = 'EmptyWatcherRangeError';
  constructor(
    readonly key: Uint8Array,
    readonly rangeEnd: Uint8Array,
  ) {
    super('mvcc: watcher range is empty');
  }
}

/** A client-chosen watch_id that is already in use on the stream. */
export class DuplicateWatchIdError extends WatchError {
  readonly code = WatchErrorCode.DuplicateWatchId;
  override readonly name = 'DuplicateWatchIdError';
  constructor(readonly watchId: number) {
    super('mvcc: duplicate watch ID provided on the WatchStream');
  }
}

/** A broken invariant (e.g. notify() out of revision order): a bug, never an expected outcome. */
export class WatchBug extends Error {
  override readonly name = 'WatchBug';
}

export function assertNever(x: never): never {
  throw new WatchBug(`unexpected value ${JSON.stringify(x)}`);
}
