// Node heartbeat - against a real API server with a scripted host: the Node is created with its
// labels; NodeStatus is written only when it changed or after statusMaxAgeMs; the Lease is
// created (with its namespace) and renewed.
import pino from 'pino';
import t from 'tap';
import type { Lease, Node } from '../../api/index.js';
import { ShoalClient, insecureCredentials } from '../../client/index.js';
import { FakeRuntime, MemoryEventSink, NodeHeartbeat, defaultReservations, defaultThresholds } from '../../node-agent/index.js';
import type { HostFacts, HostUsage } from '../../node-agent/index.js';
import { ApiServers } from '../client/helpers/api-servers.js';
import { ManualClock } from './helpers/manual-clock.js';

const GiB = 1024 ** 3;
const OPTIONS = { nodeName: 'pi-1', reservations: defaultReservations, thresholds: defaultThresholds, maxPods: 110, agentVersion: 'test', leaseDurationSeconds: 40, statusMaxAgeMs: 300_000 };
const facts: HostFacts = { hostname: 'pi-1', arch: 'arm64', os: 'linux', osImage: 'Debian 13', kernelVersion: '6.1.0', cpuCores: 4, cpuModel: 'A72', memoryBytes: 4 * GiB, rootDiskBytes: 32 * GiB, addresses: ['192.0.2.7'], machineID: 'm', bootID: 'b' };

t.test('node heartbeat - registers, writes status only on change or when old, renews the lease', async (t) => {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, credentials: insecureCredentials });
  t.teardown(() => client.close());
  const clock = new ManualClock();
  let usage: HostUsage = { memoryAvailableBytes: 2 * GiB, rootDiskAvailableBytes: 16 * GiB, rootDiskBytes: 32 * GiB, pids: 100, pidMax: 32768 };
  const hb = new NodeHeartbeat(client, new FakeRuntime({ clock }), { facts: async () => facts, usage: async () => usage }, clock, pino({ level: 'silent' }), OPTIONS);
  await hb.register();
  const node = await client.resource<Node>('nodes', '').get('pi-1');
  t.equal(node.metadata.labels?.['kubernetes.io/arch'], 'arm64');
  t.equal((node.status?.capacity as Record<string, string>).cpu, '4');
  t.equal(hb.statusWrites, 1);
  clock.advance(10_000);
  t.equal(await hb.updateStatus(), false, 'nothing changed: no write');
  usage = { ...usage, memoryAvailableBytes: 10 * 1024 * 1024 };
  clock.advance(10_000);
  t.equal(await hb.updateStatus(), true, 'memory pressure: written');
  const pressured = await client.resource<Node>('nodes', '').get('pi-1');
  t.equal(pressured.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status, 'True');
  clock.advance(10_000);
  t.equal(await hb.updateStatus(), false);
  clock.advance(300_000);
  t.equal(await hb.updateStatus(), true, 'written again after 5 minutes');
  t.equal(hb.statusWrites, 3);

  await hb.renewLease();
  const leases = client.resource<Lease>('leases', 'kube-node-lease');
  const l1 = await leases.get('pi-1');
  t.equal(l1.spec.holderIdentity, 'pi-1');
  clock.advance(10_000);
  await hb.renewLease();
  const l2 = await leases.get('pi-1');
  t.not(l2.spec.renewTime, l1.spec.renewTime, 'renewTime moves');
  t.equal(hb.leaseRenewals, 2);
});

t.test('node heartbeat - Node events: Starting, NodeReady after the control plane marked it Unknown, NodeNotReady', async (t) => {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, credentials: insecureCredentials });
  t.teardown(() => client.close());
  const clock = new ManualClock();
  const usage: HostUsage = { memoryAvailableBytes: 2 * GiB, rootDiskAvailableBytes: 16 * GiB, rootDiskBytes: 32 * GiB, pids: 100, pidMax: 32768 };
  let networkReady = true;
  const heartbeat = (events: MemoryEventSink): NodeHeartbeat =>
    new NodeHeartbeat(client, new FakeRuntime({ clock }), { facts: async () => facts, usage: async () => usage }, clock, pino({ level: 'silent' }), {
      ...OPTIONS,
      events,
      network: () => (networkReady ? { ready: true } : { ready: false, reason: 'NoRouteCreated', message: 'routes not programmed' }),
    });
  const first = new MemoryEventSink();
  await heartbeat(first).register();
  t.same(first.nodeEvents.map((e) => e.reason), ['Starting', 'NodeReady'], 'a new node: Starting, then NodeReady');

  // The control plane saw no heartbeat and marked the node Unknown; the agent comes back.
  const nodes = client.resource<Node>('nodes', '');
  const cur = await nodes.get('pi-1');
  await nodes.patchStatus('pi-1', { status: { conditions: (cur.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c)) } } as never);
  const back = new MemoryEventSink();
  const hb = heartbeat(back);
  await hb.register();
  t.same(back.nodeEvents.map((e) => e.reason), ['Starting', 'NodeReady'], 'back after Unknown: NodeReady again');
  t.match(back.nodeEvents[1]?.message, /Node pi-1 status is now: NodeReady/);

  networkReady = false;
  clock.advance(10_000);
  await hb.updateStatus();
  t.same(back.nodeEvents.map((e) => e.reason), ['Starting', 'NodeReady', 'NodeNotReady'], 'not ready: NodeNotReady');
  clock.advance(10_000);
  await hb.updateStatus(true);
  t.equal(back.nodeEvents.length, 3, 'no event while it stays not ready');
});
