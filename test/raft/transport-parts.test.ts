import t from 'tap';
import { status } from '@grpc/grpc-js';
import { EMPTY } from '../../raft/core/types.js';
import { backoffDelay } from '../../raft/transport/backoff.js';
import { estimateSize, messageFromWire } from '../../raft/transport/codec.js';
import { checkBatch, checkSnapshotHeader } from '../../raft/transport/inbound-check.js';
import { OutgoingQueue } from '../../raft/transport/outgoing-queue.js';
import { SnapshotAssembly } from '../../raft/transport/snapshot-assembly.js';
import { Message as WireMessage } from '../../proto/gen/raft.js';
import { heartbeat, richMessage, seeded, snapMessage } from './transport-helpers.js';

t.test('backoff - doubles from min to max, jittered within [base/2, base)', async (t) => {
  const p = { minMs: 50, maxMs: 2000 };
  t.same([0, 1, 2, 3, 4, 5, 6, 40].map((a) => backoffDelay(a, p, () => 0.999999).toFixed(0)), ['50', '100', '200', '400', '800', '1600', '2000', '2000']);
  t.same([0, 1, 6].map((a) => backoffDelay(a, p, () => 0)), [25, 50, 1000]);
});

t.test('outgoing queue - refuses the newest when full, by count or bytes, and keeps order', async (t) => {
  const q = new OutgoingQueue(3, 100);
  t.ok(q.push(heartbeat(1, 2, 1), 10));
  t.ok(q.push(heartbeat(1, 2, 2), 10));
  t.notOk(q.push(heartbeat(1, 2, 3), 90), 'over the byte cap');
  t.ok(q.push(heartbeat(1, 2, 4), 10));
  t.notOk(q.push(heartbeat(1, 2, 5), 1), 'over the count cap');
  t.same(q.take(15, Infinity).map((m) => m.commit), [1], 'batch byte cap');
  t.same(q.take(1000, 1).map((m) => m.commit), [2], 'batch count cap');
  t.same(q.take(1, Infinity).map((m) => m.commit), [4], 'at least one');
  t.equal(q.length, 0);
  t.equal(q.bytes, 0);
  const big = new OutgoingQueue(3, 100);
  t.ok(big.push(heartbeat(1, 2, 1), 500), 'one oversized message fits an empty queue');
});

t.test('codec - estimateSize never underestimates', async (t) => {
  const rand = seeded(3);
  for (let seq = 0; seq < 200; seq++) {
    const m = seq % 10 === 0 ? snapMessage(1, 2, new Uint8Array(seq)) : richMessage(rand, 1, 2, seq);
    t.ok(estimateSize(m) >= WireMessage.encode(m).finish().length, `seq ${seq}`);
  }
});

t.test('codec - refuses what the core types cannot hold', async (t) => {
  const ok = WireMessage.decode(WireMessage.encode(heartbeat(1, 2, 1)).finish());
  t.ok(messageFromWire(ok).ok);
  t.match(messageFromWire({ ...ok, type: 99 }), { ok: false, reason: /unknown message type/ });
  t.match(messageFromWire({ ...ok, type: 0 }), { ok: false, reason: /local message type/ });
  t.match(messageFromWire({ ...ok, entries: [{ term: 1, index: 1, type: -1, data: EMPTY }] }), { ok: false, reason: /entry type/ });
  t.match(messageFromWire({ ...ok, type: 9 }), { ok: false, reason: /without a snapshot/ });
  t.match(messageFromWire({ ...ok, snapshot: { meta: undefined, data: EMPTY } }), { ok: false, reason: /metadata/ });
});

t.test('inbound check - cluster, sender and addressee', async (t) => {
  const r = { clusterId: 7, self: 2 };
  t.ok(checkBatch({ clusterId: 7, from: 1, messages: [heartbeat(1, 2, 1)] }, r).ok);
  t.match(checkBatch({ clusterId: 8, from: 1, messages: [] }, r), { ok: false, refusal: { code: status.FAILED_PRECONDITION } });
  t.match(checkBatch({ clusterId: 7, from: 0, messages: [] }, r), { ok: false, refusal: { code: status.INVALID_ARGUMENT } });
  t.match(checkBatch({ clusterId: 7, from: 1, messages: [heartbeat(3, 2, 1)] }, r), { ok: false, refusal: { code: status.INVALID_ARGUMENT } });
  t.match(checkBatch({ clusterId: 7, from: 1, messages: [heartbeat(1, 3, 1)] }, r), { ok: false, refusal: { code: status.FAILED_PRECONDITION } });
  const header = { clusterId: 7, from: 1, message: snapMessage(1, 2, EMPTY), totalSize: 10 };
  t.ok(checkSnapshotHeader(header, r, 10).ok);
  t.match(checkSnapshotHeader(header, r, 9), { ok: false, refusal: { code: status.RESOURCE_EXHAUSTED } });
  t.match(checkSnapshotHeader({ ...header, message: heartbeat(1, 2, 1) }, r, 10), { ok: false, refusal: { code: status.INVALID_ARGUMENT } });
  t.match(checkSnapshotHeader({ ...header, message: snapMessage(1, 2, new Uint8Array(1)) }, r, 10), { ok: false });
  t.match(checkSnapshotHeader(undefined, r, 10), { ok: false });
});

t.test('snapshot assembly - whole, short and overlong', async (t) => {
  const start = { message: snapMessage(1, 2, EMPTY), totalSize: 5 };
  const a = new SnapshotAssembly(start);
  t.equal(a.add(new Uint8Array([1, 2])), undefined);
  t.match(a.finish(), { ok: false, refusal: { code: status.DATA_LOSS } });
  t.equal(a.add(new Uint8Array([3, 4, 5])), undefined);
  const done = a.finish();
  t.ok(done.ok);
  if (done.ok) t.same(done.value.snapshot?.data, new Uint8Array([1, 2, 3, 4, 5]));
  t.match(new SnapshotAssembly(start).add(new Uint8Array(6)), { code: status.INVALID_ARGUMENT });
});
