// The watch hub: the deterministic core of etcd's watchable store. No I/O, no clock: the store
// tells it of every applied revision (notify), consumers pull deliveries from their watchers.
//
// Rules:
// - notify(revision, events) is called after each applied write, in revision order, every
//   revision exactly once: revision === hub.revision + 1. A command that took no revision may
//   call it with revision === hub.revision and no events (ignored). Anything else is a bug and
//   throws WatchBug. After a snapshot restore that jumped ahead, call restored() instead.
// - The hub's revision is the last notified one. History reads never go past it, so each
//   revision reaches a watcher exactly once: from history while the watcher is unsynced, from
//   notify once it is synced (etcd's synced/unsynced watcher groups).
// - Buffers are bounded: a synced watcher holds at most maxBufferedEvents queued events (plus
//   one revision's worth); when a new revision finds it full it becomes unsynced and later reads
//   that revision and what follows from history as its consumer pulls. Nothing is dropped or
//   reordered; a revision compacted before the watcher got to it yields etcd's compacted answer.

import type { Event } from '../mvcc/index.js';
import { WatchBug } from './errors.js';
import type { EmptyWatcherRangeError } from './errors.js';
import { watchRange } from './watch-range.js';
import type { WatchSource } from './watch-source.js';
import { HubWatcher } from './watcher.js';
import type { WatchDelivery, Watcher, WatcherHub } from './watcher.js';
import { WatcherGroup } from './watcher-group.js';

export interface WatchHubConfig {
  readonly source: WatchSource;
  /** Most events a watcher queues for its consumer before falling back to history
   * (default 1000). */
  readonly maxBufferedEvents?: number;
  /** Most events read from history in one catch-up step (whole revisions; default 1000). */
  readonly historyBatchEvents?: number;
}

export const DEFAULT_MAX_BUFFERED_EVENTS = 1000;
export const DEFAULT_HISTORY_BATCH_EVENTS = 1000;

/** A watch as etcd's WatchCreateRequest describes it (watch IDs belong to streams, not here). */
export interface WatchSpec {
  /** Range conventions: see watch-range.ts (empty key = "\0"). */
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  /** First revision to deliver, inclusive; 0 or absent = the hub's revision + 1. A past
   * revision replays history first; a future one skips revisions below it. */
  readonly startRevision?: number;
  readonly prevKv?: boolean;
  /** etcd's NOPUT / NODELETE filters. */
  readonly noPut?: boolean;
  readonly noDelete?: boolean;
}

export type WatchResult =
  | { readonly ok: true; readonly watcher: Watcher }
  | { readonly ok: false; readonly error: EmptyWatcherRangeError };

export interface WatchHubStats {
  readonly revision: number;
  readonly watchers: number;
  readonly synced: number;
  readonly unsynced: number;
}

export class WatchHub {
  private readonly source: WatchSource;
  private readonly maxBuffered: number;
  private readonly historyBatch: number;
  private rev: number;
  private readonly synced = new WatcherGroup<HubWatcher>();
  private readonly unsynced = new Set<HubWatcher>();
  private readonly link: WatcherHub;

  constructor(config: WatchHubConfig) {
    this.source = config.source;
    this.maxBuffered = positive('maxBufferedEvents', config.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS);
    this.historyBatch = positive('historyBatchEvents', config.historyBatchEvents ?? DEFAULT_HISTORY_BATCH_EVENTS);
    this.rev = this.source.currentRevision();
    const hub = this;
    this.link = {
      get revision() {
        return hub.rev;
      },
      catchUp: (w) => this.catchUp(w),
      cancel: (w) => this.cancel(w),
    };
  }

  /** The last notified revision. */
  get revision(): number {
    return this.rev;
  }

  stats(): WatchHubStats {
    return { revision: this.rev, watchers: this.synced.size + this.unsynced.size, synced: this.synced.size, unsynced: this.unsynced.size };
  }

