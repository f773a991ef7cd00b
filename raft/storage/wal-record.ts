import { crc32 } from 'node:zlib';
import type { Entry, EntryType, HardState } from '../core/types.js';
import { getU64, putU64 } from './u64.js';

// One WAL record on disk, little-endian:
//   [u32 payload length][u32 crc32 of type+payload][u8 type][payload]
// The crc covers the type byte too, so a record whose header survived a crash but whose body
// did not fails the check. Numbers are u64 on disk and must be safe integers in memory.

export const RECORD_HEADER_BYTES = 9;

export const RecordType = {
  Entry: 1,
  HardState: 2,
  SnapshotMarker: 3,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export type WalRecord =
  | { type: typeof RecordType.Entry; entry: Entry }
  | { type: typeof RecordType.HardState; hardState: HardState }
  | { type: typeof RecordType.SnapshotMarker; index: number; term: number };

// Payloads: entry = term u64, index u64, entry type u8, data; hard state = term, vote, commit
// (u64 each); snapshot marker = index u64, term u64.
const ENTRY_FIXED_BYTES = 17;
const HARD_STATE_BYTES = 24;
const MARKER_BYTES = 16;
export const HARD_STATE_RECORD_BYTES = RECORD_HEADER_BYTES + HARD_STATE_BYTES;
export const MARKER_RECORD_BYTES = RECORD_HEADER_BYTES + MARKER_BYTES;

export function entryRecordBytes(e: Entry): number {
  return RECORD_HEADER_BYTES + ENTRY_FIXED_BYTES + e.data.byteLength;
}

/** Fills in length, type and crc for the payload already written at start+9. */
function seal(buf: Buffer, start: number, type: RecordType, payloadBytes: number): number {
  const end = start + RECORD_HEADER_BYTES + payloadBytes;
  buf.writeUInt32LE(payloadBytes, start);
  buf[start + 8] = type;
  buf.writeUInt32LE(crc32(buf.subarray(start + 8, end)), start + 4);
  return end;
}

/** Writes an entry record at `off`; returns the offset after it. */
export function putEntry(buf: Buffer, off: number, e: Entry): number {
  const p = off + RECORD_HEADER_BYTES;
  putU64(buf, p, e.term);
  putU64(buf, p + 8, e.index);
  buf[p + 16] = e.type;
  buf.set(e.data, p + ENTRY_FIXED_BYTES);
  return seal(buf, off, RecordType.Entry, ENTRY_FIXED_BYTES + e.data.byteLength);
}

export function putHardState(buf: Buffer, off: number, hs: HardState): number {
  const p = off + RECORD_HEADER_BYTES;
  putU64(buf, p, hs.term);
  putU64(buf, p + 8, hs.vote);
  putU64(buf, p + 16, hs.commit);
  return seal(buf, off, RecordType.HardState, HARD_STATE_BYTES);
}

export function putSnapshotMarker(buf: Buffer, off: number, index: number, term: number): number {
  const p = off + RECORD_HEADER_BYTES;
  putU64(buf, p, index);
  putU64(buf, p + 8, term);
  return seal(buf, off, RecordType.SnapshotMarker, MARKER_BYTES);
}

export type DecodeResult = { ok: true; record: WalRecord; end: number } | { ok: false; reason: string };

/**
 * Decodes the record at `off`. A record is valid only if it lies wholly inside `buf`, its crc
 * matches, and its type and payload are well-formed; anything else is reported with a reason.
 */
export function decodeRecord(buf: Buffer, off: number): DecodeResult {
  if (off + RECORD_HEADER_BYTES > buf.length) return { ok: false, reason: 'incomplete record header' };
  const payloadBytes = buf.readUInt32LE(off);
  const end = off + RECORD_HEADER_BYTES + payloadBytes;
  if (end > buf.length) return { ok: false, reason: `record of ${payloadBytes} payload bytes runs past the end` };
  const type = buf[off + 8];
  if (type !== RecordType.Entry && type !== RecordType.HardState && type !== RecordType.SnapshotMarker) {
    return { ok: false, reason: `unknown record type ${String(type)}` };
  }
  if (crc32(buf.subarray(off + 8, end)) !== buf.readUInt32LE(off + 4)) return { ok: false, reason: 'crc mismatch' };
  const p = off + RECORD_HEADER_BYTES;
  switch (type) {
    case RecordType.Entry: {
      if (payloadBytes < ENTRY_FIXED_BYTES) return { ok: false, reason: 'entry record too short' };
      const term = getU64(buf, p);
      const index = getU64(buf, p + 8);
      const entryType = buf[p + 16];
      if (term < 0 || index <= 0 || (entryType !== 0 && entryType !== 1)) {
        return { ok: false, reason: 'malformed entry record' };
      }
      const data = new Uint8Array(buf.buffer, buf.byteOffset + p + ENTRY_FIXED_BYTES, payloadBytes - ENTRY_FIXED_BYTES).slice();
      return { ok: true, end, record: { type, entry: { term, index, type: entryType as EntryType, data } } };
    }
    case RecordType.HardState: {
      if (payloadBytes !== HARD_STATE_BYTES) return { ok: false, reason: 'hard state record of wrong size' };
      const hardState = { term: getU64(buf, p), vote: getU64(buf, p + 8), commit: getU64(buf, p + 16) };
      if (hardState.term < 0 || hardState.vote < 0 || hardState.commit < 0) {
        return { ok: false, reason: 'malformed hard state record' };
      }
      return { ok: true, end, record: { type, hardState } };
    }
    case RecordType.SnapshotMarker: {
      if (payloadBytes !== MARKER_BYTES) return { ok: false, reason: 'snapshot marker record of wrong size' };
      const index = getU64(buf, p);
      const term = getU64(buf, p + 8);
      if (index < 0 || term < 0) return { ok: false, reason: 'malformed snapshot marker record' };
      return { ok: true, end, record: { type, index, term } };
    }
  }
}

/** One save(): the hard state (if any) then the entries, as a single buffer (one write). */
export function encodeSave(hardState: HardState | undefined, entries: readonly Entry[]): Buffer {
  let bytes = hardState === undefined ? 0 : HARD_STATE_RECORD_BYTES;
  for (const e of entries) bytes += entryRecordBytes(e);
  const buf = Buffer.allocUnsafe(bytes);
  let off = 0;
  if (hardState !== undefined) off = putHardState(buf, off, hardState);
  for (const e of entries) off = putEntry(buf, off, e);
  return buf;
}

/**
 * The first records of every segment: the snapshot marker (when there is one) and the hard
 * state as of the segment's start, so older segments can be deleted without losing either.
 */
export function encodeSegmentHeader(hardState: HardState, snapshotIndex: number, snapshotTerm: number): Buffer {
  const buf = Buffer.allocUnsafe((snapshotIndex > 0 ? MARKER_RECORD_BYTES : 0) + HARD_STATE_RECORD_BYTES);
  let off = 0;
  if (snapshotIndex > 0) off = putSnapshotMarker(buf, off, snapshotIndex, snapshotTerm);
  putHardState(buf, off, hardState);
  return buf;
}

export function encodeSnapshotMarker(index: number, term: number): Buffer {
  const buf = Buffer.allocUnsafe(MARKER_RECORD_BYTES);
  putSnapshotMarker(buf, 0, index, term);
  return buf;
}
