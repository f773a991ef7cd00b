// Node IPAM: the allocator's rules (lowest free block, occupy/release, exhaustion, bad input),
// the flags, and the controller against an in-process API server: nodes get distinct /24s
// written once, blocks already held survive a restart of the controller, a deleted node's block
// is handed out again, and a node that finds none gets a CIDRNotAvailable event.
import t from 'tap';
import type { Event, Node } from '../../api/index.js';
import { CidrAllocator, CidrAllocatorConfigError, ControllerManagerConfigError } from '../../control-plane/controllers/index.js';
import { ControllerManager } from '../../control-plane/controllers/index.js';
import { parseNodeIpamFlags } from '../../control-plane/apiserver/node-ipam-flags.js';
import { loadApiConfig } from '../../control-plane/apiserver/config.js';
import { cidrContains, parseIpv4Cidr } from '../../api/net/ipv4-cidr.js';
import { systemClock } from '../../client/index.js';
import { log, startCluster, startManager, until } from './helpers/cluster.js';

t.test('cidr allocator - lowest free block, occupy and release', async (t) => {
  const a = new CidrAllocator('10.244.0.0/16', 24);
  t.equal(a.free, 256);
  t.same(a.occupy('10.244.1.0/24'), { ok: true }, 'a block a node already holds');
  t.equal(a.allocate(), '10.244.0.0/24');
  t.equal(a.allocate(), '10.244.2.0/24', 'skips the occupied block');
  a.release('10.244.0.0/24');
  t.equal(a.allocate(), '10.244.0.0/24', 'a released block is the lowest free again');
  t.same(a.occupy('10.244.1.0/24'), { ok: true }, 'occupy is idempotent');
  t.match(a.occupy('10.245.0.0/24'), { ok: false, reason: /outside the cluster CIDR 10.244.0.0\/16/ });
  t.match(a.occupy('10.244.0.0/25'), { ok: false, reason: /not a \/24/ });
  t.match(a.occupy('nonsense'), { ok: false, reason: /not an IPv4 CIDR/ });
  t.equal(a.free, 253);
});

