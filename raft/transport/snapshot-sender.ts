// Sends one snapshot on its own SendSnapshot call: a header chunk (the MsgSnap without data,
// and the data size), then the data in chunks. Writes wait for 'drain' when the call's buffer is
// full, so at most a few chunks are in memory beyond the snapshot itself.
import type * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../core/types.js';
import { EMPTY } from '../core/types.js';
import type { RaftTransportClient, SnapshotChunk } from '../../proto/gen/raft.js';
import { messageToWire } from './codec.js';

export type SnapshotOutcome = { ok: true } | { ok: false; code: grpc.status; details: string };

export interface SnapshotSend {
  /** Settles once, when the receiver acknowledged the whole snapshot or the call failed. */
  readonly done: Promise<SnapshotOutcome>;
  cancel(): void;
}

export interface SnapshotSendOptions {
  clusterId: number;
  self: NodeId;
  chunkBytes: number;
}

/** Starts sending `m` (a MsgSnap with its snapshot) to the peer behind `client`. */
export function startSnapshotSend(client: RaftTransportClient, m: Message, o: SnapshotSendOptions): SnapshotSend {
  const snap = m.snapshot;
  if (snap === undefined) throw new RangeError('startSnapshotSend: MsgSnap without a snapshot');
  let finished = false;
  let settle: (outcome: SnapshotOutcome) => void = () => {};
  const done = new Promise<SnapshotOutcome>((resolve) => (settle = resolve));
  const call = client.sendSnapshot((err) => {
    finished = true;
    settle(err === null ? { ok: true } : { ok: false, code: err.code, details: err.details });
  });
  // Failures arrive through the status callback above; the stream itself has nothing to add.
  call.on('error', () => {});

  const writable = (): Promise<void> =>
    new Promise((resolve) => {
      const go = (): void => {
        call.off('drain', go);
        call.off('status', go);
        resolve();
      };
      call.on('drain', go);
      call.on('status', go);
    });

  const pump = async (): Promise<void> => {
    const header: SnapshotChunk = {
      header: {
        clusterId: o.clusterId,
        from: o.self,
        message: messageToWire({ ...m, snapshot: { meta: snap.meta, data: EMPTY } }),
        totalSize: snap.data.length,
      },
      data: EMPTY,
    };
    if (!call.write(header)) await writable();
    for (let off = 0; off < snap.data.length && !finished; off += o.chunkBytes) {
      const chunk: SnapshotChunk = { header: undefined, data: snap.data.subarray(off, off + o.chunkBytes) };
      if (!call.write(chunk)) await writable();
    }
    if (!finished) call.end();
  };
  void pump();

  return { done, cancel: () => call.cancel() };
}
