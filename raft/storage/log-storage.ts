import type { ConfState, Entry, HardState, Snapshot } from '../core/types.js';

/**
 * The stable log as the Raft core reads it. Rules:
 * - It holds a contiguous run of entries (firstIndex()..lastIndex()) after the last snapshot.
 * - `term(snapshot.meta.index)` answers from the snapshot metadata.
 * - Reads of compacted indexes throw RaftError(Compacted); of indexes past the end,
 *   RaftError(Unavailable).
 * - The core never writes: the driver appends what a Ready told it to persist, after persisting.
 */
export interface LogStorage {
  initialState(): { hardState: HardState; conf: ConfState };
  /** Entries [lo, hi), cut to at most maxBytes of data (always at least one entry). */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

export function entrySize(e: Entry): number {
  // data plus a small fixed overhead for term/index/type on the wire
  return e.data.byteLength + 24;
}

/** Cuts `entries` so their total size stays within maxBytes, keeping at least one. */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries;
  let size = entrySize(entries[0]!);
  let n = 1;
  for (; n < entries.length; n++) {
    size += entrySize(entries[n]!);
    if (size > maxBytes) break;
  }
  return n === entries.length ? entries : entries.slice(0, n);
}
