// The audit log file: one JSON line per request, appended by a single background writer.
//
// Rotation by size: before a line would take audit.log past maxBytes, audit.log becomes
// audit.log.1 (audit.log.1 → .2, ...; the oldest beyond maxBackups is removed) and a new
// audit.log starts. A line longer than maxBytes gets a file of its own. Files are created 0600
// (and an existing audit.log is chmod-ed to 0600): audit lines name users and objects.
//
// Buffering: record() puts the line in an in-memory queue of at most maxBufferedLines lines and
// returns; the writer takes the whole queue as one batch, appends it with one write, and (fsync
// "batch", the default) fsyncs the file before taking the next batch, so a crash loses at most
// the batch in flight and what is queued. With fsync "never" the OS decides (faster, loses more
// on power failure). Rotation always fsyncs the old file and the directory.
//
// A slow or stuck disk: the queue fills. overflow "block" (the default, like Kubernetes' blocking
// log backend) makes record() wait for room, so requests slow down with the disk instead of going
// unaudited; overflow "drop" returns at once, counts the lost lines, and writes a note line
// {"dropped": n} before the next line that fits. Memory stays bounded either way: at most
// maxBufferedLines queued plus one batch being written.
//
// close() accepts no more lines, waits for every queued (and blocked) line to be written,
// fsyncs and closes: an orderly shutdown loses nothing. A failed write is reported to onError
// and its lines are counted as failed; the writer keeps going with the next batch.
import type { FileHandle } from 'node:fs/promises';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEvent } from './audit-event.js';
import { auditLine } from './audit-event.js';

export interface AuditWriterOptions {
  readonly path: string;
  /** Size at which audit.log is rotated. */
  readonly maxBytes: number;
  /** Rotated files kept (audit.log.1 .. audit.log.N); 0 keeps none. */
  readonly maxBackups: number;
  readonly maxBufferedLines?: number;
  readonly overflow?: 'block' | 'drop';
  readonly fsync?: 'batch' | 'never';
  readonly onError?: (e: Error) => void;
}

export interface AuditStats {
  readonly written: number;
  readonly dropped: number;
  readonly failed: number;
  readonly rotations: number;
  readonly queued: number;
}

export class AuditClosedError extends Error {
  override readonly name = 'AuditClosedError';
  readonly code = 'audit-closed';
  constructor() {
    super('the audit log is closed');
  }
}

const FILE_MODE = 0o600;

export class AuditWriter {
  private queue: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private pumping: Promise<void> | undefined;
  private closed = false;
  private droppedSinceNote = 0;
  private counts = { written: 0, dropped: 0, failed: 0, rotations: 0 };
  private readonly maxQueued: number;

  private constructor(
    private readonly o: AuditWriterOptions,
    private fh: FileHandle,
    private size: number,
  ) {
    this.maxQueued = o.maxBufferedLines ?? 10_000;
  }

  static async open(o: AuditWriterOptions): Promise<AuditWriter> {
    if (!(o.maxBytes > 0)) throw new Error(`audit: maxBytes must be positive, got ${o.maxBytes}`);
    if (!Number.isInteger(o.maxBackups) || o.maxBackups < 0) throw new Error(`audit: maxBackups must be a whole number ≥ 0, got ${o.maxBackups}`);
    if (o.maxBufferedLines !== undefined && !(o.maxBufferedLines >= 1)) throw new Error(`audit: maxBufferedLines must be ≥ 1, got ${o.maxBufferedLines}`);
    await mkdir(dirname(o.path), { recursive: true, mode: 0o700 });
    const fh = await openLog(o.path);
    return new AuditWriter(o, fh, (await fh.stat()).size);
  }

  /** Queues the event's line. Resolves once queued (not written); rejects after close(). */
  record(e: AuditEvent): Promise<void> {
    if (this.closed) return Promise.reject(new AuditClosedError());
    const line = auditLine(e);
    if (this.waiters.length === 0 && this.queue.length < this.maxQueued) {
      this.enqueue(line, e.time);
      return Promise.resolve();
    }
    if (this.o.overflow === 'drop') {
      this.counts.dropped++;
      this.droppedSinceNote++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(() => (this.enqueue(line, e.time), resolve())));
  }

  /** Resolves when everything recorded so far is written (and fsynced with fsync "batch"). */
  async flush(): Promise<void> {
    for (let i = 0; this.pumping !== undefined; i++) {
      if (i > 1_000_000) throw new Error('audit: flush did not finish');
      await this.pumping;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return this.flush();
    this.closed = true;
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
  }

  stats(): AuditStats {
    return { ...this.counts, queued: this.queue.length + this.waiters.length };
  }

  private enqueue(line: string, time: Date): void {
    if (this.droppedSinceNote > 0) {
      this.queue.push(`${JSON.stringify({ time: time.toISOString(), dropped: this.droppedSinceNote, note: 'audit buffer was full; these events were not logged' })}\n`);
      this.droppedSinceNote = 0;
    }
    this.queue.push(line);
    this.kick();
  }

  private kick(): void {
    if (this.pumping !== undefined) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      // Room again: let blocked callers in, in arrival order.
      while (this.waiters.length > 0 && this.queue.length < this.maxQueued) this.waiters.shift()!();
      try {
        await this.writeBatch(batch);
        if (this.o.fsync !== 'never') await this.fh.sync();
      } catch (e) {
        this.o.onError?.(e as Error);
      }
    }
  }

  private async writeBatch(lines: readonly string[]): Promise<void> {
    let chunk: string[] = [];
    let chunkBytes = 0;
    const writeChunk = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const n = chunk.length;
      try {
        await this.fh.write(chunk.join(''));
        this.counts.written += n;
      } catch (e) {
        this.counts.failed += n;
        throw e;
      } finally {
        chunk = [];
        chunkBytes = 0;
      }
    };
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (this.size + chunkBytes > 0 && this.size + chunkBytes + bytes > this.o.maxBytes) {
        await writeChunk();
        await this.rotate();
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    const pending = chunkBytes;
    await writeChunk();
    this.size += pending;
  }

  private async rotate(): Promise<void> {
    const p = this.o.path;
    await this.fh.sync();
    await this.fh.close();
    if (this.o.maxBackups === 0) await rm(p, { force: true });
    else {
      await rm(`${p}.${this.o.maxBackups}`, { force: true });
      for (let i = this.o.maxBackups - 1; i >= 1; i--) await renameIfExists(`${p}.${i}`, `${p}.${i + 1}`);
      await rename(p, `${p}.1`);
    }
    await syncDir(dirname(p));
    this.fh = await openLog(p);
    this.size = 0;
    this.counts.rotations++;
  }
}

async function openLog(path: string): Promise<FileHandle> {
  const fh = await open(path, 'a', FILE_MODE);
  // An existing file keeps its mode on open: narrow it.
  if (((await fh.stat()).mode & 0o777) !== FILE_MODE) await chmod(path, FILE_MODE);
  return fh;
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await stat(from);
  } catch {
    return;
  }
  await rename(from, to);
}

/** Makes renames durable. */
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
