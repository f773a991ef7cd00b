import type { LogStorage } from '../storage/log-storage.js';
import { limitSize } from '../storage/log-storage.js';
import { RaftBug, RaftError, RaftErrorCode } from './errors.js';
import type { Entry, Snapshot } from './types.js';
import { Unstable } from './unstable.js';

/**
 * The log as the core sees it: the stable part in storage followed by the unstable part, plus
 * the commit and apply positions. Invariant: applied <= committed <= lastIndex().
 */
export class RaftLog {
  readonly unstable: Unstable;
  committed: number;
  applied: number;

  constructor(
    readonly storage: LogStorage,
    private readonly maxApplyBytes: number,
  ) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /** The term of entry i, or 0 if i is out of the known log (compacted or past the end). */
  term(i: number): number {
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return 0;
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    try {
      return this.storage.term(i);
    } catch (e) {
      if (e instanceof RaftError && (e.code === RaftErrorCode.Compacted || e.code === RaftErrorCode.Unavailable)) return 0;
      throw e;
    }
  }

  /** Like term() but distinguishes a compacted index (throws RaftError Compacted). */
  termOrThrow(i: number): number {
    const dummy = this.firstIndex() - 1;
    if (i < dummy) throw new RaftError(RaftErrorCode.Compacted, `index ${i} is compacted`);
    if (i > this.lastIndex()) throw new RaftError(RaftErrorCode.Unavailable, `index ${i} is past the end`);
    return this.unstable.maybeTerm(i) ?? this.storage.term(i);
  }

  matchTerm(i: number, t: number): boolean {
    if (i === 0) return t === 0;
    const dummy = this.firstIndex() - 1;
    if (i < dummy || i > this.lastIndex()) return false;
    return this.term(i) === t;
  }

  /** §5.4.1: a candidate's log is at least as up-to-date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (after < this.committed) throw new RaftBug(`append after ${after} is below commit ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /**
   * AppendEntries receiver (Figure 2): if the entry at prevIndex matches prevTerm, append the new
   * entries (dropping a conflicting suffix) and move commit to min(leaderCommit, last new).
   * Returns the last new index, or undefined if prevIndex/prevTerm does not match.
   */
  maybeAppend(prevIndex: number, prevTerm: number, leaderCommit: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) throw new RaftBug(`entry ${ci} conflicts with committed entry (commit ${this.committed})`);
      this.append(ents.slice(ci - prevIndex - 1));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /** The index of the first entry that is new or conflicts with ours, 0 if none. */
  private findConflict(ents: Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index <= `index` whose term is <= `term` (the leader then
   * skips a whole term of conflicting entries per round trip).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = index;
    for (;;) {
      const t = this.term(i);
      if (t <= term || i === 0) return { index: i, term: t };
      if (i < this.firstIndex()) return { index: i, term: t };
      i--;
    }
  }

  commitTo(c: number): void {
    if (c <= this.committed) return;
    if (c > this.lastIndex()) throw new RaftBug(`commit ${c} is past last index ${this.lastIndex()}`);
    this.committed = c;
  }

  /** §5.4.2: a leader only commits by counting replicas for entries of its own term. */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  appliedTo(i: number): void {
    if (i === 0) return;
    if (i > this.committed || i < this.applied) {
      throw new RaftBug(`applied ${i} out of range [${this.applied}, ${this.committed}]`);
    }
    this.applied = i;
  }

  /** Entries [lo, hi) from storage and unstable, cut to maxBytes. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo >= hi) return [];
    const first = this.firstIndex();
    if (lo < first) throw new RaftError(RaftErrorCode.Compacted, `index ${lo} is compacted (first is ${first})`);
    if (hi > this.lastIndex() + 1) throw new RaftBug(`slice [${lo},${hi}) past last ${this.lastIndex()}`);
    let out: Entry[] = [];
    const u = this.unstable.offset;
    if (lo < u) {
      out = this.storage.entries(lo, Math.min(hi, u), maxBytes);
      if (out.length < Math.min(hi, u) - lo) return out; // cut by size
    }
    if (hi > u) {
      const un = this.unstable.slice(Math.max(lo, u), hi);
      out = out.length > 0 ? out.concat(un) : un;
    }
    return limitSize(out, maxBytes);
  }

  /** Entries from i to the end, for AppendEntries. */
  entriesFrom(i: number, maxBytes: number): Entry[] {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxBytes);
  }

  /** Committed entries not yet handed out for applying, after `from` (a pending snapshot's index). */
  nextCommitted(from: number): Entry[] {
    const lo = Math.max(this.applied, from, this.firstIndex() - 1) + 1;
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, this.maxApplyBytes);
  }

  hasNextCommitted(from: number): boolean {
    const lo = Math.max(this.applied, from, this.firstIndex() - 1) + 1;
    return this.committed >= lo;
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  restore(s: Snapshot): void {
    this.committed = s.meta.index;
    this.unstable.restore(s);
  }
}
