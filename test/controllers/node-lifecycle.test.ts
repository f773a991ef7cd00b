// Node lifecycle: the pure rules table-driven, and against an in-process API server: a node
// whose Lease stops being renewed turns Ready=Unknown with the unreachable taint, and its pods
// are evicted after their tolerationSeconds so their ReplicaSet recreates them on a live node.
import t from 'tap';
import type { Lease, Node, Pod, ReplicaSet } from '../../api/index.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, desiredTaints, evictionTime, fullDisruption, nodeHealth } from '../../control-plane/controllers/index.js';
import { FakeKubelet, startCluster, startManager, until } from './helpers/cluster.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const node = (name: string, ready: string | undefined, taints: unknown[] = []): Node =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: taints.length ? { taints } : {}, status: ready === undefined ? {} : { conditions: [{ type: 'Ready', status: ready }] } }) as unknown as Node;
const pod = (tolerations: unknown[] = []): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], tolerations } }) as unknown as Pod;

t.test('node health and taints - table', async (t) => {
  t.equal(nodeHealth(node('n', 'True'), T0, T0 + 39_000, 40_000), 'Ready');
  t.equal(nodeHealth(node('n', 'True'), T0, T0 + 41_000, 40_000), 'Unknown', 'silent past the grace period');
  t.equal(nodeHealth(node('n', 'False'), T0, T0 + 1000, 40_000), 'NotReady');
  t.equal(nodeHealth(node('n', undefined), T0, T0 + 1000, 40_000), 'Starting', 'not reported yet: left alone within the grace period');
  t.equal(nodeHealth(node('n', undefined), T0, T0 + 41_000, 40_000), 'Unknown', 'never reported within the grace period');
  const starting = node('n', undefined, [{ key: TAINT_NOT_READY, effect: 'NoSchedule' }]);
  t.same(desiredTaints(starting, 'Starting', '2026-12-04T00:00:00Z'), [{ key: TAINT_NOT_READY, effect: 'NoSchedule' }], 'a starting node keeps its taints as they are');
  const now = '2026-01-01T00:01:00Z';
  t.match(desiredTaints(node('n', 'True', [{ key: 'own', effect: 'NoSchedule' }]), 'Unknown', now), [{ key: 'own' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: now }]);
  t.match(desiredTaints(node('n', 'False'), 'NotReady', now), [{ key: TAINT_NOT_READY, effect: 'NoExecute' }]);
  const kept = desiredTaints(node('n', 'True', [{ key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }]), 'Unknown', now);
  t.equal(kept[0]?.timeAdded, '2026-01-01T00:00:00Z', 'an existing taint keeps its timeAdded');
  t.same(desiredTaints(node('n', 'True', [{ key: TAINT_UNREACHABLE, effect: 'NoExecute' }]), 'Ready', now), [], 'healthy again: taint removed');
  t.equal(fullDisruption(['Ready', 'Unknown']), false, 'fewer than 3 nodes: never');
  t.equal(fullDisruption(['Ready', 'Unknown', 'Unknown']), true);
  t.equal(fullDisruption(['Ready', 'Ready', 'Unknown']), false);
});

t.test('evictionTime - table', async (t) => {
  const taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' } as never;
  const cases: [string, unknown[], number | undefined][] = [
    ['no toleration: now', [], 0],
    ['tolerationSeconds 300: after 300 s', [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], T0 + 300_000],
    ['tolerated forever: never', [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }], undefined],
    ['other key only: now', [{ key: 'x', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }], 0],
  ];
  for (const [name, tols, want] of cases) t.equal(evictionTime(pod(tols), [taint]), want, name);
  t.equal(evictionTime(pod(), [{ key: 'soft', effect: 'NoSchedule' } as never]), undefined, 'NoSchedule never evicts');
});

t.test('node lifecycle - a silent node is marked Unknown and tainted; its pods move after their tolerationSeconds', async (t) => {
  const { client } = await startCluster(t);
  const nodes = client.resource<Node>('nodes', '');
  const leases = client.resource<Lease>('leases', 'kube-node-lease');
  for (const n of ['n1', 'n2']) {
    await nodes.create(node(n, undefined));
    await nodes.patchStatus(n, { status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: n, namespace: 'kube-node-lease' }, spec: { holderIdentity: n, leaseDurationSeconds: 1, renewTime: new Date().toISOString() } } as Lease);
  }
  const alive = new Set(['n1', 'n2']);
  const beat = setInterval(() => {
    for (const n of alive) void leases.patch(n, { spec: { renewTime: new Date().toISOString() } }).catch(() => undefined);
  }, 150);
  t.teardown(() => clearInterval(beat));

  const kubelet = await FakeKubelet.start(t, client);
  kubelet.node = 'n1';
  startManager(t, client, { controllers: ['replicaset', 'node-lifecycle'], nodeLifecycle: { gracePeriodMs: 1500, monitorPeriodMs: 200 } });
  await client.resource<ReplicaSet>('replicasets').create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'w', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'x' }], tolerations: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }] } } },
  } as unknown as ReplicaSet);
  const liveOn = (n: string): Pod[] => kubelet.pods.cache.list().filter((p) => p.metadata.labels?.app === 'w' && p.spec.nodeName === n && p.metadata.deletionTimestamp === undefined);
  await until(t, '2 pods on n1', () => liveOn('n1').length === 2);
  // n1 goes silent; new pods land on n2.
  alive.delete('n1');
  kubelet.dead.add('n1');
  kubelet.node = 'n2';
  await until(t, 'n1 Unknown and tainted', async () => {
    const n = await nodes.get('n1');
    return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'Unknown' && (n.spec.taints ?? []).some((x) => x.key === TAINT_UNREACHABLE);
  });
  await until(t, 'pods moved to n2', () => liveOn('n1').length === 0 && liveOn('n2').length === 2);
  // The evicted pods stay Terminating (their kubelet is gone to finish them), marked not ready.
  const stranded = kubelet.pods.cache.list().filter((p) => p.metadata.labels?.app === 'w' && p.spec.nodeName === 'n1');
  t.equal(stranded.length, 2, 'two evicted pods left on n1');
  t.ok(stranded.every((p) => p.metadata.deletionTimestamp !== undefined && p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False'), 'marked for deletion and not ready');
  const n2 = await nodes.get('n2');
  t.equal(n2.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', 'the live node stays Ready');
  t.same(n2.spec.taints ?? [], [], 'and untainted');
});

t.test('node lifecycle - a node that has not posted status yet is left alone within the grace period', async (t) => {
  const { client } = await startCluster(t);
  const nodes = client.resource<Node>('nodes', '');
  startManager(t, client, { controllers: ['node-lifecycle'], nodeLifecycle: { gracePeriodMs: 60_000, monitorPeriodMs: 50 } });
  await nodes.create(node('fresh', undefined));
  // Many monitor passes go by before the agent's first status (as on a loaded host).
  await new Promise((r) => setTimeout(r, 1000));
  const before = await nodes.get('fresh');
  t.equal(before.status?.conditions?.find((c) => c.type === 'Ready'), undefined, 'no Ready=Unknown written over a starting node');
  t.same(before.spec.taints ?? [], [], 'and no unreachable taint');
  await nodes.patchStatus('fresh', { status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  await until(t, 'a monitor pass after the first status', async () => (await nodes.get('fresh')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
  await new Promise((r) => setTimeout(r, 300));
  const after = await nodes.get('fresh');
  t.equal(after.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', 'the posted Ready=True stands');
  t.same(after.spec.taints ?? [], [], 'untainted');
});
