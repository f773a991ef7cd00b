// One client Watch stream: etcd 3.4's serverWatchStream, without its I/O. Requests come in
// through receive(); responses go out through io.write(); the transport says when it can take
// more (drained) and when a progress interval has passed (progressTick). See watch-service.ts
// for the gRPC wiring.
//
// Rules:
// - Watch IDs belong to the stream. 0 in a create request means "server chooses": the lowest
//   free ID from a counter that starts at 0 (etcd's AutoWatchID); another value is taken as
//   the client's choice and refused if in use.
// - Responses for one watcher go out in this order: created; events in revision order, each
//   revision once; then at most one of canceled (after a cancel request) or compacted.
// - All events of one revision go in one response (or its fragments). Revisions a watcher has
//   ready together (history catch-up, bursts while the stream was busy) share a response up to
//   batchBytes / 1000 revisions, as etcd batches catch-up; a revision that finds the stream
//   idle goes out alone, at once.
//   Control responses (created, canceled, progress) are queued in request order and always
//   go out before further events are pulled, so nothing follows a watcher's canceled response.
// - Backpressure: when io.write() returns false nothing more is written until drained(). Events
//   are pulled from the hub only as responses are written, so watchers of a stalled stream
//   fill their bounded hub buffers and fall back to history (the hub's rule); they catch up
//   when the stream drains. Too many queued control responses pause reading requests.
// - Every header revision is truthful for what the stream has sent: a created response's is
//   the revision before the watcher's first (or the hub's, if lower); an event response's is
//   the watcher's progress revision after it (>= its events' revision, and every later event
//   of that watcher is higher); a progress response's (watch_id -1) is the lowest progress
//   revision of the stream's watchers, so every later event on the stream is higher.
// - Progress notify (etcd): a watcher created with progress_notify that got no events during
//   a whole progress interval and is synced gets an empty response with its watch_id.

import type { ResponseHeader, WatchCreateRequest, WatchRequest, WatchResponse } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { Event as WireEvent } from '../../../proto/gen/etcd/mvccpb/kv.js';
import { assertNever, DuplicateWatchIdError } from './errors.js';
import type { WatchError } from './errors.js';
import { fragmentResponse } from './fragment.js';
import type { WatchHub } from './watch-hub.js';
import { watchRange } from './watch-range.js';
import { roughEventBytes } from './response-size.js';
import type { Watcher, WatchDelivery } from './watcher.js';

/** etcd's watchBatchMaxRevs: most revisions in one response. */
const MAX_BATCH_REVISIONS = 1000;

function roughBytes(events: readonly WireEvent[]): number {
  let n = 0;
  for (const ev of events) n += roughEventBytes(ev);
  return n;
}

/** FilterType values of WatchCreateRequest (etcd's NOPUT, NODELETE). */
const FILTER_NOPUT = 0;
const FILTER_NODELETE = 1;

export interface WatchStreamConfig {
  readonly hub: WatchHub;
  /** cluster_id, member_id and raft_term of response headers; revision is set here. */
  readonly header: () => ResponseHeader;
  /** Responses with two or more events and at least this many bytes are split for watchers
   * that asked for fragments. */
  readonly fragmentBytes: number;
  /** Most responses written in one turn of the event loop before yielding. */
  readonly maxResponsesPerTurn: number;
  /** A watcher's deliveries that are ready together (catch-up, bursts) share one response
   * until it holds about this many bytes or 1000 revisions (etcd's watchBatchMaxRevs); one
   * revision is never split (except into fragments). */
  readonly batchBytes: number;
  /** Queued control responses above which reading requests pauses. */
  readonly maxControlBacklog: number;
}

/** The transport under a stream. */
export interface WatchStreamIo {
  /** Sends one response; false = the buffer is full: the stream writes nothing more until
   * drained() is called (the response itself was taken). */
  write(resp: WatchResponse): boolean;
  /** Runs fn later, outside the current call stack (e.g. setImmediate). */
  schedule(fn: () => void): void;
  pauseRequests(): void;
  resumeRequests(): void;
}

interface StreamWatch {
  readonly id: number;
  readonly watcher: Watcher;
  readonly progressNotify: boolean;
  readonly fragment: boolean;
  /** In the ready queue: has (or may have) deliveries to pull. */
  ready: boolean;
  /** etcd's progress[id]: no event response since the last progress tick. */
  quiet: boolean;
  /** A progress notification for it is queued (at most one at a time). */
  progressQueued: boolean;
}

