import { RaftBug } from './errors.js';

/**
 * The AppendEntries messages sent to one follower and not yet acknowledged, oldest first.
 * Bounds the pipeline by count and by bytes: full() pauses further sends.
 */
export class Inflights {
  private readonly indexes: number[] = [];
  private readonly sizes: number[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  get count(): number {
    return this.indexes.length - this.head;
  }

  add(lastIndex: number, size: number): void {
    if (this.full()) throw new RaftBug('inflights: add while full');
    const n = this.indexes.length;
    if (n > this.head && this.indexes[n - 1]! > lastIndex) throw new RaftBug('inflights: indexes must grow');
    this.indexes.push(lastIndex);
    this.sizes.push(size);
    this.bytes += size;
  }

  /** Frees every message whose last index is <= index (acknowledged). */
  freeLE(index: number): void {
    while (this.head < this.indexes.length && this.indexes[this.head]! <= index) {
      this.bytes -= this.sizes[this.head]!;
      this.head++;
    }
    this.compactIfNeeded();
  }

  freeFirst(): void {
    if (this.count === 0) return;
    this.bytes -= this.sizes[this.head]!;
    this.head++;
    this.compactIfNeeded();
  }

  full(): boolean {
    return this.count >= this.maxCount || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  reset(): void {
    this.indexes.length = 0;
    this.sizes.length = 0;
    this.head = 0;
    this.bytes = 0;
  }

  private compactIfNeeded(): void {
    if (this.head === this.indexes.length) {
      this.reset();
    } else if (this.head > 1024 && this.head * 2 > this.indexes.length) {
      this.indexes.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }
}