t.test('cidr allocator - exhaustion and config errors', async (t) => {
  const a = new CidrAllocator('10.0.0.0/30', 30);
  t.equal(a.allocate(), '10.0.0.0/30');
  t.equal(a.allocate(), undefined, 'one block only');
  const b = new CidrAllocator('10.244.0.0/22', 24);
  t.same([b.allocate(), b.allocate(), b.allocate(), b.allocate(), b.allocate()], ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24', undefined]);
  t.throws(() => new CidrAllocator('10.244.0.0/16', 8), CidrAllocatorConfigError, 'mask shorter than the cluster prefix');
  t.throws(() => new CidrAllocator('10.244.0.0/16', 31), /between the cluster CIDR's prefix \(16\) and 30/);
  t.throws(() => new CidrAllocator('10.244.1.0/16', 24), /host bits set/);
  t.throws(() => new ControllerManager({ client: {} as never, clock: systemClock, log, config: { identity: 'x', leaderElection: false, nodeIpam: { clusterCIDR: 'x' } } }), ControllerManagerConfigError);
  t.ok(cidrContains(parseIpv4Cidr('10.244.0.0/16'), parseIpv4Cidr('10.244.255.0/24')));
  t.notOk(cidrContains(parseIpv4Cidr('10.244.0.0/16'), parseIpv4Cidr('10.0.0.0/8')));
});

t.test('node ipam - flags', async (t) => {
  t.same(parseNodeIpamFlags(new Map()), { allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 }, 'kubeadm defaults');
  t.same(parseNodeIpamFlags(new Map([['allocate-node-cidrs', 'false'], ['cluster-cidr', '10.100.0.0/14'], ['node-cidr-mask-size', '26']])), { allocateNodeCIDRs: false, clusterCIDR: '10.100.0.0/14', nodeCIDRMaskSize: 26 });
  t.throws(() => parseNodeIpamFlags(new Map([['cluster-cidr', '10.244.0.0']])), /--cluster-cidr: "10.244.0.0" is not an IPv4 CIDR/);
  t.throws(() => parseNodeIpamFlags(new Map([['node-cidr-mask-size', '12']])), /--node-cidr-mask-size: "12" must be a whole number from the cluster CIDR's prefix \(16\) to 30/);
  t.throws(() => parseNodeIpamFlags(new Map([['allocate-node-cidrs', 'yes']])), /not true or false/);
  t.match(loadApiConfig(['--api-listen-address=127.0.0.1:6443', '--cluster-cidr=10.10.0.0/16', '--node-cidr-mask-size', '25']).api?.nodeIpam, { clusterCIDR: '10.10.0.0/16', nodeCIDRMaskSize: 25, allocateNodeCIDRs: true }, 'taken from shoal-control-plane argv');
});

const nodeObj = (name: string, podCIDR?: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR === undefined ? {} : { podCIDR, podCIDRs: [podCIDR] } }) as unknown as Node;

t.test('node ipam - nodes get distinct blocks once; held blocks survive a restart; deleted frees; exhaustion is an event', async (t) => {
  const { client } = await startCluster(t);
  const nodes = client.resource<Node>('nodes', '');
  // A node that already has a block before the controller starts keeps it and it is never handed out.
  await nodes.create(nodeObj('held', '10.244.0.0/24'));
  await nodes.create(nodeObj('a'));
  await nodes.create(nodeObj('b'));
  const m1 = startManager(t, client, { controllers: ['node-ipam'], nodeIpam: { clusterCIDR: '10.244.0.0/22', nodeCIDRMaskSize: 24, retryMs: 200 } });
  const cidrOf = async (n: string): Promise<string | undefined> => (await nodes.get(n)).spec.podCIDR;
  await until(t, 'a and b got a pod CIDR', async () => (await cidrOf('a')) !== undefined && (await cidrOf('b')) !== undefined);
  const a = await nodes.get('a');
  t.same(a.spec.podCIDRs, [a.spec.podCIDR], 'podCIDRs = [podCIDR]');
  const got = new Set([await cidrOf('held'), await cidrOf('a'), await cidrOf('b')]);
  t.same([...got].sort(), ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'], 'distinct, lowest free, the held one kept');
  // A new manager (a leader change) marks what nodes hold before handing out anything.
  await m1.stop();
  await nodes.create(nodeObj('c'));
  startManager(t, client, { controllers: ['node-ipam'], nodeIpam: { clusterCIDR: '10.244.0.0/22', nodeCIDRMaskSize: 24, retryMs: 200 } });
  await until(t, 'c got the last block', async () => (await cidrOf('c')) === '10.244.3.0/24');
  // Exhausted: the next node waits with a Warning event.
  await nodes.create(nodeObj('d'));
  const events = client.resource<Event>('events', 'default');
  await until(t, 'CIDRNotAvailable event for d', async () => (await events.list()).items.some((e) => e.reason === 'CIDRNotAvailable' && e.involvedObject.name === 'd' && e.type === 'Warning'));
  t.equal(await cidrOf('d'), undefined, 'no block for d while none is free');
  // Deleting a node frees its block for the waiting one.
  const bBlock = await cidrOf('b');
  await nodes.delete('b');
  await until(t, 'd got the block b held', async () => (await cidrOf('d')) === bBlock);
  t.equal(await cidrOf('a'), a.spec.podCIDR, 'a was never reassigned');
});

t.test('node ipam - a node holding a block of another range stops allocation until it goes', async (t) => {
  const { client } = await startCluster(t);
  const nodes = client.resource<Node>('nodes', '');
  await nodes.create(nodeObj('old', '10.100.5.0/24'));
  await nodes.create(nodeObj('new'));
  startManager(t, client, { controllers: ['node-ipam'], nodeIpam: { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, retryMs: 200 } });
  const events = client.resource<Event>('events', 'default');
  await until(t, 'CIDRNotAvailable naming the foreign block', async () => (await events.list()).items.some((e) => e.reason === 'CIDRNotAvailable' && e.involvedObject.name === 'new' && /node old: 10.100.5.0\/24 is outside the cluster CIDR/.test(e.message ?? '')));
  t.equal((await nodes.get('new')).spec.podCIDR, undefined, 'nothing allocated meanwhile');
  await nodes.delete('old');
  await until(t, 'allocation resumes once the foreign node is gone', async () => (await nodes.get('new')).spec.podCIDR === '10.244.0.0/24');
});
