import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { RaftError, RaftErrorCode } from '../core/errors.js';
import type { NodeId, Snapshot } from '../core/types.js';
import { fsyncDir } from './fsync-dir.js';
import { getU64, putU64 } from './u64.js';

// Snapshot files `%016x-%016x.snap` (index, term), little-endian:
//   "SNP1" | u32 crc32 of everything after it | index u64 | term u64 |
//   u32 voter count | voters u64... | u32 learner count | learners u64... | data
// Rules:
// - A file appears under its final name only once its bytes are durable (temp file, fsync,
//   rename, fsync dir), so a crash leaves the old set plus at most a `.tmp` file.
// - The newest `keep` files stay (default 2): the previous one is the fallback if the newest
//   turns out damaged.

const MAGIC = Buffer.from('SNP1', 'latin1');
const SNAP_NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;
const TMP_SUFFIX = '.tmp';

export interface SnapshotFileOptions {
  /** How many snapshot files to keep, newest first (>= 1, default 2). */
  keep?: number;
  /** fsync file and directory. Turn off only in tests and benchmarks. */
  sync?: boolean;
}

export interface LoadedSnapshot {
  snapshot: Snapshot;
  file: string;
  /** One line per newer file that was skipped because it is damaged. */
  warnings: string[];
}

interface SnapName {
  index: number;
  term: number;
  file: string;
}

export function snapshotFileName(index: number, term: number): string {
  return `${index.toString(16).padStart(16, '0')}-${term.toString(16).padStart(16, '0')}.snap`;
}

/**
 * Writes `snap` atomically, then deletes all but the newest `keep` files (and stale temp
 * files). Refuses, with RaftError(SnapshotOutOfDate), a snapshot older than the newest file.
 */
export async function saveSnapshot(dir: string, snap: Snapshot, opts: SnapshotFileOptions = {}): Promise<void> {
  const keep = opts.keep ?? 2;
  if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`snapshot files: keep must be >= 1, got ${keep}`);
  const sync = opts.sync ?? true;
  await mkdir(dir, { recursive: true });
  const newest = (await listSnapshots(dir))[0];
  if (newest !== undefined && snap.meta.index < newest.index) {
    throw new RaftError(
      RaftErrorCode.SnapshotOutOfDate,
      `snapshot at ${snap.meta.index} is older than ${join(dir, newest.file)}`,
    );
  }
  const file = snapshotFileName(snap.meta.index, snap.meta.term);
  const tmp = join(dir, file + TMP_SUFFIX);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(encodeSnapshot(snap));
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, file));
  if (sync) await fsyncDir(dir);

  // Pruning is best kept simple: losing a delete to a crash only leaves an extra old file.
  for (const old of (await listSnapshots(dir)).slice(keep)) await unlink(join(dir, old.file));
  for (const f of await readdir(dir)) {
    if (f.endsWith(TMP_SUFFIX) && SNAP_NAME.test(f.slice(0, -TMP_SUFFIX.length))) await unlink(join(dir, f));
  }
}

/**
 * The newest snapshot that reads back intact, or undefined if there is none (or no `dir`).
 * Choice: a damaged newer file is skipped with a warning and the next older one is used,
 * because the caller (DurableStorage) checks the result against the WAL's snapshot marker and
 * refuses to start when the WAL no longer holds the entries after the older snapshot. If
 * files exist but none is intact, throws RaftError(Corrupt) naming them. Changes nothing.
 */
export async function loadNewest(dir: string): Promise<LoadedSnapshot | undefined> {
  let names: SnapName[];
  try {
    names = await listSnapshots(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const warnings: string[] = [];
  for (const n of names) {
    const path = join(dir, n.file);
    const decoded = decodeSnapshot(await readFile(path));
    if (typeof decoded === 'string') {
      warnings.push(`snapshot file ${path} is corrupt (${decoded}); trying an older one`);
      continue;
    }
    if (decoded.meta.index !== n.index || decoded.meta.term !== n.term) {
      warnings.push(`snapshot file ${path} holds ${decoded.meta.index}/${decoded.meta.term}, not what its name says; trying an older one`);
      continue;
    }
    return { snapshot: decoded, file: path, warnings };
  }
  if (names.length === 0) return undefined;
  throw new RaftError(RaftErrorCode.Corrupt, `no intact snapshot file in ${dir}: ${warnings.join('; ')}`);
}

/** Snapshot files in `dir`, newest first. */
async function listSnapshots(dir: string): Promise<SnapName[]> {
  const names: SnapName[] = [];
  for (const file of await readdir(dir)) {
    const m = SNAP_NAME.exec(file);
    if (m === null) continue;
    names.push({ index: Number.parseInt(m[1]!, 16), term: Number.parseInt(m[2]!, 16), file });
  }
  return names.sort((a, b) => b.index - a.index || b.term - a.term);
}

export function encodeSnapshot(snap: Snapshot): Buffer {
  const { voters, learners } = snap.meta.conf;
  const buf = Buffer.allocUnsafe(8 + 16 + 4 + 8 * voters.length + 4 + 8 * learners.length + snap.data.byteLength);
  MAGIC.copy(buf, 0);
  let off = 8;
  off = putU64(buf, off, snap.meta.index);
  off = putU64(buf, off, snap.meta.term);
  off = putIds(buf, off, voters);
  off = putIds(buf, off, learners);
  buf.set(snap.data, off);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** The snapshot, or the reason the bytes are not one. */
export function decodeSnapshot(buf: Buffer): Snapshot | string {
  if (buf.length < 8 + 16 + 8) return 'too short';
  if (!buf.subarray(0, 4).equals(MAGIC)) return 'bad magic';
  if (crc32(buf.subarray(8)) !== buf.readUInt32LE(4)) return 'crc mismatch';
  const index = getU64(buf, 8);
  const term = getU64(buf, 16);
  const voters = getIds(buf, 24);
  if (voters === undefined) return 'bad voter list';
  const learners = getIds(buf, voters.end);
  if (learners === undefined) return 'bad learner list';
  if (index < 0 || term < 0) return 'index or term out of range';
  const data = new Uint8Array(buf.buffer, buf.byteOffset + learners.end, buf.length - learners.end);
  return { meta: { index, term, conf: { voters: voters.ids, learners: learners.ids } }, data };
}

function putIds(buf: Buffer, off: number, ids: readonly NodeId[]): number {
  buf.writeUInt32LE(ids.length, off);
  off += 4;
  for (const id of ids) off = putU64(buf, off, id);
  return off;
}

function getIds(buf: Buffer, off: number): { ids: NodeId[]; end: number } | undefined {
  if (off + 4 > buf.length) return undefined;
  const n = buf.readUInt32LE(off);
  const end = off + 4 + 8 * n;
  if (end > buf.length) return undefined;
  const ids: NodeId[] = [];
  for (let p = off + 4; p < end; p += 8) {
    const id = getU64(buf, p);
    if (id < 0) return undefined;
    ids.push(id);
  }
  return { ids, end };
}
