// One API watcher: turns the store's key events (fanned out by the resource's watch cache) into
// Kubernetes watch events for one namespace and selector. An object that starts matching the
// selector arrives as ADDED, one that stops matching as DELETED, as in Kubernetes. With
// allow_bookmarks a BOOKMARK carrying the latest revision seen is sent every bookmark interval
// (when it moved), so a client can resume from a recent resourceVersion.
import type { KindDefinition, KubeObject } from '../../api/kind.js';
import type { StorageError, StorageWatch, StorageWatchEvent, StorageWatchHandlers } from './storage/storage.js';
import { ApiError, Code, tooOld } from './errors.js';
import { decodeStored } from './registry/codec.js';
import type { ObjectFilter } from './registry/filter.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface ApiWatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

/** Where the watcher's key events come from: the resource's watch cache (or the store itself). */
export type WatchSource = (prefix: string, fromRevision: number, handlers: StorageWatchHandlers) => StorageWatch;

export interface WatchStreamOptions {
  readonly kind: KindDefinition;
  /** Keys of this namespace (or all namespaces) of the resource. */
  readonly prefix: string;
  readonly filter: ObjectFilter;
  /** Changes after this revision. */
  readonly fromRevision: number;
  readonly allowBookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  readonly source: WatchSource;
  /** Delivers one event; returns false when the client is too far behind (the watch then ends). */
  readonly send: (event: ApiWatchEvent) => boolean;
  /** Called once when the watch ends by itself (never after close()). */
  readonly end: (error: ApiError) => void;
}

export class WatchStream {
  private lastRevision: number;
  private bookmarkedRevision: number;
  private readonly watch: StorageWatch;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: WatchStreamOptions) {
    this.lastRevision = o.fromRevision;
    this.bookmarkedRevision = o.fromRevision;
    this.watch = o.source(o.prefix, o.fromRevision, {
      onEvents: (events, revision) => this.onEvents(events, revision),
      onProgress: (revision) => {
        if (revision > this.lastRevision) this.lastRevision = revision;
      },
      onError: (e) => this.onError(e),
    });
    if (o.allowBookmarks) {
      this.timer = setInterval(() => this.bookmark(), o.bookmarkIntervalMs);
      this.timer.unref();
    }
  }

  private onEvents(events: readonly StorageWatchEvent[], revision: number): void {
    if (this.closed) return;
    for (const ev of events) {
      const out = this.translate(ev);
      if (out !== undefined && !this.o.send(out)) {
        this.fail(new ApiError(Code.UNAVAILABLE, `the watcher fell too far behind at resourceVersion ${ev.modRevision}; watch again from the last resourceVersion received`));
        return;
      }
    }
    if (revision > this.lastRevision) this.lastRevision = revision;
  }

  private translate(ev: StorageWatchEvent): ApiWatchEvent | undefined {
    if (!ev.key.startsWith(this.o.prefix)) return undefined;
    const { filter } = this.o;
    const prev = ev.prevValue !== undefined && ev.prevValue.length > 0 ? decodeStored(ev.prevValue, ev.modRevision) : undefined;
    if (ev.type === 'delete') {
      const last = prev ?? this.tombstone(ev.key, ev.modRevision);
      return prev === undefined || filter(last) ? { type: 'DELETED', object: last } : undefined;
    }
    const cur = decodeStored(ev.value, ev.modRevision);
    const created = ev.createRevision === ev.modRevision;
    const now = filter(cur);
    // Without the previous value (a source that does not keep it) a change is a MODIFIED.
    const before = !created && (prev === undefined ? now : filter(prev));
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: cur };
    return before ? { type: 'DELETED', object: cur } : undefined;
  }

  /** The last state is unknown (the source gave no previous value): the address is all we have. */
  private tombstone(key: string, revision: number): KubeObject {
    const parts = key.slice(this.o.prefix.length).split('/');
    const name = parts[parts.length - 1] ?? '';
    const ns = this.o.kind.namespaced ? (parts.length > 1 ? parts[0] : this.o.prefix.split('/').at(-2)) : undefined;
    return { apiVersion: this.o.kind.apiVersion, kind: this.o.kind.kind, metadata: { name, ...(ns !== undefined ? { namespace: ns } : {}), resourceVersion: String(revision) } };
  }

  private bookmark(): void {
    if (this.closed || this.lastRevision <= this.bookmarkedRevision) return;
    this.bookmarkedRevision = this.lastRevision;
    const object: KubeObject = { apiVersion: this.o.kind.apiVersion, kind: this.o.kind.kind, metadata: { resourceVersion: String(this.lastRevision) } };
    if (!this.o.send({ type: 'BOOKMARK', object })) this.fail(new ApiError(Code.UNAVAILABLE, 'the watcher fell too far behind; watch again from the last resourceVersion received'));
  }

  private onError(e: StorageError): void {
    if (this.closed) return;
    if (e.code === 'Compacted') this.fail(tooOld(`too old resource version: ${this.o.fromRevision} (${e.compactRevision})`));
    else if (e.code === 'Closed') this.fail(new ApiError(Code.UNAVAILABLE, 'the API server is shutting down; watch again (another API server)'));
    else this.fail(new ApiError(Code.UNAVAILABLE, `the store watch ended: ${e.message}; watch again from the last resourceVersion received`));
  }

  private fail(e: ApiError): void {
    if (this.closed) return;
    this.close();
    this.o.end(e);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.watch.close();
  }
}
