// Byte helpers for keys. Keys order byte-wise, like etcd (Go's bytes.Compare).
//
// Inside the store a key is also kept as a "binary string": one UTF-16 code unit per byte
// (0..255). JavaScript compares strings by code unit, so these strings sort exactly like the
// bytes, and they are cheap map/tree keys.

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** range_end "\0": every key >= key. */
const ZERO_BYTE_END = '\u0000';

/** The binary string of a key: one char (code unit 0..255) per byte. (String.fromCharCode over
 * the whole array builds a flat string; appending char by char builds a slow rope.) */
export function keyString(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < n; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, bytes.subarray(i, Math.min(n, i + CHUNK)) as unknown as number[]));
  }
  return parts.join('');
}

/** Bytes per String.fromCharCode call, well below engines' argument count limits. */
const CHUNK = 8192;

/** Inverse of keyString. */
export function keyBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Byte-wise comparison: negative if a < b, 0 if equal, positive if a > b. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The range_end that selects every key starting with prefix (etcd's GetPrefixRangeEnd):
 * the prefix with its last byte below 0xff incremented and the rest cut off. A prefix of only
 * 0xff bytes (or an empty one) has no such end: the answer is "\0", every key >= prefix.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i] = end[i]! + 1;
      return end;
    }
  }
  return new Uint8Array([0]);
}

/**
 * A key range in etcd's conventions, as binary strings:
 * - rangeEnd empty: the single key `key`;
 * - rangeEnd "\0": every key >= key (end undefined);
 * - otherwise [key, rangeEnd), empty when rangeEnd <= key.
 */
export type KeyRange =
  | { readonly single: true; readonly start: string }
  | { readonly single: false; readonly start: string; readonly end: string | undefined };

export function keyRange(key: Uint8Array, rangeEnd: Uint8Array | undefined): KeyRange {
  const start = keyString(key);
  if (rangeEnd === undefined || rangeEnd.length === 0) return { single: true, start };
  const end = keyString(rangeEnd);
  return { single: false, start, end: end === ZERO_BYTE_END ? undefined : end };
}

/** Whether the binary-string key k lies in the range. */
export function inKeyRange(r: KeyRange, k: string): boolean {
  if (r.single) return k === r.start;
  return k >= r.start && (r.end === undefined || k < r.end);
}

/** Whether key (bytes) lies in [key, rangeEnd) with etcd's conventions; for filtering events. */
export function inRange(k: Uint8Array, key: Uint8Array, rangeEnd: Uint8Array | undefined): boolean {
  if (rangeEnd === undefined || rangeEnd.length === 0) return equalBytes(k, key);
  if (compareBytes(k, key) < 0) return false;
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return true;
  return compareBytes(k, rangeEnd) < 0;
}
