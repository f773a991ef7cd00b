// Keys are strings here and UTF-8 bytes in the store; the store orders them by bytes. These
// helpers keep the in-memory twin and the watch cache in the store's order, and build etcd's
// prefix ranges.

const encoder = new TextEncoder();

export function keyBytes(key: string): Uint8Array {
  return encoder.encode(key);
}

/** Orders keys as the store does: by their UTF-8 bytes (= by code points). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates UTF-16 order is code point order; above, compare code points.
    if (x < 0xd800 && y < 0xd800) return x - y;
    return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
  }
  return a.length - b.length;
}

/** The end (exclusive) of the range of every key starting with prefix (etcd's GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.slice(0, i + 1);
    }
  }
  // Every byte is 0xff (or the prefix is empty): the range runs to the end of the keyspace.
  return Uint8Array.of(0);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
