// One watcher of the hub: what it watches, and the events queued for its consumer.
//
// States (etcd's watcher groups):
// - synced: live; the hub appends each new revision's matching events to its queue as the
//   revision is notified. Its next revision to queue is implicitly the hub's revision + 1.
// - unsynced: behind; the hub does not feed it. `nextRevision` is the first revision whose events
//   are not queued yet; next() reads from history from there (in bounded batches, only as fast as
//   the consumer pulls) and turns the watcher synced again once it reaches the hub's revision.
//   A watcher that starts in the past starts here; a synced one whose queue is full falls back
//   here instead of dropping or buffering without bound.
// - closed: canceled, or told that its next revision is compacted. Never delivers again.
// Deliveries come out in revision order, each revision once, with no gaps.

import { EventType } from '../mvcc/index.js';
import type { Event } from '../mvcc/index.js';
import { WatchBug } from './errors.js';
import type { WatchRange } from './watch-range.js';

export type WatcherState = 'synced' | 'unsynced' | 'closed';

/** What next() hands out. */
export type WatchDelivery =
  /** The watcher's events of one revision (filtered, prev_kv only if asked for), in order. */
  | { readonly type: 'events'; readonly revision: number; readonly events: readonly Event[] }
  /** The next revision to deliver is compacted (etcd's compact_revision answer); the watcher is
   * closed. compactRevision is the lowest start revision still available. */
  | { readonly type: 'compacted'; readonly compactRevision: number };

export type EventsDelivery = Extract<WatchDelivery, { type: 'events' }>;

export interface WatcherOptions {
  readonly prevKv: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
}

/** A watcher as its consumer sees it. */
export interface Watcher {
  readonly range: WatchRange;
  /** First revision this watcher delivers (resolved: never 0). */
  readonly startRevision: number;
  readonly options: WatcherOptions;
  readonly status: WatcherState;
  /**
   * The next delivery, or undefined when there is nothing to pull now: the watcher is synced
   * and its queue is empty (onReady tells when that changes), or it is closed. An unsynced
   * watcher reads history here; pull it until undefined.
   */
  next(): WatchDelivery | undefined;
  /**
   * Every event of this watcher with a revision <= progressRevision has been handed out by
   * next(), and every later delivery has a higher revision. (For a closed watcher: the hub's
   * revision; it delivers nothing more.)
   */
  readonly progressRevision: number;
  /** Synced with nothing queued: idle, caught up to the hub's revision. */
  readonly idle: boolean;
  /** Events queued for the consumer (bounded by the hub's maxBufferedEvents). */
  readonly queuedEvents: number;
  /** Stops the watcher and drops what it had queued. Idempotent. */
  cancel(): void;
}

/** What a watcher needs from its hub. */
export interface WatcherHub {
  readonly revision: number;
  /** Reads history into w's queue until it has something or is synced; returns the
   * 'compacted' delivery instead (closing w) if its next revision is compacted. */
  catchUp(w: HubWatcher): WatchDelivery | undefined;
  cancel(w: HubWatcher): void;
}

/** The hub's side of a watcher: state, queue and position, changed only by the hub. */
export class HubWatcher implements Watcher {
  state: WatcherState;
  /** First revision not queued yet; meaningful while unsynced. */
  nextRevision: number;
  queuedEvents = 0;
  private queue: (EventsDelivery | undefined)[] = [];
  private head = 0;

  constructor(
    private readonly hub: WatcherHub,
    readonly range: WatchRange,
    readonly startRevision: number,
    readonly options: WatcherOptions,
    /** Called when a synced watcher whose queue was empty gets a delivery, or when the
     * watcher needs pulling for another reason (restore). */
    readonly onReady: () => void,
    synced: boolean,
  ) {
    this.state = synced ? 'synced' : 'unsynced';
    this.nextRevision = startRevision;
  }

  get status(): WatcherState {
    return this.state;
  }

  next(): WatchDelivery | undefined {
    if (this.state === 'closed') return undefined;
    if (this.head === this.queue.length && this.state === 'unsynced') {
      const compacted = this.hub.catchUp(this);
      if (compacted !== undefined) return compacted;
    }
    return this.take();
  }

  get progressRevision(): number {
    if (this.head < this.queue.length) return this.queue[this.head]!.revision - 1;
    if (this.state === 'unsynced') return this.nextRevision - 1;
    return this.hub.revision;
  }

  get idle(): boolean {
    return this.state === 'synced' && this.head === this.queue.length;
  }

  cancel(): void {
    if (this.state !== 'closed') this.hub.cancel(this);
  }

  /** The watcher's share of one revision's events: filters applied, prev_kv dropped
   * unless asked for. Empty if the filters leave nothing. */
  select(events: readonly Event[]): Event[] {
    const out: Event[] = [];
    const { noPut, noDelete, prevKv } = this.options;
    for (const ev of events) {
      if (noPut && ev.type === EventType.PUT) continue;
      if (noDelete && ev.type === EventType.DELETE) continue;
      out.push(prevKv || ev.prevKv === undefined ? ev : { type: ev.type, kv: ev.kv, prevKv: undefined });
    }
    return out;
  }

  get queueEmpty(): boolean {
    return this.head === this.queue.length;
  }

  /** Appends one revision's selected events; revisions must increase. */
  enqueue(d: EventsDelivery): void {
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && last.revision >= d.revision) {
      throw new WatchBug(`watcher queue out of order: ${d.revision} after ${last.revision}`);
    }
    this.queue.push(d);
    this.queuedEvents += d.events.length;
  }

  /** Drops the queue (on close). */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.queuedEvents = 0;
  }

  private take(): EventsDelivery | undefined {
    if (this.head === this.queue.length) return undefined;
    const d = this.queue[this.head]!;
    this.queue[this.head] = undefined;
    this.head++;
    this.queuedEvents -= d.events.length;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return d;
  }
}
