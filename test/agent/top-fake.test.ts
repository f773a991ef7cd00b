// shoalctl top nodes|pods on the in-memory runtime: the node's usage comes from the agent's
// usage source, a pod's from the runtime's stats (the fake reports 1m and 1 MiB per running
// container) summed per pod; a node whose agent has no tunnel shows <unknown> with a warning.
import t from 'tap';
import type { Namespace, Node, Pod } from '../../api/index.js';
import { mustParseQuantity, toMillis, toUnits } from '../../api/index.js';
import type { Authorizer } from '../../control-plane/apiserver/pipeline/authorization.js';
import { shoalctl } from '../cli/helpers/shoalctl.js';
import { until } from './helpers/agent-rig.js';
import { FAKE_IMAGE, FAKE_NODE_USAGE, tunnelRig } from './helpers/tunnel-rig.js';

t.setTimeout(600_000);

t.test('top - nodes and pods from the agents, <unknown> for a node without a tunnel', async (t) => {
  // The agent's tunnel goes to server 0 only: a client that starts at server 1 moves on.
  const r = await tunnelRig(t, { tunnelServers: [0] });
  const ctl = shoalctl(t, [...r.servers.addresses].reverse());
  await r.runPod(t, 'web', ['app']);
  await r.runPod(t, 'pair', ['a', 'b']);
  await r.client.resource<Namespace>('namespaces', '').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } as unknown as Namespace);
  const shop = r.client.resource<Pod>('pods', 'shop');
  await shop.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cart' }, spec: { nodeName: r.nodeName, containers: [{ name: 'c', image: FAKE_IMAGE }] } } as unknown as Pod);
  await until(t, 'cart running', async () => (await shop.get('cart')).status?.phase === 'Running');
  // A node with no agent, and a pod bound to it.
  await r.client.resource<Node>('nodes', '').create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'ghost' } } as unknown as Node);
  await r.client.resource<Pod>('pods', 'default').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'haunted' }, spec: { nodeName: 'ghost', containers: [{ name: 'c', image: FAKE_IMAGE }] } } as unknown as Pod);

  const node = await r.client.resource('nodes', '').get(r.nodeName);
  const alloc = (node as { status?: { allocatable?: Record<string, string> } }).status?.allocatable ?? {};
  const cpuPct = Math.floor((FAKE_NODE_USAGE.cpuMillicores / toMillis(mustParseQuantity(alloc.cpu ?? '0'))) * 100);
  const memPct = Math.floor((FAKE_NODE_USAGE.memoryBytes / toUnits(mustParseQuantity(alloc.memory ?? '0'))) * 100);

  const nodes = await ctl.call(['top', 'nodes']);
  t.equal(nodes.code, 0, nodes.stderr);
  const rows = nodes.stdout.split('\n').map((l) => l.split(/\s{2,}/));
  t.same(rows[0], ['NAME', 'CPU(cores)', 'CPU%', 'MEMORY(bytes)', 'MEMORY%']);
  t.same(
    rows.slice(1).filter((x) => x[0] !== ''),
    [['ghost', '<unknown>', '<unknown>', '<unknown>', '<unknown>'], [r.nodeName, '250m', `${cpuPct}%`, '512Mi', `${memPct}%`]].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    'usage and percent of allocatable; the agentless node unknown',
  );
  t.match(nodes.stderr, /Warning: no usage for node "ghost": .*no tunnel/);

  const pods = await ctl.call(['top', 'pods']);
  t.equal(pods.code, 0, pods.stderr);
  t.equal(
    pods.stdout,
    ['NAME      CPU(cores)   MEMORY(bytes)', 'haunted   <unknown>    <unknown>', 'pair      2m           2Mi', 'web       1m           1Mi', ''].join('\n'),
    'containers summed per pod; the pod on the agentless node unknown; other namespaces left out',
  );
  t.match(pods.stderr, /Warning: no usage for node "ghost"/);

  const all = await ctl.call(['top', 'pods', '-A']);
  t.equal(all.code, 0, all.stderr);
  t.match(all.stdout, /^NAMESPACE   NAME      CPU\(cores\)   MEMORY\(bytes\)\n/);
  t.match(all.stdout, /\nshop        cart      1m           1Mi\n/, 'NAMESPACE column with -A');

  const one = await ctl.call(['top', 'pods', '-n', 'shop']);
  t.equal(one.stdout, 'NAME   CPU(cores)   MEMORY(bytes)\ncart   1m           1Mi\n', '-n picks the namespace');
  t.equal(one.stderr, '', 'no warning when every node asked answered');

  const none = await ctl.call(['top', 'pods', '-n', 'empty']);
  t.equal(none.code, 0);
  t.match(none.stderr, /No resources found in empty namespace\./);
});

t.test('top - the node stats call answers for its node only, through the API', async (t) => {
  const r = await tunnelRig(t);
  await r.runPod(t, 'solo', ['x', 'y', 'z']);
  const s = await r.client.streams.nodeStats(r.nodeName);
  t.equal(s.node, r.nodeName);
  t.equal(s.cpuMillicores, FAKE_NODE_USAGE.cpuMillicores);
  t.equal(s.memoryBytes, FAKE_NODE_USAGE.memoryBytes);
  t.same(
    s.pods.map((p) => [p.namespace, p.name, p.cpuMillicores, p.memoryBytes]),
    [['default', 'solo', 3, 3 * 1024 * 1024]],
  );
  t.ok(s.timestampMs > 0, 'stamped by the agent');
  await t.rejects(r.client.streams.nodeStats('nobody'), { message: /node "nobody" has no tunnel/ });
});

t.test('top - node stats are authorized as get nodes/stats; a refusal fails the command', async (t) => {
  const seen: string[] = [];
  const noStats: Authorizer = {
    authorize: async (a) => {
      if (a.subresource === 'stats') seen.push(`${a.verb} ${a.resource}/${a.subresource} ${a.name}`);
      return a.subresource === 'stats' ? { allowed: false, reason: 'admins only' } : { allowed: true };
    },
  };
  const r = await tunnelRig(t, { serverOptions: { authorizer: noStats } });
  await t.rejects(r.client.streams.nodeStats(r.nodeName), { code: 7, message: /User "system:anonymous" cannot get resource "nodes\/stats" in API group "" at the cluster scope: admins only/ });
  t.ok(seen.includes(`get nodes/stats ${r.nodeName}`), 'authorized as get nodes/stats for the node');
  const ctl = shoalctl(t, r.servers.addresses);
  const res = await ctl.call(['top', 'nodes']);
  t.equal(res.code, 1, 'forbidden is an error, not <unknown>');
  t.match(res.stderr, /forbidden/);
});
