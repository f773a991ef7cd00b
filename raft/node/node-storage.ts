import { bootstrapEntries } from '../core/conf-change.js';
import type { Entry, HardState, NodeId, Snapshot } from '../core/types.js';
import { EMPTY } from '../core/types.js';
import { MemoryStorage } from '../storage/memory-storage.js';

/** One durable write of a Ready: snapshot first, then hard state and entries. */
export interface PersistBatch {
  hardState?: HardState | undefined;
  entries: Entry[];
  snapshot?: Snapshot | undefined;
}

/**
 * The durable side of a node's log (DurableStorage satisfies it). Rules:
 * - `storage` is the log the core reads, filled from disk when the storage was opened.
 * - `save` resolves only once the batch is on stable storage (fsync), and then applies it to
 *   `storage`; writes reach the disk in call order, and entries replace any stored suffix from
 *   their first index on.
 * - `saveSnapshotAndCompact` records a snapshot the application made (with
 *   storage.createSnapshot) and may then drop the log before it.
 */
export interface NodeStorage {
  readonly storage: MemoryStorage;
  save(batch: PersistBatch): Promise<void>;
  saveSnapshotAndCompact(snapshot: Snapshot): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes a new cluster's founding membership (one AddVoter entry per member, committed at
 * term 1) when the storage is empty; every founding member writes the same entries. Returns
 * whether it wrote anything. A member that joins later starts empty without this.
 */
export async function bootstrapIfEmpty(s: NodeStorage, voters: NodeId[]): Promise<boolean> {
  const log = s.storage;
  if (log.lastIndex() > 0 || log.snapshot().meta.index > 0) return false;
  if (voters.length === 0) throw new RangeError('bootstrap: at least one voter is needed');
  await s.save({ hardState: { term: 1, vote: 0, commit: voters.length }, entries: bootstrapEntries(voters) });
  return true;
}

/** What the in-memory twin keeps "on disk". */
class Disk {
  snap: Snapshot = { meta: { index: 0, term: 0, conf: { voters: [], learners: [] } }, data: EMPTY };
  ents: Entry[] = [];
  hs: HardState = { term: 0, vote: 0, commit: 0 };
}

/**
 * The in-memory twin of DurableStorage: it keeps what was "persisted" apart from the log the
 * core reads, so a test can crash a node and `reopen()` exactly what a disk would have held.
 */
export class MemoryNodeStorage implements NodeStorage {
  readonly storage: MemoryStorage;
  /** Set to make the next save fail (disk error injection). */
  failNext: Error | undefined = undefined;
  /** Extra time every save takes (a slow disk), in ms. */
  saveDelayMs = 0;
  saves = 0;

  private constructor(private readonly disk: Disk) {
    const m = new MemoryStorage();
    if (disk.snap.meta.index > 0) m.applySnapshot(disk.snap);
    m.setHardState(disk.hs);
    m.append(disk.ents);
    this.storage = m;
  }

  static open(): MemoryNodeStorage {
    return new MemoryNodeStorage(new Disk());
  }

  /** What a restart would read back: the persisted snapshot, log and hard state. */
  reopen(): MemoryNodeStorage {
    return new MemoryNodeStorage(this.disk);
  }

  async save(batch: PersistBatch): Promise<void> {
    if (this.saveDelayMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, this.saveDelayMs));
    else await new Promise<void>((resolve) => setImmediate(resolve));
    const err = this.failNext;
    if (err) {
      this.failNext = undefined;
      throw err;
    }
    this.saves++;
    const d = this.disk;
    if (batch.snapshot && batch.snapshot.meta.index > d.snap.meta.index) {
      d.snap = batch.snapshot;
      d.ents = d.ents.filter((e) => e.index > batch.snapshot!.meta.index);
    }
    if (batch.entries.length > 0) {
      const first = batch.entries[0]!.index;
      d.ents = d.ents.filter((e) => e.index < first).concat(batch.entries.filter((e) => e.index > d.snap.meta.index));
    }
    if (batch.hardState) d.hs = { ...batch.hardState };
    if (batch.snapshot) this.storage.applySnapshot(batch.snapshot);
    if (batch.hardState) this.storage.setHardState(batch.hardState);
    this.storage.append(batch.entries);
  }

  async saveSnapshotAndCompact(snapshot: Snapshot): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const d = this.disk;
    if (snapshot.meta.index <= d.snap.meta.index) return;
    d.snap = snapshot;
    d.ents = d.ents.filter((e) => e.index > snapshot.meta.index);
  }

  async close(): Promise<void> {}
}
