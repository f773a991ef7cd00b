import { RaftError, RaftErrorCode } from '../core/errors.js';
import type { Entry, HardState } from '../core/types.js';
import type { WalRecord } from './wal-record.js';
import { RecordType } from './wal-record.js';

export interface WalReplay {
  hardState: HardState;
  /** Contiguous, starting at snapshotIndex + 1 (or empty). */
  entries: Entry[];
  snapshotIndex: number;
  snapshotTerm: number;
}

/**
 * Rebuilds the log from WAL records, in the order they were written. Rules:
 * - An entry record for index i replaces i and everything after it.
 * - A snapshot marker at i drops the entries up to i and keeps the ones after (like etcd: they
 *   are uncommitted, and the leader overwrites any that conflict). Older markers are ignored.
 * - The last hard state record wins.
 * Segments released after a snapshot leave a hole before the first surviving entries; the
 * hole must be covered by a later snapshot marker, or the WAL is corrupt.
 */
export class WalReplayer {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snapshotIndex = 0;
  private snapshotTerm = 0;
  // ents[k] has index base + 1 + k; base >= snapshotIndex, and base > snapshotIndex is a hole.
  private base = 0;
  private ents: Entry[] = [];
  private holeAt = '';

  apply(rec: WalRecord, where: string): void {
    switch (rec.type) {
      case RecordType.HardState:
        this.hardState = rec.hardState;
        return;
      case RecordType.SnapshotMarker:
        this.applyMarker(rec.index, rec.term);
        return;
      case RecordType.Entry:
        this.applyEntry(rec.entry, where);
        return;
    }
  }

  private applyEntry(e: Entry, where: string): void {
    if (e.index <= this.snapshotIndex) return;
    const last = this.base + this.ents.length;
    if (e.index > this.base && e.index <= last + 1) {
      this.ents.length = e.index - this.base - 1;
      this.ents.push(e);
      return;
    }
    // Before the start or past the end of what we hold: start a new run (a hole until a
    // snapshot marker covers it).
    this.ents = [e];
    this.base = e.index - 1;
    this.holeAt = where;
  }

  private applyMarker(index: number, term: number): void {
    if (index <= this.snapshotIndex) return;
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    if (index < this.base) return;
    this.ents = index - this.base >= this.ents.length ? [] : this.ents.slice(index - this.base);
    this.base = index;
  }

  finish(): WalReplay {
    if (this.base > this.snapshotIndex) {
      throw new RaftError(
        RaftErrorCode.Corrupt,
        `WAL is missing entries ${this.snapshotIndex + 1}..${this.base} before the record at ${this.holeAt}`,
      );
    }
    return {
      hardState: { ...this.hardState },
      entries: this.ents,
      snapshotIndex: this.snapshotIndex,
      snapshotTerm: this.snapshotTerm,
    };
  }
}
