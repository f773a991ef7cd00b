// DaemonSets: the pure core table-driven (eligibility by nodeSelector and taints, extras,
// rolling replacement bounded by maxUnavailable), and against an in-process API server: a node
// that joins gets its pod, a tainted node does not.
import t from 'tap';
import type { DaemonSet, Node, Pod } from '../../api/index.js';
import { REVISION_HASH_LABEL, planDaemonSet, podTemplateHash, tolerates } from '../../control-plane/controllers/index.js';
import { FakeKubelet, startCluster, startManager, until } from './helpers/cluster.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

const ds = (image = 'agent:1', extra: Record<string, unknown> = {}): DaemonSet =>
  ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'u-ds', generation: 1 },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image }], ...extra } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, minReadySeconds: 0, revisionHistoryLimit: 10 },
  }) as unknown as DaemonSet;

const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): Node =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { ...(taints.length ? { taints } : {}) } }) as unknown as Node;

const pod = (name: string, nodeName: string, hash: string, ready = true): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'agent', [REVISION_HASH_LABEL]: hash }, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { nodeName, containers: [] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }) as unknown as Pod;

t.test('tolerates - table', async (t) => {
  const taint = { key: 'edge', value: 'true', effect: 'NoSchedule' } as const;
  const cases: [Record<string, unknown>, boolean][] = [
    [{ key: 'edge', operator: 'Equal', value: 'true', effect: 'NoSchedule' }, true],
    [{ key: 'edge', operator: 'Equal', value: 'false', effect: 'NoSchedule' }, false],
    [{ key: 'edge', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'edge', operator: 'Exists', effect: 'NoExecute' }, false],
  ];
  for (const [tol, want] of cases) t.equal(tolerates(tol as never, taint as never), want, JSON.stringify(tol));
});

t.test('planDaemonSet - table', async (t) => {
  const h1 = podTemplateHash(ds().spec.template);
  const cases: { name: string; ds: DaemonSet; nodes: Node[]; pods: Pod[]; create: string[]; del: string[]; desired: number }[] = [
    { name: 'a pod per node', ds: ds(), nodes: [node('n1'), node('n2')], pods: [pod('p1', 'n1', h1)], create: ['n2'], del: [], desired: 2 },
    { name: 'nodeSelector limits the nodes', ds: ds('agent:1', { nodeSelector: { role: 'edge' } }), nodes: [node('n1', { role: 'edge' }), node('n2')], pods: [], create: ['n1'], del: [], desired: 1 },
    { name: 'untolerated NoSchedule taint: no new pod, existing one stays', ds: ds(), nodes: [node('n1', {}, [{ key: 'gpu', effect: 'NoSchedule' }]), node('n2', {}, [{ key: 'gpu', effect: 'NoSchedule' }])], pods: [pod('p1', 'n1', h1)], create: [], del: [], desired: 0 },
    { name: 'untolerated NoExecute taint: pod removed', ds: ds(), nodes: [node('n1', {}, [{ key: 'bad', effect: 'NoExecute' }])], pods: [pod('p1', 'n1', h1)], create: [], del: ['p1'], desired: 0 },
    { name: 'not-ready taint is tolerated', ds: ds(), nodes: [node('n1', {}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }])], pods: [], create: ['n1'], del: [], desired: 1 },
    { name: 'two pods on a node: one goes', ds: ds(), nodes: [node('n1')], pods: [pod('p1', 'n1', h1), pod('p2', 'n1', h1)], create: [], del: ['p2'], desired: 1 },
    { name: 'pod on a node that is gone: deleted', ds: ds(), nodes: [], pods: [pod('p1', 'gone', h1)], create: [], del: ['p1'], desired: 0 },
    { name: 'rolling update: one outdated available pod at a time', ds: ds('agent:2'), nodes: [node('n1'), node('n2'), node('n3')], pods: [pod('p1', 'n1', h1), pod('p2', 'n2', h1), pod('p3', 'n3', h1)], create: [], del: ['p1'], desired: 3 },
    { name: 'rolling update: outdated unavailable pods go regardless', ds: ds('agent:2'), nodes: [node('n1'), node('n2')], pods: [pod('p1', 'n1', h1, false), pod('p2', 'n2', h1, false)], create: [], del: ['p1', 'p2'], desired: 2 },
  ];
  for (const c of cases) {
    const plan = planDaemonSet(c.ds, c.nodes, c.pods, NOW);
    t.same({ create: plan.create, del: plan.delete.map((p) => p.metadata.name), desired: plan.status.desiredNumberScheduled }, { create: c.create, del: c.del, desired: c.desired }, c.name);
  }
});

t.test('daemonset - covers a node that joins; skips a tainted one', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  const nodes = client.resource<Node>('nodes', '');
  await nodes.create(node('n1'));
  await client.resource<DaemonSet>('daemonsets').create(ds());
  const on = (): string[] => kubelet.pods.cache.list().filter((p) => p.metadata.labels?.app === 'agent' && p.metadata.deletionTimestamp === undefined).map((p) => p.spec.nodeName ?? '').sort();
  await until(t, 'pod on n1', () => on().join() === 'n1');
  await nodes.create(node('n2'));
  await nodes.create(node('n3', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]));
  await until(t, 'pod on n2 too', () => on().join() === 'n1,n2');
  await until(t, 'status', async () => {
    const s = (await client.resource<DaemonSet>('daemonsets').get('agent')).status;
    return s?.desiredNumberScheduled === 2 && s.numberReady === 2;
  });
  t.same(on(), ['n1', 'n2'], 'never on the tainted node');
});
