// The pod network's pure parts: routes wanted from the Node list, route changes against what
// `ip -j route` shows (only our protocol, only inside the cluster CIDR), the rule specs, the
// node conditions it drives and the run flags.
import t from 'tap';
import type { Node } from '../../api/index.js';
import { buildNodeStatus, defaultReservations, defaultThresholds, parseRunArgs } from '../../node-agent/index.js';
import { desiredRoutes, forwardRules, postroutingRules, routeChanges, ROUTE_PROTOCOL } from '../../node-agent/pod-network/index.js';

const node = (name: string, podCIDR?: string, ip?: string): Node =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR } : {}, status: ip ? { addresses: [{ type: 'InternalIP', address: ip }] } : {} }) as unknown as Node;
const CLUSTER = '10.244.0.0/16';

t.test('pod network - routes to every other node with a pod CIDR and an InternalIP', async (t) => {
  const plan = desiredRoutes([node('w1', '10.244.1.0/24', '10.77.0.21'), node('w2', '10.244.2.0/24', '10.77.0.22'), node('w3', '10.244.3.0/24'), node('w4'), node('x', '192.168.0.0/24', '10.77.0.30')], 'w1', CLUSTER);
  t.same(plan.routes, [{ dst: '10.244.2.0/24', via: '10.77.0.22' }], 'self, no-IP, no-CIDR and outside nodes left out');
  t.same(plan.skipped, ['w3: no IPv4 InternalIP', 'x: pod CIDR 192.168.0.0/24 is outside the cluster CIDR 10.244.0.0/16']);
});

t.test('pod network - route changes touch only our routes inside the cluster CIDR', async (t) => {
  const current = [
    { dst: '10.77.0.0/24', protocol: 'kernel' },
    { dst: '10.244.1.0/24', protocol: 'kernel' }, // our own bridge
    { dst: '10.244.2.0/24', gateway: '10.77.0.99', protocol: ROUTE_PROTOCOL }, // wrong gateway
    { dst: '10.244.5.0/24', gateway: '10.77.0.25', protocol: ROUTE_PROTOCOL }, // node deleted
    { dst: '10.244.6.0/24', gateway: '10.77.0.26', protocol: 'static' }, // someone else's
    { dst: '10.9.0.0/24', gateway: '10.77.0.26', protocol: ROUTE_PROTOCOL }, // outside the cluster CIDR
  ];
  const desired = [
    { dst: '10.244.2.0/24', via: '10.77.0.22' },
    { dst: '10.244.3.0/24', via: '10.77.0.23' },
  ];
  t.same(routeChanges(current, desired, CLUSTER), { replace: desired, remove: ['10.244.5.0/24'] });
  t.same(routeChanges([{ dst: '10.244.2.0/24', gateway: '10.77.0.22', protocol: ROUTE_PROTOCOL }], desired.slice(0, 1), CLUSTER), { replace: [], remove: [] }, 'in place: nothing to do');
});

t.test('pod network - rules: accept cluster traffic, masquerade only leaving the cluster CIDR', async (t) => {
  t.same(forwardRules(CLUSTER).map((r) => r.join(' ')), [
    '-s 10.244.0.0/16 -m comment --comment shoal pod network: from pods -j ACCEPT',
    '-d 10.244.0.0/16 -m comment --comment shoal pod network: to pods -j ACCEPT',
  ]);
  t.same(postroutingRules('10.244.1.0/24', CLUSTER).map((r) => r.join(' ')), ['-s 10.244.1.0/24 ! -d 10.244.0.0/16 -m comment --comment shoal pod network: pods to outside -j MASQUERADE']);
});

t.test('pod network - node conditions: NetworkUnavailable and Ready follow the network; none adds nothing', async (t) => {
  const facts = { hostname: 'h', addresses: ['10.77.0.21'], cpuCores: 2, memoryBytes: 2 ** 31, rootDiskBytes: 2 ** 34, arch: 'amd64', os: 'linux', machineID: 'm', bootID: 'b', kernelVersion: 'k', osImage: 'o' };
  const usage = { memoryAvailableBytes: 2 ** 30, rootDiskBytes: 2 ** 34, rootDiskAvailableBytes: 2 ** 33, pids: 10, pidMax: 1000 };
  const base = { facts, usage, reservations: defaultReservations, thresholds: defaultThresholds, maxPods: 110, runtimeVersion: 'docker://20.10', runtimeError: '', agentVersion: 'a', previous: undefined, now: 0 } as never;
  const cond = (s: ReturnType<typeof buildNodeStatus>, type: string) => s.conditions?.find((c) => c.type === type);
  const none = buildNodeStatus(base);
  t.equal(cond(none, 'NetworkUnavailable'), undefined, '--pod-network none: no condition');
  t.equal(cond(none, 'Ready')?.status, 'True');
  const waiting = buildNodeStatus({ ...(base as object), network: { ready: false, reason: 'NoPodCIDR', message: 'waiting for a pod CIDR' } } as never);
  t.match(cond(waiting, 'NetworkUnavailable'), { status: 'True', reason: 'NoPodCIDR', message: /waiting for a pod CIDR/ });
  t.match(cond(waiting, 'Ready'), { status: 'False', reason: 'NetworkNotReady', message: /pod network not ready: waiting for a pod CIDR/ });
  const ready = buildNodeStatus({ ...(base as object), network: { ready: true } } as never);
  t.match(cond(ready, 'NetworkUnavailable'), { status: 'False', reason: 'RouteCreated' });
  t.equal(cond(ready, 'Ready')?.status, 'True');
});

t.test('shoal-agent run - pod network flags', async (t) => {
  const d = parseRunArgs(['run']);
  t.same([d.podNetwork, d.clusterCIDR, d.nodeIP], ['host-gw', '10.244.0.0/16', undefined], 'defaults');
  const o = parseRunArgs(['run', '--pod-network', 'none', '--node-ip', '10.77.0.21', '--cluster-cidr', '10.100.0.0/16']);
  t.same([o.podNetwork, o.clusterCIDR, o.nodeIP], ['none', '10.100.0.0/16', '10.77.0.21']);
  t.throws(() => parseRunArgs(['run', '--pod-network', 'vxlan']), /--pod-network: expected host-gw or none/);
  t.throws(() => parseRunArgs(['run', '--node-ip', 'pi-1']), /--node-ip: expected an IPv4 address/);
  t.throws(() => parseRunArgs(['run', '--cluster-cidr', '10.244.0.1/16']), /--cluster-cidr: .*host bits/);
});