type Control =
  | { readonly type: 'created'; readonly watch: StreamWatch }
  | { readonly type: 'refused'; readonly revision: number; readonly reason: string }
  | { readonly type: 'canceled'; readonly watchId: number }
  | { readonly type: 'progress' }
  | { readonly type: 'watcherProgress'; readonly watch: StreamWatch };

export class WatchStream {
  private readonly watches = new Map<number, StreamWatch>();
  private nextId = 0;
  private control: Control[] = [];
  private controlHead = 0;
  private readyQueue: StreamWatch[] = [];
  private readyHead = 0;
  private writable = true;
  private scheduled = false;
  private paused = false;
  private closed = false;

  constructor(
    private readonly config: WatchStreamConfig,
    private readonly io: WatchStreamIo,
  ) {}

  get watchCount(): number {
    return this.watches.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One request from the client. Requests with no known field are ignored, as etcd does. */
  receive(req: WatchRequest): void {
    if (this.closed) return;
    if (req.createRequest !== undefined) this.create(req.createRequest);
    else if (req.cancelRequest !== undefined) this.cancel(req.cancelRequest.watchId);
    else if (req.progressRequest !== undefined) this.pushControl({ type: 'progress' });
  }

  /** The transport can take responses again. */
  drained(): void {
    if (this.closed) return;
    this.writable = true;
    this.schedulePump();
  }

  /** A progress interval has passed (etcd's progressTicker). */
  progressTick(): void {
    if (this.closed) return;
    for (const sw of this.watches.values()) {
      if (!sw.progressNotify) continue;
      if (sw.quiet && !sw.progressQueued && sw.watcher.idle) {
        sw.progressQueued = true;
        this.pushControl({ type: 'watcherProgress', watch: sw });
      }
      sw.quiet = true;
    }
  }

  /** The stream is gone: cancels its watchers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sw of this.watches.values()) sw.watcher.cancel();
    this.watches.clear();
    this.control = [];
    this.controlHead = 0;
    this.readyQueue = [];
    this.readyHead = 0;
  }

  // ---- Requests

  private create(req: WatchCreateRequest): void {
    const hub = this.config.hub;
    const revision = hub.revision;
    // etcd's order of checks: the range, then the ID.
    const range = watchRange(req.key, req.rangeEnd);
    if (!range.ok) return this.refuse(revision, range.error);
    if (req.watchId !== 0 && this.watches.has(req.watchId)) return this.refuse(revision, new DuplicateWatchIdError(req.watchId));
    let sw: StreamWatch | undefined;
    const r = hub.watch(
      {
        key: req.key,
        rangeEnd: req.rangeEnd,
        startRevision: req.startRevision,
        prevKv: req.prevKv,
        noPut: req.filters.includes(FILTER_NOPUT),
        noDelete: req.filters.includes(FILTER_NODELETE),
      },
      () => {
        if (sw !== undefined) this.markReady(sw);
      },
    );
    if (!r.ok) return this.refuse(revision, r.error);
    let id = req.watchId;
    if (id === 0) {
      while (this.watches.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    }
    sw = { id, watcher: r.watcher, progressNotify: req.progressNotify, fragment: req.fragment, ready: false, quiet: true, progressQueued: false };
    this.watches.set(id, sw);
    this.pushControl({ type: 'created', watch: sw });
    this.markReady(sw); // a new watcher starts ready (it may have history to replay)
  }

  private refuse(revision: number, error: WatchError): void {
    this.pushControl({ type: 'refused', revision, reason: error.message });
  }

  /** Unknown IDs are ignored, as etcd does. */
  private cancel(id: number): void {
    const sw = this.watches.get(id);
    if (sw === undefined) return;
    sw.watcher.cancel();
    this.watches.delete(id);
    this.pushControl({ type: 'canceled', watchId: id });
  }

  // ---- Sending

  private pushControl(c: Control): void {
    this.control.push(c);
    if (!this.paused && this.control.length - this.controlHead > this.config.maxControlBacklog) {
      this.paused = true;
      this.io.pauseRequests();
    }
    this.schedulePump();
  }

  private markReady(sw: StreamWatch): void {
    if (sw.ready || this.closed) return;
    sw.ready = true;
    this.readyQueue.push(sw);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.scheduled || this.closed || !this.writable) return;
    this.scheduled = true;
    this.io.schedule(() => this.pump());
  }

