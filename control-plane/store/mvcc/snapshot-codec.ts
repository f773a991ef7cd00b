// The snapshot format of the MVCC state (format 1). Deterministic: equal states encode to equal
// bytes. All integers are varints (zigzag where they may be negative).
//
//   "SHOALMVC" u8(format=1) uvarint(revision) svarint(compactRevision)
//   uvarint(keyCount) { bytes(key) uvarint(n) { revision }*n }*keyCount      keys in byte order
//   uvarint(leaseCount) { svarint(id) svarint(ttl) svarint(remainingTtl) }*  leases by ID
//   u32(CRC-32C of everything before)
//
//   revision = uvarint(modRevision) uvarint(sub) u8(1)                          tombstone
//            | uvarint(modRevision) uvarint(sub) u8(0) uvarint(createRevision)
//              uvarint(version) svarint(lease) bytes(value)                     value
//
// Attached lease keys and the event log are derived on decode.

import { ByteReader, ByteWriter } from './byte-io.js';
import { compareBytes, EMPTY_BYTES, keyString } from './bytes.js';
import { crc32c } from './crc32c.js';
import { SnapshotCorruptError } from './errors.js';
import { isTombstone, liveNow, REVISION_OVERHEAD_BYTES } from './key-history.js';
import type { KeyHistory } from './key-history.js';
import { newKeyIndex } from './key-index.js';
import type { KeyIndex } from './key-index.js';
import { LeaseTable } from './lease-table.js';
import type { KeyValue, LeaseInfo } from './types.js';

const MAGIC = new TextEncoder().encode('SHOALMVC');
const FORMAT = 1;

export interface SnapshotState {
  readonly revision: number;
  readonly compactRevision: number;
  readonly index: KeyIndex;
  readonly leases: readonly LeaseInfo[];
}

export interface DecodedSnapshot {
  readonly revision: number;
  readonly compactRevision: number;
  readonly index: KeyIndex;
  readonly histories: KeyHistory[];
  readonly leaseTable: LeaseTable;
  readonly revisionCount: number;
  readonly approxBytes: number;
}

export function encodeSnapshot(s: SnapshotState, sizeHint: number): Uint8Array {
  const w = new ByteWriter(Math.max(1 << 16, Math.min(sizeHint, 1 << 28)));
  w.raw(MAGIC);
  w.u8(FORMAT);
  w.uvarint(s.revision);
  w.svarint(s.compactRevision);
  w.uvarint(s.index.size);
  s.index.forEach((h) => {
    w.bytes(h.key);
    w.uvarint(h.revs.length);
    for (let i = 0; i < h.revs.length; i++) writeRevision(w, h, i);
  });
  w.uvarint(s.leases.length);
  for (const l of s.leases) {
    w.svarint(l.id);
    w.svarint(l.ttl);
    w.svarint(l.remainingTtl);
  }
  w.u32(crc32c(w.view()));
  return w.finish();
}

/** Decodes and checks a snapshot; throws SnapshotCorruptError on anything wrong. */
export function decodeSnapshot(bytes: Uint8Array, initialRevision: number): DecodedSnapshot {
  if (bytes.length < MAGIC.length + 5) throw new SnapshotCorruptError('too short');
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new ByteReader(bytes.subarray(bytes.length - 4)).u32();
  if (crc32c(body) !== stored) throw new SnapshotCorruptError('checksum mismatch');
  const r = new ByteReader(body);
  if (compareBytes(r.raw(MAGIC.length), MAGIC) !== 0) throw new SnapshotCorruptError('not an mvcc snapshot');
  const format = r.u8();
  if (format !== FORMAT) throw new SnapshotCorruptError(`unknown format ${format}`);
  const revision = r.uvarint();
  const compactRevision = r.svarint();
  if (revision < initialRevision || compactRevision > revision || compactRevision < -1) {
    throw new SnapshotCorruptError(`bad revisions ${revision}/${compactRevision}`);
  }

  const index = newKeyIndex();
  const histories: KeyHistory[] = [];
  let revisionCount = 0;
  let approxBytes = 0;
  let prevKey: string | undefined;
  const keyCount = r.uvarint();
  for (let n = 0; n < keyCount; n++) {
    const key = r.bytes();
    const ks = keyString(key);
    if (key.length === 0 || (prevKey !== undefined && ks <= prevKey)) throw new SnapshotCorruptError('keys out of order');
    prevKey = ks;
    const h: KeyHistory = { key, revs: [], subs: [] };
    const count = r.uvarint();
    if (count === 0) throw new SnapshotCorruptError('key without revisions');
    for (let i = 0; i < count; i++) {
      const { kv, sub } = readRevision(r, key);
      const last = h.revs[h.revs.length - 1];
      const lastSub = h.subs[h.subs.length - 1] ?? -1;
      if (
        kv.modRevision > revision ||
        (last !== undefined && (kv.modRevision < last.modRevision || (kv.modRevision === last.modRevision && sub <= lastSub)))
      ) {
        throw new SnapshotCorruptError('key revisions out of order');
      }
      h.revs.push(kv);
      h.subs.push(sub);
      approxBytes += REVISION_OVERHEAD_BYTES + kv.value.length;
    }
    approxBytes += key.length;
    revisionCount += count;
    index.set(ks, h);
    histories.push(h);
  }

  const leaseTable = new LeaseTable();
  const leaseCount = r.uvarint();
  for (let n = 0; n < leaseCount; n++) {
    const id = r.svarint();
    const ttl = r.svarint();
    const remainingTtl = r.svarint();
    if (id === 0 || leaseTable.has(id)) throw new SnapshotCorruptError(`bad lease ${id}`);
    leaseTable.grant(id, ttl, remainingTtl);
  }
  if (r.remaining !== 0) throw new SnapshotCorruptError('trailing bytes');
  for (const h of histories) {
    const live = liveNow(h);
    if (live === undefined || live.lease === 0) continue;
    if (!leaseTable.has(live.lease)) throw new SnapshotCorruptError(`key attached to unknown lease ${live.lease}`);
    leaseTable.attach(live.lease, keyString(h.key));
  }
  return { revision, compactRevision, index, histories, leaseTable, revisionCount, approxBytes };
}

/** One revision of a key, in the snapshot encoding (also what HashKV hashes). */
export function writeRevision(w: ByteWriter, h: KeyHistory, i: number): void {
  const kv = h.revs[i]!;
  w.uvarint(kv.modRevision);
  w.uvarint(h.subs[i]!);
  if (isTombstone(kv)) {
    w.u8(1);
    return;
  }
  w.u8(0);
  w.uvarint(kv.createRevision);
  w.uvarint(kv.version);
  w.svarint(kv.lease);
  w.bytes(kv.value);
}

function readRevision(r: ByteReader, key: Uint8Array): { kv: KeyValue; sub: number } {
  const modRevision = r.uvarint();
  const sub = r.uvarint();
  const flag = r.u8();
  if (flag === 1) {
    return { kv: { key, createRevision: 0, modRevision, version: 0, value: EMPTY_BYTES, lease: 0 }, sub };
  }
  if (flag !== 0) throw new SnapshotCorruptError(`bad revision flag ${flag}`);
  const createRevision = r.uvarint();
  const version = r.uvarint();
  const lease = r.svarint();
  const value = r.bytes();
  if (createRevision === 0 || createRevision > modRevision || version === 0) {
    throw new SnapshotCorruptError('bad key revision');
  }
  return { kv: { key, createRevision, modRevision, version, value, lease }, sub };
}
