// The events of every write revision still kept (>= the compact revision), oldest first, for
// watchers that start in the past. Events share their KeyValues with the key histories.

import { inRange } from './bytes.js';
import { SnapshotCorruptError } from './errors.js';
import { isTombstone, liveAt } from './key-history.js';
import type { KeyHistory } from './key-history.js';
import { EventType } from './types.js';
import type { Event } from './types.js';

interface Batch {
  readonly revision: number;
  events: readonly Event[];
}

export class EventLog {
  private batches: Batch[] = [];

  /** Records the events of a new revision (higher than any recorded). */
  append(revision: number, events: readonly Event[]): void {
    this.batches.push({ revision, events });
  }

  /**
   * Events with revision >= start on keys in [key, rangeEnd), in order; whole revisions only,
   * stopping after the revision that reaches `limit` events. Returns where to continue
   * (undefined when the log was read to its end).
   */
  read(start: number, key: Uint8Array, rangeEnd: Uint8Array | undefined, limit: number): { events: Event[]; next: number | undefined } {
    const events: Event[] = [];
    const batches = this.batches;
    for (let i = this.firstAtOrAfter(start); i < batches.length; i++) {
      const batch = batches[i]!;
      for (const ev of batch.events) if (inRange(ev.kv.key, key, rangeEnd)) events.push(ev);
      if (events.length >= limit && i + 1 < batches.length) return { events, next: batch.revision + 1 };
    }
    return { events, next: undefined };
  }

  /** Forgets revisions below compactRev; the compact revision's own events lose their prev_kv
   * (that revision is compacted, as after a restore). */
  compact(compactRev: number): void {
    this.batches = this.batches.slice(this.firstAtOrAfter(compactRev));
    const head = this.batches[0];
    if (head !== undefined && head.revision === compactRev) head.events = head.events.map(withoutPrevKv);
  }

  /** Index of the first batch with revision >= rev. */
  private firstAtOrAfter(rev: number): number {
    const batches = this.batches;
    let lo = 0;
    let hi = batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (batches[mid]!.revision < rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The log of revisions >= compactRev, rebuilt from key histories exactly as writes built it:
   * an event's prev_kv is the key's value at the revision before the event's; none at the
   * compact revision (that value is compacted). */
  static rebuild(histories: Iterable<KeyHistory>, compactRev: number): EventLog {
    const changes: { rev: number; sub: number; event: Event }[] = [];
    for (const h of histories) {
      for (let i = 0; i < h.revs.length; i++) {
        const kv = h.revs[i]!;
        if (kv.modRevision < compactRev) continue;
        changes.push({
          rev: kv.modRevision,
          sub: h.subs[i]!,
          event: {
            type: isTombstone(kv) ? EventType.DELETE : EventType.PUT,
            kv,
            prevKv: kv.modRevision === compactRev ? undefined : liveAt(h, kv.modRevision - 1),
          },
        });
      }
    }
    changes.sort((a, b) => a.rev - b.rev || a.sub - b.sub);
    const log = new EventLog();
    let current: Event[] | undefined;
    let currentRev = -1;
    for (const c of changes) {
      if (c.rev !== currentRev) {
        current = [];
        currentRev = c.rev;
        log.append(c.rev, current);
      }
      if (current!.length !== c.sub) throw new SnapshotCorruptError(`sub-revisions of ${c.rev} out of sequence`);
      current!.push(c.event);
    }
    return log;
  }
}

function withoutPrevKv(e: Event): Event {
  return e.prevKv === undefined ? e : { type: e.type, kv: e.kv, prevKv: undefined };
}