  /**
   * Registers a watcher. A new watcher starts ready: its consumer pulls next() until it returns
   * undefined, and from then on pulls again whenever onReady is called. onReady is called from
   * inside notify() and restored(): it should only schedule the pull.
   */
  watch(spec: WatchSpec, onReady: () => void): WatchResult {
    const r = watchRange(spec.key, spec.rangeEnd);
    if (!r.ok) return r;
    const requested = spec.startRevision ?? 0;
    if (!Number.isSafeInteger(requested)) throw new WatchBug(`start revision ${requested} is not an integer`);
    const start = requested <= 0 ? this.rev + 1 : requested;
    const options = { prevKv: spec.prevKv === true, noPut: spec.noPut === true, noDelete: spec.noDelete === true };
    const synced = start > this.rev;
    const w = new HubWatcher(this.link, r.range, start, options, onReady, synced);
    if (synced) this.synced.add(w);
    else this.unsynced.add(w);
    return { ok: true, watcher: w };
  }

  /** The events of one applied revision (see the rules at the top). */
  notify(revision: number, events: readonly Event[]): void {
    if (revision === this.rev && events.length === 0) return;
    if (revision !== this.rev + 1) {
      throw new WatchBug(`notify(${revision}) after revision ${this.rev}: revisions must arrive in order, each once`);
    }
    this.rev = revision;
    if (events.length === 0) return;
    for (const [w, matched] of this.synced.match(events)) {
      if (w.state !== 'synced' || revision < w.startRevision) continue;
      const selected = w.select(matched);
      if (selected.length === 0) continue;
      if (w.queuedEvents >= this.maxBuffered) {
        // Slow consumer: stop feeding it; it reads this revision on from history when it pulls.
        this.synced.delete(w);
        w.state = 'unsynced';
        w.nextRevision = revision;
        this.unsynced.add(w);
        continue;
      }
      const wasEmpty = w.queueEmpty;
      w.enqueue({ type: 'events', revision, events: selected });
      if (wasEmpty) w.onReady();
    }
  }

  /**
   * The source jumped ahead of the hub (a Raft snapshot was installed): the revisions between
   * are not notified. Every synced watcher falls back to history from where it was; onReady is
   * called for each. Revisions of the gap that the snapshot compacted give those watchers the
   * compacted answer.
   */
  restored(): void {
    const rev = this.source.currentRevision();
    if (rev < this.rev) throw new WatchBug(`restored to revision ${rev}, behind the hub's ${this.rev}`);
    const moved = [...this.synced];
    for (const w of moved) {
      this.synced.delete(w);
      w.state = 'unsynced';
      w.nextRevision = Math.max(w.startRevision, this.rev + 1);
      this.unsynced.add(w);
    }
    this.rev = rev;
    for (const w of moved) w.onReady();
  }

  private catchUp(w: HubWatcher): WatchDelivery | undefined {
    while (w.state === 'unsynced' && w.queueEmpty) {
      const from = w.nextRevision;
      if (from > this.rev) {
        this.unsynced.delete(w);
        w.state = 'synced';
        this.synced.add(w);
        break;
      }
      const h = this.source.eventsFrom(from, w.range.key, w.range.rangeEnd, this.historyBatch);
      if (h.type === 'compacted') {
        this.close(w);
        return { type: 'compacted', compactRevision: h.compactRevision };
      }
      // Revisions above the hub's are not notified yet: they will come live.
      const upTo = Math.min(h.nextRevision, this.rev + 1);
      if (upTo <= from) throw new WatchBug(`history source did not advance from revision ${from} (source behind the hub?)`);
      let i = 0;
      const evs = h.events;
      while (i < evs.length) {
        const revision = evs[i]!.kv.modRevision;
        let j = i + 1;
        while (j < evs.length && evs[j]!.kv.modRevision === revision) j++;
        if (revision >= upTo) break;
        if (revision >= from) {
          const selected = w.select(evs.slice(i, j));
          if (selected.length > 0) w.enqueue({ type: 'events', revision, events: selected });
        }
        i = j;
      }
      w.nextRevision = upTo;
    }
    return undefined;
  }

  private cancel(w: HubWatcher): void {
    this.close(w);
  }

  private close(w: HubWatcher): void {
    if (w.state === 'synced') this.synced.delete(w);
    else if (w.state === 'unsynced') this.unsynced.delete(w);
    w.state = 'closed';
    w.clear();
  }
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`watch hub: ${name} must be a positive integer, got ${v}`);
  return v;
}
