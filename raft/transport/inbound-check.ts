// What a member accepts from the network. A batch is accepted or refused whole: nothing of a
// refused batch reaches Raft. A wrong cluster id or a message addressed to another member is
// FAILED_PRECONDITION (a configuration mistake the operator must fix: two clusters, or a peer
// address that points at the wrong member); a malformed message is INVALID_ARGUMENT.
import { status } from '@grpc/grpc-js';
import type { Message, NodeId } from '../core/types.js';
import { MessageType } from '../core/types.js';
import type * as pb from '../../proto/gen/raft.js';
import { messageFromWire } from './codec.js';

export interface Receiver {
  clusterId: number;
  self: NodeId;
}

export interface Refusal {
  code: status;
  details: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

function refuse(code: status, details: string): { ok: false; refusal: Refusal } {
  return { ok: false, refusal: { code, details } };
}

function checkSender(clusterId: number, from: NodeId, r: Receiver): Refusal | undefined {
  if (clusterId !== r.clusterId) {
    return {
      code: status.FAILED_PRECONDITION,
      details: `cluster id mismatch: member ${from} is in cluster ${clusterId}, member ${r.self} is in cluster ${r.clusterId}; check the peer addresses`,
    };
  }
  if (from === 0) return { code: status.INVALID_ARGUMENT, details: 'sender id is 0' };
  return undefined;
}

function checkMessage(p: pb.Message, from: NodeId, r: Receiver): Checked<Message> {
  const d = messageFromWire(p);
  if (!d.ok) return refuse(status.INVALID_ARGUMENT, `message from member ${from}: ${d.reason}`);
  const m = d.value;
  if (m.from !== from) return refuse(status.INVALID_ARGUMENT, `message from member ${m.from} in a batch from member ${from}`);
  if (m.to !== r.self) {
    return refuse(
      status.FAILED_PRECONDITION,
      `message for member ${m.to} arrived at member ${r.self}: member ${from} has a wrong address for member ${m.to}`,
    );
  }
  return { ok: true, value: m };
}

/** The messages of a batch, or why the whole batch is refused. */
export function checkBatch(batch: pb.MessageBatch, r: Receiver): Checked<Message[]> {
  const bad = checkSender(batch.clusterId, batch.from, r);
  if (bad !== undefined) return { ok: false, refusal: bad };
  const out: Message[] = [];
  for (const p of batch.messages) {
    const c = checkMessage(p, batch.from, r);
    if (!c.ok) return c;
    out.push(c.value);
  }
  return { ok: true, value: out };
}

export interface SnapshotStart {
  /** The MsgSnap with snapshot.data still empty. */
  message: Message;
  totalSize: number;
}

/** The first chunk of a SendSnapshot call, or why the transfer is refused. */
export function checkSnapshotHeader(header: pb.SnapshotHeader | undefined, r: Receiver, maxBytes: number): Checked<SnapshotStart> {
  if (header === undefined) return refuse(status.INVALID_ARGUMENT, 'the first snapshot chunk carries no header');
  const bad = checkSender(header.clusterId, header.from, r);
  if (bad !== undefined) return { ok: false, refusal: bad };
  if (header.message === undefined) return refuse(status.INVALID_ARGUMENT, 'snapshot header without a message');
  const c = checkMessage(header.message, header.from, r);
  if (!c.ok) return c;
  const m = c.value;
  if (m.type !== MessageType.Snap) return refuse(status.INVALID_ARGUMENT, `snapshot header carries message type ${m.type}, not MsgSnap`);
  if (m.snapshot !== undefined && m.snapshot.data.length !== 0) {
    return refuse(status.INVALID_ARGUMENT, 'snapshot header carries data; data belongs in the later chunks');
  }
  if (header.totalSize > maxBytes) {
    return refuse(status.RESOURCE_EXHAUSTED, `snapshot of ${header.totalSize} bytes is over this member's limit of ${maxBytes} bytes`);
  }
  return { ok: true, value: { message: m, totalSize: header.totalSize } };
}
