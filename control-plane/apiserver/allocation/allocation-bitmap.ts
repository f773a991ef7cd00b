// A fixed-size set of offsets as a bitmap (pure), stored as Kubernetes stores a RangeAllocation:
// base64 bytes, offset i in byte i >> 3, bit i & 7; trailing zero bytes are left out, so a range
// filled from the bottom stays small in the store.
export class AllocationBitmap {
  private readonly bytes: Uint8Array;
  private used: number;

  constructor(readonly size: number, bytes?: Uint8Array) {
    this.bytes = new Uint8Array(Math.ceil(size / 8));
    if (bytes !== undefined) this.bytes.set(bytes.subarray(0, this.bytes.length));
    // Bits past size (a store value written for a bigger range) are not part of this set.
    if (size % 8 !== 0 && this.bytes.length > 0) this.bytes[this.bytes.length - 1]! &= (1 << size % 8) - 1;
    this.used = 0;
    for (const b of this.bytes) this.used += popcount(b);
  }

  static decode(size: number, data: string): AllocationBitmap {
    return new AllocationBitmap(size, Buffer.from(data, 'base64'));
  }

  encode(): string {
    let end = this.bytes.length;
    while (end > 0 && this.bytes[end - 1] === 0) end--;
    return Buffer.from(this.bytes.subarray(0, end)).toString('base64');
  }

  clone(): AllocationBitmap {
    return new AllocationBitmap(this.size, this.bytes);
  }

  get count(): number {
    return this.used;
  }

  has(offset: number): boolean {
    return offset >= 0 && offset < this.size && (this.bytes[offset >> 3]! & (1 << (offset & 7))) !== 0;
  }

  /** True when the offset was free (and is now taken). */
  set(offset: number): boolean {
    this.check(offset);
    if (this.has(offset)) return false;
    this.bytes[offset >> 3]! |= 1 << (offset & 7);
    this.used++;
    return true;
  }

  /** True when the offset was taken (and is now free). */
  clear(offset: number): boolean {
    this.check(offset);
    if (!this.has(offset)) return false;
    this.bytes[offset >> 3]! &= ~(1 << (offset & 7));
    this.used--;
    return true;
  }

  /** The lowest free offset at or above `from`, or undefined when there is none. */
  firstFree(from = 0): number | undefined {
    for (let byte = from >> 3; byte < this.bytes.length; byte++) {
      if (this.bytes[byte] === 0xff) continue;
      for (let bit = byte === from >> 3 ? from & 7 : 0; bit < 8; bit++) {
        const o = byte * 8 + bit;
        if (o >= this.size) return undefined;
        if ((this.bytes[byte]! & (1 << bit)) === 0) return o;
      }
    }
    return undefined;
  }

  /** Every taken offset, ascending. */
  *offsets(): Generator<number> {
    for (let byte = 0; byte < this.bytes.length; byte++) {
      const b = this.bytes[byte]!;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) if ((b & (1 << bit)) !== 0) yield byte * 8 + bit;
    }
  }

  private check(offset: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) throw new Error(`bitmap offset ${offset} is outside 0..${this.size - 1}`);
  }
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x !== 0; x &= x - 1) n++;
  return n;
}
