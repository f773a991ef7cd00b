// Small non-cryptographic hashes: the state machine's running digest and the trace fingerprint.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnvBytes(h: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return h >>> 0;
}

export function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

export function fnvNumber(h: number, n: number): number {
  // Numbers in the harness are non-negative integers below 2^53: hash both 32-bit halves.
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  h = Math.imul(h ^ (lo & 0xffff), FNV_PRIME);
  h = Math.imul(h ^ (lo >>> 16), FNV_PRIME);
  h = Math.imul(h ^ (hi & 0xffff), FNV_PRIME);
  h = Math.imul(h ^ (hi >>> 16), FNV_PRIME);
  return h >>> 0;
}

export function fnvStart(): number {
  return FNV_OFFSET;
}

/** A 64-bit fingerprint of a sequence of strings, kept as two independent 32-bit lanes. */
export class Fingerprint {
  private a = FNV_OFFSET;
  private b = 0x1234567;
  count = 0;

  add(s: string): void {
    this.a = fnvString(this.a, s);
    this.a = Math.imul(this.a ^ 0x0a, FNV_PRIME) >>> 0;
    this.b = fnvString(this.b ^ 0x5bd1e995, s);
    this.count++;
  }

  hex(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}
