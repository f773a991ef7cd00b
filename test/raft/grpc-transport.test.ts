import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../../raft/core/types.js';
import { EMPTY, MessageType } from '../../raft/core/types.js';
import { GrpcTransport } from '../../raft/transport/grpc-transport.js';
import type { GrpcTransportOptions } from '../../raft/transport/grpc-transport-options.js';
import { Message as WireMessage, RaftTransportClient } from '../../proto/gen/raft.js';
import type { MessageBatch, SnapshotChunk } from '../../proto/gen/raft.js';
import { bytes, collectingLogger, heartbeat, richMessage, seeded, snapMessage, waitFor } from './transport-helpers.js';

const CLUSTER = 7;
// Fast reconnects and reports so the tests stay short; the defaults are for production.
const TEST_LIMITS = { backoffMinMs: 10, backoffMaxMs: 200, unreachableReportIntervalMs: 50 };

interface Node {
  t: GrpcTransport;
  received: Message[];
  unreachable: NodeId[];
  snapStatus: Array<[NodeId, boolean]>;
  log: ReturnType<typeof collectingLogger>;
}

async function node(id: NodeId, over: Partial<GrpcTransportOptions> = {}): Promise<Node> {
  const log = collectingLogger();
  const tr = new GrpcTransport({ id, clusterId: CLUSTER, listen: '127.0.0.1:0', logger: log, random: seeded(id), limits: TEST_LIMITS, ...over });
  const n: Node = { t: tr, received: [], unreachable: [], snapStatus: [], log };
  tr.onMessage((m) => n.received.push(m));
  tr.onUnreachable((peer) => n.unreachable.push(peer));
  tr.onSnapshotStatus((peer, ok) => n.snapStatus.push([peer, ok]));
  await tr.start();
  return n;
}

/** What the wire makes of a message, with bytes as hex so that Buffer and Uint8Array compare equal. */
const roundtrip = (m: Message): unknown => plain(WireMessage.decode(WireMessage.encode(m).finish()));

function plain(x: unknown): unknown {
  if (x instanceof Uint8Array) return `0x${Buffer.from(x.buffer, x.byteOffset, x.length).toString('hex')}`;
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
  return x;
}

function rawStream(address: string): { client: RaftTransportClient; done: Promise<grpc.ServiceError | null>; call: grpc.ClientWritableStream<MessageBatch> } {
  const client = new RaftTransportClient(address, grpc.credentials.createInsecure());
  let call!: grpc.ClientWritableStream<MessageBatch>;
  const done = new Promise<grpc.ServiceError | null>((resolve) => {
    call = client.stream((err) => resolve(err));
  });
  return { client, done, call };
}

function rawSnapshot(address: string): { client: RaftTransportClient; done: Promise<grpc.ServiceError | null>; call: grpc.ClientWritableStream<SnapshotChunk> } {
  const client = new RaftTransportClient(address, grpc.credentials.createInsecure());
  let call!: grpc.ClientWritableStream<SnapshotChunk>;
  const done = new Promise<grpc.ServiceError | null>((resolve) => {
    call = client.sendSnapshot((err) => resolve(err));
  });
  return { client, done, call };
}

t.test('grpc transport - messages between three members arrive intact and in order per pair', async (t) => {
  const nodes = [await node(1), await node(2), await node(3)];
  t.teardown(() => Promise.all(nodes.map((n) => n.t.close())));
  for (const a of nodes) for (const b of nodes) if (a !== b) a.t.addPeer(b.t.id, b.t.address);

  const rand = seeded(42);
  const PER_PAIR = 300;
  const sent = new Map<string, Message[]>();
  for (let seq = 0; seq < PER_PAIR; seq++) {
    for (const a of nodes) {
      // One send() per member per round, carrying a message for each of the others.
      const out = nodes.filter((b) => b !== a).map((b) => richMessage(rand, a.t.id, b.t.id, seq));
      for (const m of out) sent.set(`${m.from}>${m.to}`, [...(sent.get(`${m.from}>${m.to}`) ?? []), m]);
      a.t.send(out);
    }
  }
  t.ok(await waitFor(() => nodes.every((n) => n.received.length === 2 * PER_PAIR)), 'every message arrived');
  for (const b of nodes) {
    for (const a of nodes) {
      if (a === b) continue;
      const got = b.received.filter((m) => m.from === a.t.id);
      const want = sent.get(`${a.t.id}>${b.t.id}`) ?? [];
      t.equal(got.length, want.length, `${a.t.id}->${b.t.id} count`);
      t.same(got.map((m) => m.commit), want.map((m) => m.commit), `${a.t.id}->${b.t.id} order`);
      t.same(got.map(roundtrip), want.map(roundtrip), `${a.t.id}->${b.t.id} every field through the codec`);
      t.same(got.map(plain), want.map(plain), `${a.t.id}->${b.t.id} equal to what was sent`);
    }
  }
  t.ok(nodes.every((n) => n.unreachable.length === 0), 'nobody was reported unreachable');
});

