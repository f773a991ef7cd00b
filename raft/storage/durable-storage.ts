import { join } from 'node:path';
import { RaftError, RaftErrorCode } from '../core/errors.js';
import type { Entry, HardState, Snapshot } from '../core/types.js';
import { MemoryStorage } from './memory-storage.js';
import { loadNewest, saveSnapshot } from './snapshot-files.js';
import { Wal } from './wal.js';

export interface DurableStorageOptions {
  /** WAL segment size in bytes (default 64 MiB). */
  segmentBytes?: number;
  /** Snapshot files kept (default 2). */
  keepSnapshots?: number;
  /** fsync everything. Turn off only in tests and benchmarks. */
  sync?: boolean;
}

/** The parts of a Ready that must be on disk before its messages leave. */
export interface ReadyToSave {
  hardState?: HardState | undefined;
  entries: Entry[];
  snapshot?: Snapshot | undefined;
}

/**
 * Disk under the in-memory log the Raft core reads: snapshot files in `<dir>/snap`, the WAL
 * in `<dir>/wal`. Rules:
 * - save() makes a Ready durable (snapshot file, then WAL marker, then hard state and
 *   entries), then applies it to `storage`; the driver sends messages only after it resolves.
 * - On open, the newest intact snapshot must be at or after the WAL's last snapshot marker;
 *   a snapshot saved just before a crash that the WAL never marked is marked now.
 */
export class DurableStorage {
  private constructor(
    /** The log the Raft core reads; filled from disk on open, updated by save(). */
    readonly storage: MemoryStorage,
    /** Damaged snapshot files skipped on open. */
    readonly warnings: readonly string[],
    private readonly wal: Wal,
    private readonly snapDir: string,
    private readonly opts: DurableStorageOptions,
  ) {}

  static async open(dir: string, opts: DurableStorageOptions = {}): Promise<DurableStorage> {
    const snapDir = join(dir, 'snap');
    const loaded = await loadNewest(snapDir);
    const { wal, replay } = await Wal.open(join(dir, 'wal'), { segmentBytes: opts.segmentBytes, sync: opts.sync });
    try {
      const snap = loaded?.snapshot;
      const snapIndex = snap?.meta.index ?? 0;
      if (replay.snapshotIndex > snapIndex) {
        throw new RaftError(
          RaftErrorCode.Corrupt,
          `the WAL in ${dir} starts after a snapshot at ${replay.snapshotIndex}, but the newest intact snapshot file is ` +
            (loaded === undefined ? 'none' : `${loaded.file} at ${snapIndex}`) +
            (loaded?.warnings.length ? ` (${loaded.warnings.join('; ')})` : ''),
        );
      }
      if (snap !== undefined && snapIndex > replay.snapshotIndex) await wal.markSnapshot(snapIndex, snap.meta.term);

      const storage = new MemoryStorage();
      if (snap !== undefined) storage.applySnapshot(snap);
      storage.setHardState(replay.hardState);
      storage.append(replay.entries); // drops entries the snapshot already covers
      return new DurableStorage(storage, loaded?.warnings ?? [], wal, snapDir, opts);
    } catch (err) {
      await wal.close();
      throw err;
    }
  }

  /** Persists a Ready's snapshot, hard state and entries, then applies them to `storage`. */
  async save(rd: ReadyToSave): Promise<void> {
    const snap = rd.snapshot;
    if (snap !== undefined) {
      await this.writeSnapshotFile(snap);
      // Queued back to back, so one fsync covers the marker and the records.
      await Promise.all([this.wal.markSnapshot(snap.meta.index, snap.meta.term), this.wal.save(rd.hardState, rd.entries)]);
      this.storage.applySnapshot(snap);
    } else {
      await this.wal.save(rd.hardState, rd.entries);
    }
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
    this.storage.append(rd.entries);
  }

  /**
   * Persists a snapshot the application made (usually via storage.createSnapshot, which also
   * compacts the in-memory log) and releases the WAL segments it makes unnecessary.
   */
  async saveSnapshotAndCompact(snapshot: Snapshot): Promise<void> {
    await this.writeSnapshotFile(snapshot);
    await this.wal.markSnapshot(snapshot.meta.index, snapshot.meta.term);
    await this.wal.releaseUpTo(snapshot.meta.index);
  }

  /** WAL fsyncs so far, for metrics. */
  get walFsyncCount(): number {
    return this.wal.fsyncCount;
  }

  async close(): Promise<void> {
    await this.wal.close();
  }

  private async writeSnapshotFile(snap: Snapshot): Promise<void> {
    await saveSnapshot(this.snapDir, snap, { keep: this.opts.keepSnapshots, sync: this.opts.sync });
  }
}
