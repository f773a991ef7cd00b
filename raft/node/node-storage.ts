import { bootstrapEntries } from '../core/conf-change.js';
import type { Entry, HardState, Snapshot } from '../core/types.js';
import { EMPTY } from '../core/types.js';
import { MemoryStorage } from '../storage/memory-storage.js';

/** One durable write of a Ready: snapshot first, then entries, then the hard state. */
export interface PersistBatch {
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
}

/**
 * The durable side of a node's log. Rules:
 * - `save` resolves only once the batch is on stable storage (fsync); writes are applied in
 *   call order, and entries replace any stored suffix from their first index on.
 * - `saveSnapshotAndCompact` records a snapshot the application made and may then drop the
 *   log before it; the entries after the snapshot stay.
 * - The reads the core needs are served by a MemoryStorage filled when the storage was
 *   opened (see DurableStorage.open); the node keeps it up to date after every save.
 */
export interface NodeStorage {
  save(batch: PersistBatch): Promise<void>;
  saveSnapshotAndCompact(snapshot: Snapshot): Promise<void>;
  close?(): Promise<void> | void;
}

/**
 * The in-memory twin of the durable storage: it keeps what was "persisted" so that a test can
 * crash a node (drop its MemoryStorage) and reopen exactly what a disk would have held.
 */
export class MemoryNodeStorage implements NodeStorage {
  private snap: Snapshot = { meta: { index: 0, term: 0, conf: { voters: [], learners: [] } }, data: EMPTY };
  private ents: Entry[];
  private hs: HardState;
  /** Set to make the next save fail (disk error injection). */
  failNext: Error | undefined = undefined;
  saves = 0;

  /** A founding member's storage: the membership is the first log entries (as on disk). */
  constructor(voters: number[]) {
    this.ents = bootstrapEntries(voters);
    this.hs = { term: 1, vote: 0, commit: voters.length };
  }

  /** What a restart would read back: a MemoryStorage with the persisted snapshot, log and hard state. */
  open(): MemoryStorage {
    const m = new MemoryStorage();
    if (this.snap.meta.index > 0) m.applySnapshot(this.snap);
    m.append(this.ents);
    m.setHardState(this.hs);
    return m;
  }

  async save(batch: PersistBatch): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const err = this.failNext;
    if (err) {
      this.failNext = undefined;
      throw err;
    }
    this.saves++;
    if (batch.snapshot && batch.snapshot.meta.index > this.snap.meta.index) {
      this.snap = batch.snapshot;
      this.ents = [];
    }
    if (batch.entries.length > 0) {
      const first = batch.entries[0]!.index;
      const base = this.snap.meta.index + 1;
      const keep = this.ents.filter((e) => e.index < first && e.index >= base);
      this.ents = keep.concat(batch.entries.filter((e) => e.index >= base));
    }
    if (batch.hardState) this.hs = { ...batch.hardState };
  }

  async saveSnapshotAndCompact(snapshot: Snapshot): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (snapshot.meta.index <= this.snap.meta.index) return;
    this.snap = snapshot;
    this.ents = this.ents.filter((e) => e.index > snapshot.meta.index);
  }
}