t.test('grpc transport - a peer goes down: sends are dropped and reported; after it restarts they flow again', async (t) => {
  const a = await node(1);
  const b = await node(2);
  const address = b.t.address;
  t.teardown(() => a.t.close());
  a.t.addPeer(2, address);
  a.t.send([heartbeat(1, 2, 1)]);
  t.ok(await waitFor(() => b.received.length === 1), 'flowing while up');

  await b.t.close();
  t.doesNotThrow(() => {
    for (let i = 0; i < 50; i++) a.t.send([heartbeat(1, 2, 100 + i)]);
  });
  t.ok(await waitFor(() => a.unreachable.includes(2), 5000), 'onUnreachable fired for the down peer');
  t.ok(a.log.lines.some((l) => l.includes('member 2')), 'the drop was logged');

  const b2 = await node(2, { listen: address });
  t.teardown(() => b2.t.close());
  let seq = 1000;
  const flowing = await waitFor(() => {
    a.t.send([heartbeat(1, 2, seq++)]);
    return b2.received.length > 0;
  }, 10_000, 20);
  t.ok(flowing, 'messages reach the restarted peer');
  const before = b2.received.length;
  a.t.send([heartbeat(1, 2, 5000), heartbeat(1, 2, 5001)]);
  t.ok(await waitFor(() => b2.received.length >= before + 2), 'and keep flowing');
  t.same(b2.received.slice(-2).map((m) => m.commit), [5000, 5001]);
});

t.test('grpc transport - a peer that was never up is reported, and reached once it starts', async (t) => {
  const a = await node(1);
  const probe = await node(2);
  const address = probe.t.address;
  await probe.t.close();
  t.teardown(() => a.t.close());
  a.t.addPeer(2, address);
  t.doesNotThrow(() => a.t.send([heartbeat(1, 2, 1), heartbeat(1, 2, 2)]));
  t.ok(await waitFor(() => a.unreachable.includes(2), 5000), 'onUnreachable fired');
  const b = await node(2, { listen: address });
  t.teardown(() => b.t.close());
  let seq = 10;
  t.ok(await waitFor(() => (a.t.send([heartbeat(1, 2, seq++)]), b.received.length > 0), 10_000, 20), 'reached');
});

t.test('grpc transport - a frozen peer (SIGSTOP) is detected by keepalive within seconds', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/transport-peer.ts', import.meta.url)), '2', String(CLUSTER)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  t.ok(await waitFor(() => lines.some((l) => l.startsWith('listening ')), 30_000), 'child listening');
  const address = (lines.find((l) => l.startsWith('listening ')) ?? '').slice('listening '.length);

  const a = await node(1);
  t.teardown(() => a.t.close());
  a.t.addPeer(2, address);
  a.t.send([heartbeat(1, 2, 1)]);
  t.ok(await waitFor(() => lines.includes('recv 1 1'), 10_000), 'child received');

  child.kill('SIGSTOP');
  const stoppedAt = Date.now();
  let seq = 2;
  const detected = await waitFor(() => (a.t.send([heartbeat(1, 2, seq++)]), a.unreachable.includes(2)), 15_000, 100);
  const ms = Date.now() - stoppedAt;
  t.ok(detected, 'reported unreachable while frozen');
  t.comment(`frozen peer reported after ${ms} ms (keepalive ${2000} + ${1000} ms)`);
  child.kill('SIGCONT');
  child.stdin!.end();
});

