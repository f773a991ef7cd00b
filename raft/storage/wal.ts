import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { RaftBug, RaftError, RaftErrorCode } from '../core/errors.js';
import type { Entry, HardState } from '../core/types.js';
import { fsyncDir } from './fsync-dir.js';
import { RecordType, encodeSave, encodeSegmentHeader, encodeSnapshotMarker } from './wal-record.js';
import type { WalReplay } from './wal-replay.js';
import { WalReplayer } from './wal-replay.js';
import { listSegments, scanSegment, segmentFileName } from './wal-segment.js';

export type { WalReplay } from './wal-replay.js';

export interface WalOptions {
  /** A segment is closed and a new one started once it holds at least this many bytes. */
  segmentBytes?: number;
  /** fdatasync before save() resolves. Turn off only in tests and benchmarks. */
  sync?: boolean;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

interface Segment {
  seq: number;
  path: string;
  /** Highest entry index written to this segment (0 if none). */
  maxIndex: number;
}

/** One queued save() or markSnapshot(): its bytes and what they change once written. */
interface Pending {
  buf: Buffer;
  hardState: HardState | undefined;
  snapshot: { index: number; term: number } | undefined;
  maxIndex: number;
  lastIndex: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The write-ahead log: written and fsynced on the hot path, read only by open().
 * Rules:
 * - save() resolves only when its records (and everything saved before them) are on disk.
 *   Calls made while an fsync runs are written together and covered by the next single fsync.
 * - Records reach the file in call order; entries must continue the log (no gaps) and lie
 *   after the last snapshot marker.
 * - After a failed write or fsync the WAL refuses all further work: the state of the file is
 *   unknown and retrying an fsync can report success for lost data. Reopen to recover.
 * - Every segment starts with the snapshot marker and hard state current at its creation,
 *   so releasing older segments never loses either.
 * - One process at a time: the WAL does not lock its directory.
 */
export class Wal {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private releasing: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  private syncs = 0;

  // As accepted by save()/markSnapshot() (queued, maybe not yet written).
  private lastIndex: number;
  private snapshotIndex: number;
  // As written to the active segment: the header of the next segment repeats these.
  private writtenHardState: HardState;
  private writtenSnapshotIndex: number;
  private writtenSnapshotTerm: number;
  private writtenLastIndex: number;
  // Segments up to a durable marker's index may be released.
  private durableSnapshotIndex: number;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private readonly sync: boolean,
    private readonly segments: Segment[],
    private fh: FileHandle,
    private size: number,
    replay: WalReplay,
  ) {
    this.snapshotIndex = replay.snapshotIndex;
    this.lastIndex = replay.snapshotIndex + replay.entries.length;
    this.writtenHardState = { ...replay.hardState };
    this.writtenSnapshotIndex = replay.snapshotIndex;
    this.writtenSnapshotTerm = replay.snapshotTerm;
    this.writtenLastIndex = this.lastIndex;
    this.durableSnapshotIndex = replay.snapshotIndex;
  }

  /**
   * Opens (or creates) the WAL in `dir` and replays it. A torn tail of the last segment is
   * truncated away; any other damage throws RaftError(Corrupt) naming the file and byte offset
   * before anything on disk is changed.
   */
  static async open(dir: string, opts: WalOptions = {}): Promise<{ wal: Wal; replay: WalReplay }> {
    const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes <= 0) {
      throw new RangeError(`wal: segmentBytes must be a positive integer, got ${segmentBytes}`);
    }
    const sync = opts.sync ?? true;
    const created = await mkdir(dir, { recursive: true });
    if (created !== undefined && sync) await fsyncCreatedDirs(dir, created);

    // Read and check everything first; the disk is changed only once all of it is sound.
    const { segments, replay, tail } = await readSegments(dir);

