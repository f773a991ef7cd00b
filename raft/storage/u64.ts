// Unsigned 64-bit little-endian integers as JavaScript numbers. Only safe integers are ever
// written; reading anything larger yields -1 so callers can treat it as damage.

const TWO_32 = 0x1_0000_0000;
const MAX_HIGH_WORD = 0x1f_ffff;

/** Writes `n` (a non-negative safe integer) at `off`; returns the offset after it. */
export function putU64(buf: Buffer, off: number, n: number): number {
  buf.writeUInt32LE(n >>> 0, off);
  buf.writeUInt32LE(Math.floor(n / TWO_32), off + 4);
  return off + 8;
}

/** The value at `off`, or -1 when it is beyond Number.MAX_SAFE_INTEGER. */
export function getU64(buf: Buffer, off: number): number {
  const hi = buf.readUInt32LE(off + 4);
  return hi > MAX_HIGH_WORD ? -1 : hi * TWO_32 + buf.readUInt32LE(off);
}
