// The pod network's loop and the pod workers' wait, without touching the host: PodNetwork
// against an in-process API server with a recording command runner (an in-memory route table)
// and a fake Docker engine; a PodWorker on FakeRuntime that must not create a container before
// the network is ready and then puts it on the network "shoal".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { Node, PodStatus } from '../../api/index.js';
import { ShoalClient, systemClock } from '../../client/index.js';
import { MemoryEventSink } from '../../node-agent/events.js';
import { PodWorker } from '../../node-agent/pod/pod-worker.js';
import { PodNetwork, ROUTE_PROTOCOL } from '../../node-agent/pod-network/index.js';
import type { CommandRunner, PodNetworkStatus } from '../../node-agent/pod-network/index.js';
import { FakeRuntime } from '../../node-agent/runtime/index.js';
import type { ContainerSpec } from '../../node-agent/runtime/index.js';
import { ApiServers } from '../client/helpers/api-servers.js';
import { ManualClock } from './helpers/manual-clock.js';
import { makePod } from './helpers/pods.js';
import { workerDeps } from './helpers/worker-deps.js';

t.test('pod worker - waits for the pod network, then joins it', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shoal-podnet-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ clock, images: ['busybox:1'] });
  const specs: ContainerSpec[] = [];
  const create = runtime.create.bind(runtime);
  runtime.create = async (s) => {
    specs.push(s);
    return create(s);
  };
  let net: PodNetworkStatus = { ready: false, reason: 'NoPodCIDR', message: 'waiting for a pod CIDR' };
  const events = new MemoryEventSink();
  const statuses: PodStatus[] = [];
  const worker = new PodWorker({ ...workerDeps({ runtime, clock, dataDir, config: { configMap: async () => undefined, secret: async () => undefined }, events, statuses, deleted: [] }), podNetwork: () => net }, makePod('web', { containers: [{ name: 'c', image: 'busybox:1', imagePullPolicy: 'Never' }] }));
  await worker.sync();
  t.equal(specs.length, 0, 'no container while the network is not ready (never on the default bridge)');
  t.match(statuses.at(-1)?.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating', message: /network is not ready: waiting for a pod CIDR/ } });
  t.ok(events.events.some((e) => e.reason === 'NetworkNotReady'), 'a NetworkNotReady event');
  net = { ready: true, network: 'shoal', podCIDR: '10.244.1.0/24' };
  await worker.sync();
  t.equal(specs[0]?.network, 'shoal', 'created on the pod network');
});

/** ip/iptables as a recording twin: a route table in memory; iptables -C fails until -I. */
function fakeHost(): { run: CommandRunner; calls: string[]; routes: Map<string, { gateway?: string; protocol: string }> } {
  const calls: string[] = [];
  const routes = new Map<string, { gateway?: string; protocol: string }>([['10.77.0.0/24', { protocol: 'kernel' }]]);
  const jumps = new Set<string>();
  const run: CommandRunner = async (cmd, args, input) => {
    calls.push(`${cmd} ${args.join(' ')}${input === undefined ? '' : `\n${input}`}`);
    if (cmd === 'ip' && args.includes('link') && args.includes('-j')) return JSON.stringify([{ ifname: 'veth1', linkinfo: { info_slave_data: { hairpin: false } } }]);
    if (cmd === 'ip' && args.includes('-j')) return JSON.stringify([...routes].map(([dst, r]) => ({ dst, ...r })));
    if (cmd === 'ip' && args[1] === 'replace') routes.set(args[2]!, { gateway: args[4]!, protocol: args[6]! });
    if (cmd === 'ip' && args[1] === 'del') routes.delete(args[2]!);
    if (cmd === 'iptables') {
      const key = args.slice(args.indexOf('-t') + 1).filter((a) => !['-C', '-I', '1'].includes(a)).join(' ');
      if (args.includes('-C') && !jumps.has(key)) throw new Error('no such rule');
      if (args.includes('-I')) jumps.add(key);
    }
    return '';
  };
  return { run, calls, routes };
}

