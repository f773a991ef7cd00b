// A watch as an async iterator of {type, object} events with a clean close(). Started from a
// resourceVersion, it survives the loss of its API server: it reopens on the next server from
// the last revision it saw (bookmarks keep that fresh), within the connection's retry budget.
// Started without one (current state as ADDED, then changes) it cannot resume safely — the
// initial ADDED events are not in revision order — so a broken stream ends it with the error.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import type { KubeObject } from '../api/kind.js';
import type { WatchEvent as WireWatchEvent, WatchRequest } from '../proto/gen/shoal/api/v1/api.js';
import { backoffDelay } from './backoff.js';
import type { Connection } from './connection.js';
import { ApiError, ApiErrorReason, toApiError } from './errors.js';
import { decodeObject } from './object-json.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export type WatchEvent<T extends KubeObject> =
  | { readonly type: WatchEventType; readonly object: T; readonly resourceVersion: string }
  /** Nothing selected changed up to resourceVersion. */
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

export interface WatchOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Changes after this revision; "" = current state as ADDED events, then changes. */
  readonly resourceVersion?: string;
  /** Ask for BOOKMARK events (default true). */
  readonly allowBookmarks?: boolean;
  /** Reopen on another server after a broken stream (default: true when resourceVersion is set). */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
}

// Above this many undelivered events the stream is paused until the consumer catches up.
const highWater = 1024;

export class Watch<T extends KubeObject> implements AsyncIterable<WatchEvent<T>>, AsyncIterator<WatchEvent<T>> {
  private readonly queue: WatchEvent<T>[] = [];
  private waiter: { resolve: (r: IteratorResult<WatchEvent<T>>) => void; reject: (e: unknown) => void } | undefined;
  private ended: { error?: ApiError } | undefined;
  private stream: ClientReadableStream<WireWatchEvent> | undefined;
  private paused = false;
  private readonly stopping = new AbortController();
  private lastRv: string;
  private readonly resume: boolean;
  private failures = 0;
  private failureStart = 0;

  constructor(
    private readonly conn: Connection,
    private readonly request: Omit<WatchRequest, 'resourceVersion'>,
    options: WatchOptions,
  ) {
    this.lastRv = options.resourceVersion ?? '';
    this.resume = options.resume ?? this.lastRv !== '';
    const stop = (): void => this.close();
    if (options.signal?.aborted || conn.isClosed) {
      this.finish();
      return;
    }
    options.signal?.addEventListener('abort', stop, { once: true, signal: this.stopping.signal });
    conn.closedSignal.addEventListener('abort', stop, { once: true, signal: this.stopping.signal });
    this.open();
  }

  /** The revision of the last event or bookmark delivered from the server ("" before any). */
  get resourceVersion(): string {
    return this.lastRv;
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    return this;
  }

  next(): Promise<IteratorResult<WatchEvent<T>>> {
    const event = this.queue.shift();
    if (event !== undefined) {
      if (this.paused && this.queue.length < highWater / 2) {
        this.paused = false;
        this.stream?.resume();
      }
      return Promise.resolve({ done: false, value: event });
    }
    if (this.ended !== undefined) {
      return this.ended.error === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(this.ended.error);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<WatchEvent<T>>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Stops the watch: the iterator ends (done) after the events already queued. Idempotent. */
  close(): void {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
    this.finish();
  }

  private open(): void {
    if (this.stopping.signal.aborted) return;
    const server = this.conn.currentServer();
    let stream: ClientReadableStream<WireWatchEvent>;
    try {
      stream = this.conn.api(server).watch({ ...this.request, resourceVersion: this.lastRv }, this.conn.metadata());
    } catch (e) {
      this.finish(toApiError(e, server));
      return;
    }
    this.stream = stream;
    stream.on('data', (wire: WireWatchEvent) => {
      if (this.stream !== stream) return;
      let event: WatchEvent<T>;
      try {
        event = this.decode(wire, server);
      } catch (e) {
        this.stream = undefined;
        stream.cancel();
        this.finish(toApiError(e, server));
        return;
      }
      this.failures = 0;
      if (event.resourceVersion !== '') this.lastRv = event.resourceVersion;
      this.push(event);
    });
    stream.on('error', (e: ServiceError) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.broken(toApiError(e, server), server);
    });
    stream.on('end', () => {
      if (this.stream !== stream) return;
      // The server ended the stream without an error status (e.g. it is shutting down).
      this.stream = undefined;
      this.broken(new ApiError(GrpcStatus.UNAVAILABLE, ApiErrorReason.Unavailable, 'the server ended the watch', { server }), server);
    });
  }

  private broken(err: ApiError, server: string): void {
    const resumable = this.resume && this.lastRv !== '' && isStreamBreak(err);
    if (!resumable) {
      this.finish(err);
      return;
    }
    this.conn.failedOver(server);
    const now = this.conn.clock.now();
    if (this.failures === 0) this.failureStart = now;
    this.failures++;
    const { maxAttempts, maxElapsedMs, backoff } = this.conn.retry;
    if (this.failures > maxAttempts || now - this.failureStart > maxElapsedMs) {
      this.finish(new ApiError(err.code, err.reason, `watch could not be resumed after ${this.failures} attempt(s): ${err.message}`, { cause: err, server }));
      return;
    }
    // The first reopen goes straight to the next server; later ones back off.
    const delay = this.failures === 1 ? 0 : backoffDelay(backoff, this.failures - 2, this.conn.rng);
    void this.conn.clock.sleep(delay, this.stopping.signal).then(() => this.open());
  }

  private decode(wire: WireWatchEvent, server: string): WatchEvent<T> {
    switch (wire.type) {
      case 'BOOKMARK': {
        const o = decodeObject<KubeObject>(wire.object, 'watch bookmark', server);
        return { type: 'BOOKMARK', resourceVersion: o.metadata.resourceVersion ?? '' };
      }
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        const object = decodeObject<T>(wire.object, `watch ${wire.type} event`, server);
        return { type: wire.type, object, resourceVersion: object.metadata.resourceVersion ?? '' };
      }
      default:
        throw new ApiError(GrpcStatus.INTERNAL, ApiErrorReason.InvalidResponse, `watch: unknown event type "${wire.type}"`, { server });
    }
  }

  private push(event: WatchEvent<T>): void {
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w.resolve({ done: false, value: event });
      return;
    }
    this.queue.push(event);
    if (!this.paused && this.queue.length >= highWater && this.stream !== undefined) {
      this.paused = true;
      this.stream.pause();
    }
  }

  private finish(error?: ApiError): void {
    if (this.ended !== undefined) return;
    this.ended = error === undefined ? {} : { error };
    this.stopping.abort();
    const w = this.waiter;
    this.waiter = undefined;
    if (w === undefined) return;
    if (error === undefined) w.resolve({ done: true, value: undefined });
    else w.reject(error);
  }
}

/** A stream that broke for a transport reason (server died, connection reset), not a verdict. */
function isStreamBreak(e: ApiError): boolean {
  switch (e.reason) {
    case ApiErrorReason.Unavailable:
    case ApiErrorReason.Internal:
    case ApiErrorReason.Unknown:
    case ApiErrorReason.Timeout:
    case ApiErrorReason.Cancelled: // a server that shuts down cancels its streams; our own close never gets here
      return true;
    default:
      return false;
  }
}