    let fh: FileHandle;
    let size: number;
    const last = segments[segments.length - 1];
    if (last === undefined) {
      const path = join(dir, segmentFileName(0, replay.snapshotIndex + 1));
      fh = await open(path, 'wx');
      segments.push({ seq: 0, path, maxIndex: 0 });
      size = 0;
    } else {
      fh = await open(last.path, 'r+');
      size = tail.validEnd;
    }
    try {
      if (tail.torn) {
        await fh.truncate(size);
        if (sync) await fh.sync();
      }
      const wal = new Wal(dir, segmentBytes, sync, segments, fh, size, replay);
      if (last === undefined) {
        await wal.appendHeader();
        if (sync) await wal.syncDir();
      } else if (!tail.hasHardState) {
        // A crash cut the header of the newest segment: write it again before anything else.
        await wal.appendHeader();
      }
      return { wal, replay };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** fsync/fdatasync calls made so far (files and directories). */
  get fsyncCount(): number {
    return this.syncs;
  }

  /**
   * Appends the hard state (if any) and entries; resolves once they are durable. Entries must
   * be contiguous, start at or before lastIndex + 1 (a lower start replaces the suffix) and
   * after the last snapshot marker.
   */
  save(hardState: HardState | undefined, entries: readonly Entry[]): Promise<void> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    let maxIndex = 0;
    const first = entries[0];
    if (first !== undefined) {
      for (let k = 1; k < entries.length; k++) {
        if (entries[k]!.index !== first.index + k) {
          return Promise.reject(new RaftBug(`wal: entries not contiguous at ${entries[k]!.index} (first ${first.index})`));
        }
      }
      if (first.index <= this.snapshotIndex) {
        return Promise.reject(new RaftBug(`wal: entry ${first.index} is at or before the snapshot at ${this.snapshotIndex}`));
      }
      if (first.index > this.lastIndex + 1) {
        return Promise.reject(new RaftBug(`wal: entry ${first.index} leaves a gap after ${this.lastIndex}`));
      }
      maxIndex = first.index + entries.length - 1;
      this.lastIndex = maxIndex;
    }
    return this.enqueue(encodeSave(hardState, entries), hardState, undefined, maxIndex);
  }

  /**
   * Records that a snapshot at (index, term) is durable elsewhere; resolves once the marker is
   * on disk. Replay then starts the log after `index`. An older or equal marker is a no-op.
   */
  markSnapshot(index: number, term: number): Promise<void> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    if (index <= this.snapshotIndex) return this.enqueue(Buffer.alloc(0), undefined, undefined, 0);
    this.snapshotIndex = index;
    this.lastIndex = Math.max(this.lastIndex, index);
    return this.enqueue(encodeSnapshotMarker(index, term), undefined, { index, term }, 0);
  }

  /**
   * Deletes old segments whose entries are all <= index (capped at the last durable snapshot
   * marker); never the active one. Resolves to the number of segments deleted.
   */
  releaseUpTo(index: number): Promise<number> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const upTo = Math.min(index, this.durableSnapshotIndex);
    const victims: Segment[] = [];
    // Only a prefix: sequence numbers on disk must stay consecutive.
    while (this.segments.length > 1 && this.segments[0]!.maxIndex <= upTo) victims.push(this.segments.shift()!);
    if (victims.length === 0) return Promise.resolve(0);
    const run = this.releasing.then(async () => {
      for (const v of victims) await unlink(v.path);
      if (this.sync) await this.syncDir();
      return victims.length;
    });
    this.releasing = run.catch(() => undefined);
    return run;
  }

  /** Waits for queued saves and releases, then closes the file. Later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.releasing;
    await this.fh.close();
  }

  private refusal(): Error | undefined {
    if (this.failure !== undefined) {
      return new Error('wal: an earlier write or fsync failed; reopen the WAL to recover', { cause: this.failure });
    }
    if (this.closed) return new Error('wal: closed');
    return undefined;
  }

  private enqueue(
    buf: Buffer,
    hardState: HardState | undefined,
    snapshot: Pending['snapshot'],
    maxIndex: number,
  ): Promise<void> {
    const lastIndex = this.lastIndex;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf, hardState, snapshot, maxIndex, lastIndex, resolve, reject });
      // flushLoop awaits before anything else, so it cannot clear `flushing` before this
      // assignment.
      this.flushing ??= this.flushLoop();
    });
  }

  // Group commit: each turn takes everything queued so far, writes it with one write and
  // covers it with one fdatasync; calls arriving meanwhile wait for the next turn.
  private async flushLoop(): Promise<void> {
    // Start on the next microtask, so calls made in the same tick share the first fsync.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.writeBatch(batch);
      } catch (err) {
        this.failure = err;
        for (const p of [...batch, ...this.queue]) p.reject(err);
        this.queue = [];
        break;
      }
      for (const p of batch) p.resolve();
    }
    this.flushing = undefined;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const buf = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((p) => p.buf));
    if (buf.length > 0) {
      if (this.size >= this.segmentBytes) {
        await this.rotate(buf);
      } else {
        await writeAll(this.fh, buf, this.size);
        this.size += buf.length;
        if (this.sync) await this.syncData();
      }
    }
    const active = this.segments[this.segments.length - 1]!;
    for (const p of batch) {
      if (p.hardState !== undefined) this.writtenHardState = { ...p.hardState };
      if (p.snapshot !== undefined) {
        this.writtenSnapshotIndex = p.snapshot.index;
        this.writtenSnapshotTerm = p.snapshot.term;
      }
      active.maxIndex = Math.max(active.maxIndex, p.maxIndex);
      this.writtenLastIndex = p.lastIndex;
    }
    this.durableSnapshotIndex = this.writtenSnapshotIndex;
  }

  /** Starts the next segment with its header followed by `buf`; durable (file and dir) on return. */
  private async rotate(buf: Buffer): Promise<void> {
    const seq = this.segments[this.segments.length - 1]!.seq + 1;
    const path = join(this.dir, segmentFileName(seq, this.writtenLastIndex + 1));
    const header = encodeSegmentHeader(this.writtenHardState, this.writtenSnapshotIndex, this.writtenSnapshotTerm);
    const fh = await open(path, 'wx');
    try {
      await writeAll(fh, Buffer.concat([header, buf]), 0);
      if (this.sync) {
        await fh.sync();
        this.syncs++;
        await this.syncDir();
      }
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    const old = this.fh;
    this.fh = fh;
    this.size = header.length + buf.length;
    this.segments.push({ seq, path, maxIndex: 0 });
    await old.close();
  }

  /** Appends the current header records to the active segment (open() only). */
  private async appendHeader(): Promise<void> {
    const header = encodeSegmentHeader(this.writtenHardState, this.writtenSnapshotIndex, this.writtenSnapshotTerm);
    await writeAll(this.fh, header, this.size);
    this.size += header.length;
    if (this.sync) {
      await this.fh.sync();
      this.syncs++;
    }
  }

  private async syncData(): Promise<void> {
    await this.fh.datasync();
    this.syncs++;
  }

  private async syncDir(): Promise<void> {
    await fsyncDir(this.dir);
    this.syncs++;
  }
}

