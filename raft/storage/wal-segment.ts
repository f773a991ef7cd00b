import { readdir } from 'node:fs/promises';
import type { WalRecord } from './wal-record.js';
import { RECORD_HEADER_BYTES, decodeRecord } from './wal-record.js';

// A WAL segment is one file `%016x-%016x.wal` (sequence number, first index it was opened
// for). Sequence numbers of the files in a directory are consecutive: segments are only ever
// added at the end and released from the front.

const SEGMENT_NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;

export interface SegmentName {
  seq: number;
  firstIndex: number;
  file: string;
}

export function segmentFileName(seq: number, firstIndex: number): string {
  return `${hex16(seq)}-${hex16(firstIndex)}.wal`;
}

function hex16(n: number): string {
  return n.toString(16).padStart(16, '0');
}

export function parseSegmentFileName(file: string): SegmentName | undefined {
  const m = SEGMENT_NAME.exec(file);
  if (m === null) return undefined;
  const seq = Number.parseInt(m[1]!, 16);
  const firstIndex = Number.parseInt(m[2]!, 16);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(firstIndex)) return undefined;
  return { seq, firstIndex, file };
}

/** The segment files in `dir`, oldest first. Other files are ignored. */
export async function listSegments(dir: string): Promise<SegmentName[]> {
  const names: SegmentName[] = [];
  for (const f of await readdir(dir)) {
    const s = parseSegmentFileName(f);
    if (s !== undefined) names.push(s);
  }
  return names.sort((a, b) => a.seq - b.seq);
}

export interface BadRecord {
  offset: number;
  reason: string;
  /** Offset of a valid record somewhere after the bad one, if any: then it is not a torn tail. */
  validAfter: number | undefined;
}

export interface SegmentScan {
  /** End of the last valid record before `bad` (or of the file when nothing is bad). */
  validEnd: number;
  bad: BadRecord | undefined;
}

/**
 * Feeds the segment's valid records to `onRecord` in order and stops at the first bad one.
 * For a bad record it also looks for any valid record at any later byte offset: a torn write
 * leaves nothing valid behind it, so a valid record there means the damage is in the middle.
 */
export function scanSegment(buf: Buffer, onRecord: (rec: WalRecord, offset: number) => void): SegmentScan {
  let off = 0;
  while (off < buf.length) {
    const r = decodeRecord(buf, off);
    if (!r.ok) return { validEnd: off, bad: { offset: off, reason: r.reason, validAfter: findValidRecord(buf, off + 1) } };
    onRecord(r.record, off);
    off = r.end;
  }
  return { validEnd: off, bad: undefined };
}

function findValidRecord(buf: Buffer, from: number): number | undefined {
  for (let off = from; off + RECORD_HEADER_BYTES <= buf.length; off++) {
    // decodeRecord rejects on length and type before it computes a crc.
    if (decodeRecord(buf, off).ok) return off;
  }
  return undefined;
}
