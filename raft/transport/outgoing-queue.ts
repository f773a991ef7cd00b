// The bounded queue of messages waiting for one peer's stream. Raft tolerates loss, so the
// queue never grows past its caps: when full, the newest message is refused and what is already
// queued keeps its order (as etcd's rafthttp does).
import type { Message } from '../core/types.js';

export class OutgoingQueue {
  private items: Message[] = [];
  private sizes: number[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(
    readonly maxMessages: number,
    readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Queues `m` (of estimated `size` bytes); false when it was refused because the queue is full. */
  push(m: Message, size: number): boolean {
    if (this.length >= this.maxMessages) return false;
    if (this.length > 0 && this.queuedBytes + size > this.maxBytes) return false;
    this.items.push(m);
    this.sizes.push(size);
    this.queuedBytes += size;
    return true;
  }

  /** Removes the oldest messages up to the caps; at least one when not empty. */
  take(maxBytes: number, maxMessages: number): Message[] {
    const out: Message[] = [];
    let bytes = 0;
    while (this.head < this.items.length && out.length < maxMessages) {
      const size = this.sizes[this.head] ?? 0;
      if (out.length > 0 && bytes + size > maxBytes) break;
      out.push(this.items[this.head] as Message);
      bytes += size;
      this.head++;
    }
    this.queuedBytes -= bytes;
    if (this.head === this.items.length) {
      this.items = [];
      this.sizes = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  /** Drops everything; returns how many messages were dropped. */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.queuedBytes = 0;
    return n;
  }
}
