// Reassembles one incoming snapshot from its chunks. The MsgSnap exists only once every byte
// arrived: a short or overlong transfer yields a refusal and nothing for Raft.
import { status } from '@grpc/grpc-js';
import type { Message } from '../core/types.js';
import type { Checked, Refusal, SnapshotStart } from './inbound-check.js';

export class SnapshotAssembly {
  private readonly data: Uint8Array;
  private received = 0;

  constructor(private readonly start: SnapshotStart) {
    this.data = new Uint8Array(start.totalSize);
  }

  get receivedBytes(): number {
    return this.received;
  }

  /** Copies one data chunk in; a refusal when it runs past the announced size. */
  add(chunk: Uint8Array): Refusal | undefined {
    if (this.received + chunk.length > this.start.totalSize) {
      return {
        code: status.INVALID_ARGUMENT,
        details: `snapshot data runs past the announced ${this.start.totalSize} bytes`,
      };
    }
    this.data.set(chunk, this.received);
    this.received += chunk.length;
    return undefined;
  }

  /** The whole MsgSnap once complete, or why it is not. */
  finish(): Checked<Message> {
    if (this.received !== this.start.totalSize) {
      return {
        ok: false,
        refusal: {
          code: status.DATA_LOSS,
          details: `snapshot ended after ${this.received} of ${this.start.totalSize} bytes`,
        },
      };
    }
    const m = this.start.message;
    const snap = m.snapshot;
    if (snap === undefined) {
      return { ok: false, refusal: { code: status.INVALID_ARGUMENT, details: 'MsgSnap without a snapshot' } };
    }
    return { ok: true, value: { ...m, snapshot: { meta: snap.meta, data: this.data } } };
  }
}
