import t from 'tap';
import type { Message, NodeId } from '../../raft/core/types.js';
import { MessageType } from '../../raft/core/types.js';
import { MemoryNetwork, MemoryTransport } from '../../raft/transport/memory-transport.js';
import { heartbeat, snapMessage, waitFor } from './transport-helpers.js';

interface Node {
  t: MemoryTransport;
  received: Message[];
  unreachable: NodeId[];
  snapStatus: Array<[NodeId, boolean]>;
}

async function cluster(net: MemoryNetwork, ids: NodeId[], clusterId = 1): Promise<Node[]> {
  const nodes: Node[] = [];
  for (const id of ids) {
    const tr = new MemoryTransport({ network: net, id, clusterId, listen: `m${id}` });
    const n: Node = { t: tr, received: [], unreachable: [], snapStatus: [] };
    tr.onMessage((m) => n.received.push(m));
    tr.onUnreachable((peer) => n.unreachable.push(peer));
    tr.onSnapshotStatus((peer, ok) => n.snapStatus.push([peer, ok]));
    await tr.start();
    nodes.push(n);
  }
  for (const a of nodes) for (const b of nodes) if (a !== b) a.t.addPeer(b.t.id, b.t.address);
  return nodes;
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('memory transport - delivers asynchronously, in order, as copies', async (t) => {
  const [a, b] = await cluster(new MemoryNetwork(), [1, 2]);
  if (a === undefined || b === undefined) throw new Error('setup');
  const m = heartbeat(1, 2, 1);
  m.context = new Uint8Array([1, 2, 3]);
  a.t.send([m, heartbeat(1, 2, 2)]);
  a.t.send([heartbeat(1, 2, 3)]);
  t.equal(b.received.length, 0, 'nothing arrives inside send()');
  t.ok(await waitFor(() => b.received.length === 3));
  t.same(b.received.map((x) => x.commit), [1, 2, 3]);
  t.not(b.received[0]?.context, m.context, 'the receiver has its own buffer');
  t.same(b.received[0]?.context, m.context);
});

t.test('memory transport - cut drops both ways and reports; heal restores', async (t) => {
  const net = new MemoryNetwork();
  const [a, b, c] = await cluster(net, [1, 2, 3]);
  if (a === undefined || b === undefined || c === undefined) throw new Error('setup');

  net.cut(1, 2);
  a.t.send([heartbeat(1, 2, 1), heartbeat(1, 3, 1)]);
  b.t.send([heartbeat(2, 1, 1)]);
  await settle();
  await settle();
  t.equal(b.received.length, 0, '1 -> 2 is cut');
  t.equal(a.received.length, 0, '2 -> 1 is cut');
  t.equal(c.received.length, 1, '1 -> 3 still works');
  t.same(a.unreachable, [2]);
  t.same(b.unreachable, [1]);

  net.heal(1, 2);
  a.t.send([heartbeat(1, 2, 2)]);
  b.t.send([heartbeat(2, 1, 2)]);
  t.ok(await waitFor(() => a.received.length === 1 && b.received.length === 1), 'healed both ways');
});

t.test('memory transport - a message in flight when the link is cut is lost', async (t) => {
  const net = new MemoryNetwork();
  const [a, b] = await cluster(net, [1, 2]);
  if (a === undefined || b === undefined) throw new Error('setup');
  a.t.send([heartbeat(1, 2, 1)]);
  net.cut(1, 2);
  await settle();
  t.equal(b.received.length, 0);
  t.same(a.unreachable, [2]);
});

t.test('memory transport - one-way cut and isolate', async (t) => {
  const net = new MemoryNetwork();
  const [a, b, c] = await cluster(net, [1, 2, 3]);
  if (a === undefined || b === undefined || c === undefined) throw new Error('setup');
  net.cutOneWay(1, 2);
  a.t.send([heartbeat(1, 2, 1)]);
  b.t.send([heartbeat(2, 1, 1)]);
  await settle();
  t.equal(b.received.length, 0, '1 -> 2 cut');
  t.equal(a.received.length, 1, '2 -> 1 open');

  net.healAll();
  net.isolate(3);
  a.t.send([heartbeat(1, 3, 1), heartbeat(1, 2, 2)]);
  c.t.send([heartbeat(3, 1, 1)]);
  await settle();
  t.equal(c.received.length, 0);
  t.equal(a.received.length, 1);
  t.equal(b.received.length, 1);
});

t.test('memory transport - snapshots are reported once, ok or not', async (t) => {
  const net = new MemoryNetwork();
  const [a, b] = await cluster(net, [1, 2]);
  if (a === undefined || b === undefined) throw new Error('setup');
  const data = new Uint8Array([5, 6, 7]);
  a.t.send([snapMessage(1, 2, data)]);
  t.ok(await waitFor(() => a.snapStatus.length === 1));
  t.same(a.snapStatus, [[2, true]]);
  t.equal(b.received[0]?.type, MessageType.Snap);
  t.same(b.received[0]?.snapshot?.data, data);

  net.cut(1, 2);
  a.t.send([snapMessage(1, 2, data)]);
  t.ok(await waitFor(() => a.snapStatus.length === 2));
  t.same(a.snapStatus[1], [2, false]);
});

t.test('memory transport - another cluster, an unknown peer or a closed peer is unreachable', async (t) => {
  const net = new MemoryNetwork();
  const [a] = await cluster(net, [1], 1);
  const [b] = await cluster(net, [2], 2);
  if (a === undefined || b === undefined) throw new Error('setup');
  a.t.addPeer(2, b.t.address);
  a.t.send([heartbeat(1, 2, 1), heartbeat(1, 4, 1)]);
  await settle();
  t.equal(b.received.length, 0, 'another cluster is refused');
  t.same([...a.unreachable].sort(), [2, 4]);

  const [c] = await cluster(net, [3]);
  if (c === undefined) throw new Error('setup');
  a.t.addPeer(3, c.t.address);
  await c.t.close();
  a.t.send([heartbeat(1, 3, 1)]);
  await settle();
  t.ok(a.unreachable.includes(3));
  await a.t.close();
  t.doesNotThrow(() => a.t.send([heartbeat(1, 2, 1)]));
});

t.test('memory transport - an address is bound by one transport at a time', async (t) => {
  const net = new MemoryNetwork();
  await cluster(net, [1]);
  const dup = new MemoryTransport({ network: net, id: 2, listen: 'm1' });
  await t.rejects(dup.start(), { code: 'listen-failed' });
});
