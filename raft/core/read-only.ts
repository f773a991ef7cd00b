import type { Message, NodeId } from './types.js';

interface PendingRead {
  index: number;
  request: Message;
  acks: Set<NodeId>;
}

/**
 * ReadIndex requests waiting for a heartbeat round to confirm that this node is still the
 * leader (Raft thesis §6.4). Requests are keyed by their context and answered in order: an ack
 * for a later request confirms every earlier one too.
 */
export class ReadOnlyQueue {
  private readonly pending = new Map<string, PendingRead>();
  private queue: string[] = [];

  add(index: number, request: Message): void {
    const key = contextKey(request.context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { index, request, acks: new Set() });
    this.queue.push(key);
  }

  /** Records a heartbeat ack carrying `context`; returns the acks so far (undefined if unknown). */
  recvAck(from: NodeId, context: Uint8Array): ReadonlySet<NodeId> | undefined {
    const p = this.pending.get(contextKey(context));
    if (!p) return undefined;
    p.acks.add(from);
    return p.acks;
  }

  /** Pops and returns every request up to and including the one with `context`. */
  advance(context: Uint8Array): Array<{ index: number; request: Message }> {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    const out: Array<{ index: number; request: Message }> = [];
    for (const k of done) {
      const p = this.pending.get(k);
      if (p) {
        out.push({ index: p.index, request: p.request });
        this.pending.delete(k);
      }
    }
    return out;
  }

  /** The context of the newest pending request (heartbeats carry it). */
  lastPending(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? undefined : this.pending.get(k)?.request.context;
  }

  get size(): number {
    return this.queue.length;
  }

  reset(): void {
    this.pending.clear();
    this.queue = [];
  }
}

export function contextKey(c: Uint8Array): string {
  return Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1');
}
