// One StorageWatch = one etcd Watch stream with one watcher on it (prefix range, prev_kv,
// progress_notify). Created with the "hasleader" metadata, so a member cut off from its leader
// ends the stream instead of going quiet.
//
// Rules:
// - `lastEvent` is the revision of the last delivered event: events at or below it are never
//   delivered again. `last` also counts progress: a (re)created watcher starts at last + 1. So a
//   stream that breaks (member killed, no leader, keepalive timeout) is re-created on the next
//   endpoint and nothing is lost or repeated.
// - Events are grouped by revision: one onEvents call per revision. Responses marked fragment
//   are held until the last fragment of the revision arrives.
// - Only responses with no events that are neither created nor canceled count as progress:
//   a created response's header revision says nothing about what the watcher has been sent.
//   Caveat: etcd before 3.4.25 could answer a progress request ahead of events it had queued
//   (etcd issue 15220); such an event is still delivered (in order among events, after the
//   progress notification), never dropped; WatchCache relists when it sees one. The Shoal
//   store's progress revisions are exact.
// - Reconnecting is bounded: if no stream gets a created response for retryTimeoutMs, the watch
//   ends with 'Unavailable'. A start revision below the compaction ends it with 'Compacted'.
import * as grpc from '@grpc/grpc-js';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { WatchRequest, WatchResponse } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { Event_EventType } from '../../../proto/gen/etcd/mvccpb/kv.js';
import type { Event as WireEvent } from '../../../proto/gen/etcd/mvccpb/kv.js';
import type { Endpoint, Endpoints } from './etcd-endpoints.js';
import { toStorageError } from './etcd-errors.js';
import { StorageError, StorageErrorCode } from './storage.js';
import type { StorageWatch, StorageWatchEvent, StorageWatchHandlers } from './storage.js';

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

export function toWatchEvent(e: WireEvent): StorageWatchEvent {
  const kv = e.kv;
  if (kv === undefined) throw new Error('watch event without kv');
  const isPut = e.type === Event_EventType.PUT;
  return {
    type: isPut ? 'put' : 'delete',
    key: decoder.decode(kv.key),
    value: isPut ? kv.value : EMPTY,
    prevValue: e.prevKv?.value,
    modRevision: kv.modRevision,
    createRevision: isPut ? kv.createRevision : 0,
  };
}

export class EtcdWatch implements StorageWatch {
  private last: number;
  private lastEvent: number;
  private stream: ClientDuplexStream<WatchRequest, WatchResponse> | null = null;
  private created = false;
  private closed = false;
  private fragments: WireEvent[] = [];
  /** When the watch lost its last working stream; null while one is working. */
  private brokenSince: number | null = null;
  private backoffMs = 0;

  constructor(
    private readonly endpoints: Endpoints,
    private readonly key: Uint8Array,
    private readonly rangeEnd: Uint8Array,
    fromRevision: number,
    private readonly handlers: StorageWatchHandlers,
    private readonly onEnd: (w: EtcdWatch) => void,
  ) {
    this.last = fromRevision;
    this.lastEvent = fromRevision;
    this.connect();
  }

  requestProgress(): void {
    if (this.stream !== null && this.created) this.stream.write({ progressRequest: {} });
  }

  close(): void {
    this.end(null);
  }

  /** Ends the watch; with an error, tells the handlers. */
  end(error: StorageError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.dropStream();
    this.onEnd(this);
    if (error !== null) this.handlers.onError(error);
  }

  private connect(): void {
    if (this.closed) return;
    const endpoint = this.endpoints.pick();
    const md = new grpc.Metadata();
    md.set('hasleader', 'true');
    const stream = endpoint.watch.watch(md);
    this.stream = stream;
    this.created = false;
    this.fragments = [];
    stream.on('data', (resp: WatchResponse) => {
      if (this.stream === stream) this.onResponse(resp, endpoint);
    });
    stream.on('error', (e: Error) => {
      if (this.stream === stream) this.broken(endpoint, e);
    });
    stream.on('end', () => {
      if (this.stream === stream) this.broken(endpoint, new StorageError(StorageErrorCode.Unavailable, 'watch stream ended by the server'));
    });
    stream.write({
      createRequest: {
        key: this.key,
        rangeEnd: this.rangeEnd,
        startRevision: this.last + 1,
        progressNotify: true,
        filters: [],
        prevKv: true,
        watchId: 0,
        fragment: true,
      },
    });
  }

  private onResponse(resp: WatchResponse, endpoint: Endpoint): void {
    if (resp.created) {
      this.created = true;
      this.brokenSince = null;
      this.backoffMs = 0;
    }
    if (resp.compactRevision > 0) {
      this.end(new StorageError(StorageErrorCode.Compacted, `watch from revision ${this.last + 1}: required revision has been compacted (oldest readable: ${resp.compactRevision})`, resp.compactRevision));
      return;
    }
    if (resp.canceled) {
      // Not compaction: the member gave up on us (e.g. lost its leader). Try another.
      this.broken(endpoint, new StorageError(StorageErrorCode.Unavailable, `watch canceled by the store: ${resp.cancelReason || 'no reason given'}`));
      return;
    }
    if (resp.events.length > 0) {
      this.fragments.push(...resp.events);
      if (resp.fragment) return;
      const events = this.fragments;
      this.fragments = [];
      this.deliver(events);
      return;
    }
    if (!resp.created && this.fragments.length === 0) {
      const rev = resp.header?.revision ?? 0;
      if (rev > this.last) {
        this.last = rev;
        this.handlers.onProgress?.(rev);
      }
    }
  }

  private deliver(wire: readonly WireEvent[]): void {
    let group: StorageWatchEvent[] = [];
    let groupRev = 0;
    const flush = (): void => {
      if (group.length === 0 || this.closed) return;
      this.last = Math.max(this.last, groupRev);
      this.lastEvent = groupRev;
      this.handlers.onEvents(group, groupRev);
      group = [];
    };
    for (const w of wire) {
      const e = toWatchEvent(w);
      if (e.modRevision <= this.lastEvent) continue; // already delivered before a reconnect
      if (e.modRevision !== groupRev) {
        flush();
        groupRev = e.modRevision;
      }
      group.push(e);
    }
    flush();
  }

  private broken(endpoint: Endpoint, e: unknown): void {
    if (this.closed) return;
    this.dropStream();
    const err = toStorageError(e, 'watch');
    if (err.code === StorageErrorCode.Compacted || err.code === StorageErrorCode.Rejected) {
      this.end(err);
      return;
    }
    const now = this.endpoints.clock.now();
    this.brokenSince ??= now;
    this.endpoints.failed(endpoint, 'watch', err);
    this.backoffMs = this.endpoints.backoff(this.backoffMs);
    if (now + this.backoffMs - this.brokenSince > this.endpoints.policy.retryTimeoutMs) {
      this.end(new StorageError(StorageErrorCode.Unavailable, `watch: no store member answered for ${now - this.brokenSince} ms: ${err.message}`, 0, { cause: e }));
      return;
    }
    void this.endpoints.clock.sleep(this.backoffMs).then(() => this.connect());
  }

  private dropStream(): void {
    const s = this.stream;
    if (s === null) return;
    this.stream = null;
    this.created = false;
    this.fragments = [];
    s.on('error', () => {}); // the cancel below reports CANCELLED; nobody listens any more
    s.cancel();
  }
}