  /** Writes control responses, then events round-robin over ready watchers, until the
   * transport is full, nothing is left, or the turn's budget is spent. */
  private pump(): void {
    this.scheduled = false;
    let budget = this.config.maxResponsesPerTurn;
    while (budget > 0 && this.writable && !this.closed) {
      const c = this.shiftControl();
      if (c !== undefined) {
        if (this.sendControl(c)) budget--;
        continue;
      }
      const sw = this.shiftReady();
      if (sw === undefined) break;
      const d = sw.watcher.next();
      if (d === undefined) {
        sw.ready = false;
        continue;
      }
      budget--;
      let last: WatchDelivery | undefined = d;
      if (d.type === 'events') {
        // Batch what else the watcher has ready (bounded); stop at a compacted answer.
        const events: WireEvent[] = [...d.events];
        let bytes = roughBytes(d.events);
        let revisions = 1;
        last = undefined;
        while (revisions < MAX_BATCH_REVISIONS && bytes < this.config.batchBytes) {
          const more = sw.watcher.next();
          if (more === undefined) break;
          if (more.type === 'compacted') {
            last = more;
            break;
          }
          events.push(...more.events);
          bytes += roughBytes(more.events);
          revisions++;
        }
        sw.quiet = false;
        this.sendEvents(sw, events);
      }
      if (last === undefined) {
        this.readyQueue.push(sw);
      } else if (last.type === 'compacted') {
        sw.ready = false;
        this.watches.delete(sw.id);
        this.send({ ...this.blank(sw.id, this.config.hub.revision), canceled: true, compactRevision: last.compactRevision });
      }
    }
    if (this.paused && this.control.length - this.controlHead <= this.config.maxControlBacklog / 2) {
      this.paused = false;
      this.io.resumeRequests();
    }
    if (this.controlHead < this.control.length || this.readyHead < this.readyQueue.length) this.schedulePump();
  }

  /** Sends one control response; false if it turned out to have nothing to say. */
  private sendControl(c: Control): boolean {
    const hub = this.config.hub;
    switch (c.type) {
      case 'created':
        // Sent before any event of the watcher, so this is the revision before its start (or
        // the hub's, if that is lower). etcd sends its current revision; clients that resume
        // from created header.revision + 1 (the npm etcd3 client does) would skip history.
        this.send({ ...this.blank(c.watch.id, c.watch.watcher.progressRevision), created: true });
        return true;
      case 'refused':
        this.send({ ...this.blank(-1, c.revision), created: true, canceled: true, cancelReason: c.reason });
        return true;
      case 'canceled':
        this.send({ ...this.blank(c.watchId, hub.revision), canceled: true });
        return true;
      case 'progress': {
        let revision = hub.revision;
        for (const sw of this.watches.values()) revision = Math.min(revision, sw.watcher.progressRevision);
        this.send(this.blank(-1, revision));
        return true;
      }
      case 'watcherProgress': {
        const sw = c.watch;
        sw.progressQueued = false;
        if (this.watches.get(sw.id) !== sw || !sw.watcher.idle) return false;
        this.send(this.blank(sw.id, sw.watcher.progressRevision));
        return true;
      }
      default:
        return assertNever(c);
    }
  }

  private sendEvents(sw: StreamWatch, events: WireEvent[]): void {
    const resp: WatchResponse = { ...this.blank(sw.id, sw.watcher.progressRevision), events };
    if (!sw.fragment) return this.send(resp);
    for (const part of fragmentResponse(resp, this.config.fragmentBytes)) this.send(part);
  }

  private send(resp: WatchResponse): void {
    if (!this.io.write(resp)) this.writable = false;
  }

  private blank(watchId: number, revision: number): WatchResponse {
    return {
      header: { ...this.config.header(), revision },
      watchId,
      created: false,
      canceled: false,
      compactRevision: 0,
      cancelReason: '',
      fragment: false,
      events: [],
    };
  }

  private shiftControl(): Control | undefined {
    if (this.controlHead === this.control.length) return undefined;
    const c = this.control[this.controlHead++];
    if (this.controlHead === this.control.length) {
      this.control = [];
      this.controlHead = 0;
    }
    return c;
  }

  private shiftReady(): StreamWatch | undefined {
    if (this.readyHead === this.readyQueue.length) return undefined;
    const sw = this.readyQueue[this.readyHead++];
    if (this.readyHead === this.readyQueue.length) {
      this.readyQueue = [];
      this.readyHead = 0;
    } else if (this.readyHead >= 1024 && this.readyHead * 2 >= this.readyQueue.length) {
      this.readyQueue = this.readyQueue.slice(this.readyHead);
      this.readyHead = 0;
    }
    return sw;
  }
}