function fakeDocker(): { docker: never; networks: Map<string, string> } {
  const networks = new Map<string, string>();
  const docker = {
    getNetwork: (name: string) => ({
      inspect: async () => {
        const subnet = networks.get(name);
        if (subnet === undefined) throw Object.assign(new Error('no such network'), { statusCode: 404 });
        return { IPAM: { Config: [{ Subnet: subnet }] }, Containers: {} };
      },
      remove: async () => void networks.delete(name),
    }),
    createNetwork: async (o: { Name: string; IPAM: { Config: { Subnet: string; Gateway: string }[] }; Options: Record<string, string> }) => {
      t.equal(o.Options['com.docker.network.bridge.enable_ip_masquerade'], 'false', 'docker masquerade off');
      t.equal(o.IPAM.Config[0]?.Gateway, '10.244.1.1', 'gateway = first address');
      networks.set(o.Name, o.IPAM.Config[0]!.Subnet);
    },
  };
  return { docker: docker as never, networks };
}

t.test('pod network - waits for spec.podCIDR, then network, rules and routes follow the nodes', async (t) => {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses });
  t.teardown(() => client.close());
  const nodes = client.resource<Node>('nodes', '');
  const mk = async (name: string, ip: string, podCIDR?: string): Promise<void> => {
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} } as unknown as Node);
    await nodes.patchStatus(name, { status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  };
  await mk('w1', '10.77.0.21');
  await mk('w2', '10.77.0.22', '10.244.2.0/24');
  const host = fakeHost();
  const { docker, networks } = fakeDocker();
  const changes: PodNetworkStatus[] = [];
  const net = new PodNetwork({ client, docker, run: host.run, clock: systemClock, log: pino({ level: 'silent' }), nodeName: 'w1', clusterCIDR: '10.244.0.0/16', resyncMs: 200, minIntervalMs: 20, onChange: (s) => changes.push(s), ipForward: async () => undefined }).start();
  t.teardown(() => net.stop());
  const until = async (what: string, cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    t.ok(cond(), what);
  };
  await until('not ready without a pod CIDR', () => net.passes > 0 && !net.status().ready);
  t.match(net.status(), { ready: false, reason: 'NoPodCIDR', message: /waiting for node w1 to get a pod CIDR/ });
  t.equal(networks.size, 0, 'no docker network yet');
  await nodes.patch('w1', { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] } });
  await until('ready once the pod CIDR is there', () => net.status().ready);
  t.same(net.status(), { ready: true, network: 'shoal', podCIDR: '10.244.1.0/24' });
  t.equal(networks.get('shoal'), '10.244.1.0/24', 'docker network on the pod CIDR');
  t.same(host.routes.get('10.244.2.0/24'), { gateway: '10.77.0.22', protocol: ROUTE_PROTOCOL }, 'route to w2 via its InternalIP');
  const restore = host.calls.find((c) => c.startsWith('iptables-restore'));
  t.match(restore, /:SHOAL-PODNET-FORWARD - \[0:0\]\n-A SHOAL-PODNET-FORWARD -s 10.244.0.0\/16/, 'forward chain written atomically');
  t.match(restore, /-A SHOAL-PODNET-POSTROUTING -s 10.244.1.0\/24 ! -d 10.244.0.0\/16 .* -j MASQUERADE/);
  t.ok(host.calls.includes('iptables -w 5 -t filter -I FORWARD 1 -j SHOAL-PODNET-FORWARD'), 'jump inserted first in FORWARD');
  t.equal(changes.at(-1)?.ready, true, 'onChange told the agent');
  t.ok(host.calls.includes('ip link set dev veth1 type bridge_slave hairpin on'), 'hairpin mode on the pods\' bridge ports');
  // A third node appears, then w2 goes: routes follow.
  await mk('w3', '10.77.0.23', '10.244.3.0/24');
  await until('route to w3', () => host.routes.get('10.244.3.0/24')?.gateway === '10.77.0.23');
  await nodes.delete('w2');
  await until('route to w2 removed', () => !host.routes.has('10.244.2.0/24'));
  t.ok(host.routes.has('10.77.0.0/24'), 'routes outside the cluster CIDR untouched');
  const inserts = host.calls.filter((c) => c.includes('-I FORWARD')).length;
  t.equal(inserts, 1, 'the jump is inserted once, not on every pass');
});