/**
 * Reads and replays every segment without changing anything. Damage is allowed only as a torn
 * tail of the last segment (reported in `tail`); anything else throws RaftError(Corrupt).
 */
async function readSegments(
  dir: string,
): Promise<{ segments: Segment[]; replay: WalReplay; tail: { validEnd: number; torn: boolean; hasHardState: boolean } }> {
  const names = await listSegments(dir);
  const replayer = new WalReplayer();
  const segments: Segment[] = [];
  let tail = { validEnd: 0, torn: false, hasHardState: false };
  for (const [i, name] of names.entries()) {
    const path = join(dir, name.file);
    const prev = names[i - 1];
    if (prev !== undefined && name.seq !== prev.seq + 1) {
      throw new RaftError(RaftErrorCode.Corrupt, `WAL segment ${path} follows ${join(dir, prev.file)}: a segment is missing`);
    }
    const seg: Segment = { seq: name.seq, path, maxIndex: 0 };
    let hasHardState = false;
    const scan = scanSegment(await readFile(path), (rec, off) => {
      replayer.apply(rec, `${path}:${off}`);
      if (rec.type === RecordType.Entry) seg.maxIndex = Math.max(seg.maxIndex, rec.entry.index);
      if (rec.type === RecordType.HardState) hasHardState = true;
    });
    const isLast = i === names.length - 1;
    if (scan.bad !== undefined && (!isLast || scan.bad.validAfter !== undefined)) {
      const why = isLast ? `a valid record follows at byte ${String(scan.bad.validAfter)}` : 'it is not the last segment';
      throw new RaftError(
        RaftErrorCode.Corrupt,
        `WAL segment ${path} is corrupt at byte ${scan.bad.offset} (${scan.bad.reason}); not a torn write because ${why}`,
      );
    }
    segments.push(seg);
    tail = { validEnd: scan.validEnd, torn: scan.bad !== undefined, hasHardState };
  }
  return { segments, replay: replayer.finish(), tail };
}

async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
    off += bytesWritten;
  }
}

/** Makes directories just created by mkdir -p durable: each one's parent is fsynced. */
async function fsyncCreatedDirs(dir: string, firstCreated: string): Promise<void> {
  const stop = resolve(firstCreated);
  for (let d = resolve(dir); ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === stop || dirname(d) === d) return;
  }
}