t.test('grpc transport - a 20 MiB snapshot arrives whole while heartbeats overtake it', async (t) => {
  const a = await node(1);
  const b = await node(2);
  t.teardown(() => Promise.all([a.t.close(), b.t.close()]));
  a.t.addPeer(2, b.t.address);

  // Open the message stream first, so the race below is between the two calls only.
  a.t.send([heartbeat(1, 2, 0)]);
  t.ok(await waitFor(() => b.received.length === 1));

  const data = bytes(seeded(7), 20 * 1024 * 1024);
  const events: string[] = [];
  b.t.onMessage((m) => {
    b.received.push(m);
    events.push(m.type === MessageType.Snap ? 'snap' : `hb${m.commit}`);
  });
  a.t.send([snapMessage(1, 2, data)]);
  let seq = 1;
  const beat = async (): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (a.snapStatus.length === 0 && Date.now() < deadline) {
      a.t.send([heartbeat(1, 2, seq++)]);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  await beat();

  t.same(a.snapStatus, [[2, true]], 'the sender heard of success once');
  const snaps = b.received.filter((m) => m.type === MessageType.Snap);
  t.equal(snaps.length, 1, 'exactly one MsgSnap delivered');
  const snap = snaps[0];
  t.ok(snap !== undefined && snap.snapshot !== undefined);
  if (snap?.snapshot !== undefined) {
    t.equal(snap.snapshot.data.length, data.length);
    t.ok(Buffer.from(snap.snapshot.data.buffer, snap.snapshot.data.byteOffset, snap.snapshot.data.length).equals(data), 'exact bytes');
    t.same(snap.snapshot.meta, { index: 12345, term: 4, conf: { voters: [1, 2, 3], learners: [9] } });
    t.same({ ...snap, snapshot: undefined }, { ...snapMessage(1, 2, EMPTY), snapshot: undefined }, 'the message fields too');
  }
  const snapAt = events.indexOf('snap');
  const overtook = events.slice(0, snapAt).filter((e) => e !== 'hb0');
  t.ok(overtook.length > 0, `heartbeats sent after the snapshot arrived before it (${overtook.length} of ${seq - 1})`);
  t.comment(`${overtook.length} of ${seq - 1} heartbeats arrived before the snapshot completed`);
});

t.test('grpc transport - a second snapshot while one is in flight fails at once', async (t) => {
  const a = await node(1);
  const b = await node(2);
  t.teardown(() => Promise.all([a.t.close(), b.t.close()]));
  a.t.addPeer(2, b.t.address);
  const data = new Uint8Array(4 * 1024 * 1024);
  a.t.send([snapMessage(1, 2, data), snapMessage(1, 2, data)]);
  t.ok(await waitFor(() => a.snapStatus.length === 2));
  t.same(a.snapStatus, [[2, false], [2, true]]);
  t.equal(b.received.length, 1);
});

t.test('grpc transport - a wrong cluster id is refused', async (t) => {
  const b = await node(2);
  t.teardown(() => b.t.close());

  const raw = rawStream(b.t.address);
  t.teardown(() => raw.client.close());
  raw.call.write({ clusterId: 99, from: 1, messages: [heartbeat(1, 2, 1)] });
  const err = await raw.done;
  t.equal(err?.code, grpc.status.FAILED_PRECONDITION);
  t.match(err?.details, /cluster id mismatch/);

  const rawSnap = rawSnapshot(b.t.address);
  t.teardown(() => rawSnap.client.close());
  rawSnap.call.write({ header: { clusterId: 99, from: 1, message: snapMessage(1, 2, EMPTY), totalSize: 3 }, data: new Uint8Array([1, 2, 3]) });
  rawSnap.call.end();
  t.equal((await rawSnap.done)?.code, grpc.status.FAILED_PRECONDITION, 'snapshots too');

  // Between two transports: nothing is delivered, and the sender reports the peer.
  const a = await node(1, { clusterId: CLUSTER + 1 });
  t.teardown(() => a.t.close());
  a.t.addPeer(2, b.t.address);
  a.t.send([heartbeat(1, 2, 1), snapMessage(1, 2, new Uint8Array(10))]);
  t.ok(await waitFor(() => a.unreachable.includes(2) && a.snapStatus.length === 1));
  t.same(a.snapStatus, [[2, false]]);
  t.equal(b.received.length, 0, 'nothing reached Raft');
  t.ok(b.log.lines.some((l) => l.includes('cluster id mismatch')), 'the receiver logged why');
});

t.test('grpc transport - a message for another member is refused whole', async (t) => {
  const b = await node(2);
  t.teardown(() => b.t.close());
  const raw = rawStream(b.t.address);
  t.teardown(() => raw.client.close());
  raw.call.write({ clusterId: CLUSTER, from: 1, messages: [heartbeat(1, 2, 1), heartbeat(1, 3, 2)] });
  const err = await raw.done;
  t.equal(err?.code, grpc.status.FAILED_PRECONDITION);
  t.match(err?.details, /message for member 3 arrived at member 2/);
  t.equal(b.received.length, 0, 'not even the good first message');
});

t.test('grpc transport - a broken snapshot transfer delivers nothing', async (t) => {
  const b = await node(2);
  t.teardown(() => b.t.close());
  const header = { clusterId: CLUSTER, from: 1, message: snapMessage(1, 2, EMPTY), totalSize: 1024 * 1024 };

  const short = rawSnapshot(b.t.address);
  t.teardown(() => short.client.close());
  short.call.write({ header, data: new Uint8Array(1000) });
  short.call.write({ header: undefined, data: new Uint8Array(100_000) });
  short.call.end();
  const err = await short.done;
  t.equal(err?.code, grpc.status.DATA_LOSS, 'a short transfer is refused');

  const cancelled = rawSnapshot(b.t.address);
  t.teardown(() => cancelled.client.close());
  cancelled.call.write({ header, data: new Uint8Array(1000) });
  await new Promise((r) => setTimeout(r, 50));
  cancelled.call.cancel();
  t.equal((await cancelled.done)?.code, grpc.status.CANCELLED);

  const long = rawSnapshot(b.t.address);
  t.teardown(() => long.client.close());
  long.call.write({ header: { ...header, totalSize: 10 }, data: new Uint8Array(11) });
  long.call.end();
  t.equal((await long.done)?.code, grpc.status.INVALID_ARGUMENT, 'an overlong transfer is refused');

  await new Promise((r) => setTimeout(r, 50));
  t.equal(b.received.length, 0);
});

t.test('grpc transport - send never throws on what it cannot send', async (t) => {
  const a = await node(1);
  t.teardown(() => a.t.close());
  t.doesNotThrow(() =>
    a.t.send([
      heartbeat(1, 9, 1), // unknown peer
      heartbeat(1, 1, 1), // to self
      { ...heartbeat(1, 2, 1), type: MessageType.Hup }, // local
      snapMessage(1, 9, new Uint8Array(1)), // snapshot to an unknown peer
    ]),
  );
  t.ok(await waitFor(() => a.snapStatus.length === 1 && a.unreachable.length === 1));
  t.same(a.snapStatus, [[9, false]]);
  t.same(a.unreachable, [9], 'the unknown peer is reported');
  await a.t.close();
  t.doesNotThrow(() => a.t.send([heartbeat(1, 2, 1)]), 'nor after close');
});

t.test('grpc transport - options are validated at construction', async (t) => {
  t.throws(() => new GrpcTransport({ id: 0, clusterId: 1, listen: '127.0.0.1:0' }), RangeError);
  t.throws(() => new GrpcTransport({ id: 1, clusterId: 0, listen: '127.0.0.1:0' }), RangeError);
  t.throws(() => new GrpcTransport({ id: 1, clusterId: 1, listen: '127.0.0.1' }), /host:port/);
  t.throws(() => new GrpcTransport({ id: 1, clusterId: 1, listen: '127.0.0.1:0', limits: { backoffMinMs: 10, backoffMaxMs: 5 } }), RangeError);
});

t.test('grpc transport - a taken port fails start with a listen error', async (t) => {
  const a = await node(1);
  t.teardown(() => a.t.close());
  const b = new GrpcTransport({ id: 2, clusterId: CLUSTER, listen: a.t.address });
  await t.rejects(b.start(), { name: 'TransportError', code: 'listen-failed' });
  await b.close();
});

t.test('grpc transport - close leaves no handles behind', async (t) => {
  const a = await node(1);
  const b = await node(2);
  a.t.addPeer(2, b.t.address);
  b.t.addPeer(1, a.t.address);
  a.t.send([heartbeat(1, 2, 1), snapMessage(1, 2, new Uint8Array(3 * 1024 * 1024))]);
  b.t.send([heartbeat(2, 1, 1)]);
  a.t.addPeer(3, '127.0.0.1:1'); // nothing listens there: leaves a backoff timer
  a.t.send([heartbeat(1, 3, 1)]);
  t.ok(await waitFor(() => b.received.length >= 1 && a.received.length === 1 && a.unreachable.includes(3)));
  await Promise.all([a.t.close(), b.t.close()]);
  const left = await waitFor(() => !process.getActiveResourcesInfo().some((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout'), 3000);
  t.ok(left, `no sockets or timers left: ${process.getActiveResourcesInfo().join(', ')}`);
});
