// The file `etcdctl snapshot save` writes from Shoal's Maintenance.Snapshot stream:
//   "SHOALSNP" | u64 big-endian length | StoreSnapshot bytes | zero padding to 512 | SHA-256
// etcd's stream is a bbolt file (whole 512-byte pages) followed by its SHA-256, and etcdctl
// checks that shape (size % 512 == 32) before keeping the file; the frame keeps that shape.
// It is Shoal's format: `etcdctl snapshot status/restore` cannot read it (they open bbolt).
import { createHash } from 'node:crypto';

const MAGIC = Buffer.from('SHOALSNP', 'latin1');
const PAGE = 512;

export function encodeSnapshotFile(state: Uint8Array): { body: Buffer; sha256: Buffer } {
  const unpadded = MAGIC.length + 8 + state.byteLength;
  const body = Buffer.alloc(Math.ceil(unpadded / PAGE) * PAGE);
  MAGIC.copy(body, 0);
  body.writeBigUInt64BE(BigInt(state.byteLength), MAGIC.length);
  body.set(state, MAGIC.length + 8);
  return { body, sha256: createHash('sha256').update(body).digest() };
}

/** The StoreSnapshot bytes of a saved file; throws if the frame or the checksum is wrong. */
export function decodeSnapshotFile(file: Uint8Array): Uint8Array {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (b.length < MAGIC.length + 8 + 32 || (b.length - 32) % PAGE !== 0) throw new Error('snapshot file: wrong size');
  const body = b.subarray(0, b.length - 32);
  if (!createHash('sha256').update(body).digest().equals(b.subarray(b.length - 32))) throw new Error('snapshot file: checksum mismatch');
  if (!body.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('snapshot file: not a Shoal snapshot');
  const len = Number(body.readBigUInt64BE(MAGIC.length));
  if (MAGIC.length + 8 + len > body.length) throw new Error('snapshot file: truncated');
  return body.subarray(MAGIC.length + 8, MAGIC.length + 8 + len);
}
