import { RaftBug, RaftError, RaftErrorCode } from '../core/errors.js';
import type { ConfState, Entry, HardState, Snapshot } from '../core/types.js';
import { EMPTY } from '../core/types.js';
import type { LogStorage } from './log-storage.js';
import { limitSize } from './log-storage.js';
import { bootstrapEntries } from '../core/conf-change.js';

/**
 * The in-memory log: the LogStorage the core reads in tests, and the read cache that the
 * durable driver keeps in front of the write-ahead log (which is only written and replayed).
 */
export class MemoryStorage implements LogStorage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot = { meta: { index: 0, term: 0, conf: { voters: [], learners: [] } }, data: EMPTY };
  // The log starts after (offsetIndex, offsetTerm): the last compacted entry, at or before the
  // snapshot. ents[i] has index offsetIndex + 1 + i.
  private offsetIndex = 0;
  private offsetTerm = 0;
  private ents: Entry[] = [];

  /**
   * A new cluster's first log, as every founding member writes it: one committed AddVoter
   * entry per member at term 1. A member added later starts empty and learns the whole
   * membership from these entries (or a snapshot) like any other entry.
   */
  static bootstrap(voters: number[]): MemoryStorage {
    const s = new MemoryStorage();
    s.append(bootstrapEntries(voters));
    s.setHardState({ term: 1, vote: 0, commit: voters.length });
    return s;
  }

  /** A static membership held in an initial snapshot (for tests of a fixed cluster). */
  static withVoters(voters: number[]): MemoryStorage {
    const s = new MemoryStorage();
    s.snap = { meta: { index: 0, term: 0, conf: { voters: [...voters], learners: [] } }, data: EMPTY };
    return s;
  }

  initialState(): { hardState: HardState; conf: ConfState } {
    return { hardState: { ...this.hardState }, conf: this.snap.meta.conf };
  }

  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const first = this.offsetIndex + 1;
    if (lo < first) throw new RaftError(RaftErrorCode.Compacted, `index ${lo} is compacted (first is ${first})`);
    if (hi > this.lastIndex() + 1) {
      throw new RaftError(RaftErrorCode.Unavailable, `entries up to ${hi - 1} requested, last is ${this.lastIndex()}`);
    }
    return limitSize(this.ents.slice(lo - first, hi - first), maxBytes);
  }

  term(index: number): number {
    if (index === this.offsetIndex) return this.offsetTerm;
    if (index < this.offsetIndex) throw new RaftError(RaftErrorCode.Compacted, `index ${index} is compacted`);
    const e = this.ents[index - this.offsetIndex - 1];
    if (e === undefined) throw new RaftError(RaftErrorCode.Unavailable, `index ${index} is past the end`);
    return e.term;
  }

  firstIndex(): number {
    return this.offsetIndex + 1;
  }

  lastIndex(): number {
    return this.offsetIndex + this.ents.length;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces everything with the snapshot. Returns false (and changes nothing) if it is older. */
  applySnapshot(snap: Snapshot): boolean {
    if (snap.meta.index <= this.snap.meta.index) return false;
    this.snap = snap;
    this.offsetIndex = snap.meta.index;
    this.offsetTerm = snap.meta.term;
    this.ents = [];
    return true;
  }

  /**
   * Records a snapshot of the state machine at `index` (made by the application), then drops
   * the entries before `index - keepEntries` so slow followers can still catch up from the log.
   */
  createSnapshot(index: number, conf: ConfState, data: Uint8Array, keepEntries = 0): Snapshot {
    if (index <= this.snap.meta.index) return this.snap;
    if (index > this.hardState.commit) throw new RaftBug(`snapshot at ${index} is past commit ${this.hardState.commit}`);
    this.snap = { meta: { index, term: this.term(index), conf }, data };
    this.compact(index - keepEntries);
    return this.snap;
  }

  /** Drops the entries up to and including `index` (never past the snapshot). */
  compact(index: number): void {
    const upTo = Math.min(index, this.snap.meta.index);
    if (upTo <= this.offsetIndex) return;
    const term = this.term(upTo);
    this.ents = this.ents.slice(upTo - this.offsetIndex);
    this.offsetIndex = upTo;
    this.offsetTerm = term;
  }

  /**
   * Appends entries, replacing any conflicting suffix. Entries already compacted are ignored;
   * a gap is a bug in the caller.
   */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[entries.length - 1]!.index;
    if (last < first) return;
    let es = entries;
    if (es[0]!.index < first) es = es.slice(first - es[0]!.index);
    const offset = es[0]!.index - first;
    if (offset > this.ents.length) {
      throw new RaftBug(`append leaves a gap: last ${this.lastIndex()}, appending from ${es[0]!.index}`);
    }
    this.ents.length = offset;
    for (const e of es) this.ents.push(e);
  }
}
