// StatefulSets: the pure core table-driven, and against an in-process API server: stable names,
// ordered start (each pod only after the previous one is ready), reverse-order scale-down and
// rolling update, a per-pod local volume pinned to its node.
import t from 'tap';
import type { Pod, StatefulSet } from '../../api/index.js';
import { planStatefulSet, podTemplateHash, statefulPod } from '../../control-plane/controllers/index.js';
import { FakeKubelet, startCluster, startManager, until } from './helpers/cluster.js';

const sts = (replicas: number, image = 'db:1', extra: Record<string, unknown> = {}): StatefulSet =>
  ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', uid: 'u-db', generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'db' } }, serviceName: 'db', template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image }] } }, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10, minReadySeconds: 0, ...extra },
  }) as unknown as StatefulSet;

const pod = (i: number, o: { ready?: boolean; hash?: string; phase?: string } = {}): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `db-${i}`, namespace: 'default', labels: { app: 'db', 'controller-revision-hash': o.hash ?? podTemplateHash(sts(1).spec.template) } }, spec: { containers: [] }, status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] } }) as unknown as Pod;

const show = (p: ReturnType<typeof planStatefulSet>): string[] => p.actions.map((a) => (a.type === 'create' ? `create ${a.ordinal}` : `delete ${a.pod.metadata.name ?? ''} (${a.reason})`));

t.test('planStatefulSet - table', async (t) => {
  const cases: { name: string; set: StatefulSet; pods: Pod[]; want: string[] }[] = [
    { name: 'ordered: first pod only', set: sts(3), pods: [], want: ['create 0'] },
    { name: 'ordered: next only after the previous is ready', set: sts(3), pods: [pod(0, { ready: false })], want: [] },
    { name: 'ordered: next when ready', set: sts(3), pods: [pod(0)], want: ['create 1'] },
    { name: 'parallel: all at once', set: sts(3, 'db:1', { podManagementPolicy: 'Parallel' }), pods: [], want: ['create 0', 'create 1', 'create 2'] },
    { name: 'ordered scale-down: highest first, one at a time', set: sts(1), pods: [pod(0), pod(1), pod(2)], want: ['delete db-2 (scale down)'] },
    { name: 'failed pod replaced', set: sts(1), pods: [pod(0, { phase: 'Failed' })], want: ['delete db-0 (failed)'] },
    { name: 'rolling update: highest ordinal first', set: sts(3, 'db:2'), pods: [pod(0), pod(1), pod(2)], want: ['delete db-2 (rolling update)'] },
    { name: 'rolling update waits for all ready', set: sts(3, 'db:2'), pods: [pod(0, { ready: false }), pod(1), pod(2)], want: [] },
    { name: 'partition protects lower ordinals', set: sts(3, 'db:2', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }), pods: [pod(0), pod(1), pod(2, { hash: podTemplateHash(sts(1, 'db:2').spec.template) })], want: [] },
    { name: 'OnDelete: no replacement', set: sts(2, 'db:2', { updateStrategy: { type: 'OnDelete' } }), pods: [pod(0), pod(1)], want: [] },
  ];
  for (const c of cases) t.same(show(planStatefulSet(c.set, c.pods)), c.want, c.name);
  const p = statefulPod(sts(1, 'db:1', { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }), 0, 'h', 'n7');
  t.match(p, { metadata: { name: 'db-0', labels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }, spec: { hostname: 'db-0', subdomain: 'db', nodeName: 'n7', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }] } });
});

t.test('statefulset - ordered start, stable names, reverse scale-down and rolling update', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  const created: string[] = [];
  const outOfOrder: string[] = [];
  kubelet.pods.addHandlers({
    onAdd: (p) => {
      if (p.metadata.labels?.app !== 'db') return;
      created.push(p.metadata.name ?? '');
      const i = Number((p.metadata.name ?? '').split('-')[1]);
      for (let j = 0; j < i; j++) {
        const prev = kubelet.pods.cache.getByName('default', `db-${j}`);
        if (prev?.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') outOfOrder.push(`db-${i} before db-${j} was ready`);
      }
    },
  });
  await client.resource<StatefulSet>('statefulsets').create(sts(3));
  const live = (): string[] => kubelet.pods.cache.list().filter((p) => p.metadata.labels?.app === 'db' && p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name ?? '').sort();
  const readyCount = async (): Promise<number> => (await client.resource<StatefulSet>('statefulsets').get('db')).status?.readyReplicas ?? 0;
  await until(t, '3 ready', async () => live().join() === 'db-0,db-1,db-2' && (await readyCount()) === 3);
  t.same(created, ['db-0', 'db-1', 'db-2'], 'created in order');
  t.same(outOfOrder, [], 'each only after the previous was ready');

  const deleted: string[] = [];
  kubelet.pods.addHandlers({ onDelete: (p) => (p.metadata.labels?.app === 'db' ? deleted.push(p.metadata.name ?? '') : undefined) });
  await client.resource<StatefulSet>('statefulsets').patch('db', { spec: { replicas: 1 } });
  // A pod is marked (deletionTimestamp) before it is gone: wait for both deletes to land.
  await until(t, 'scaled to 1', () => live().join() === 'db-0' && deleted.length >= 2);
  t.same(deleted, ['db-2', 'db-1'], 'highest ordinal first');

  await client.resource<StatefulSet>('statefulsets').patch('db', { spec: { replicas: 2 } });
  await until(t, 'back to 2', async () => live().join() === 'db-0,db-1' && (await readyCount()) === 2);
  deleted.length = 0;
  await client.resource<StatefulSet>('statefulsets').updateWithRetry('db', (s) => ({ ...s, spec: { ...s.spec, template: { ...s.spec.template, spec: { ...s.spec.template.spec, containers: [{ ...s.spec.template.spec.containers[0]!, image: 'db:2' }] } } } }));
  await until(t, 'updated', () => {
    const ps = kubelet.pods.cache.list().filter((p) => p.metadata.labels?.app === 'db' && p.metadata.deletionTimestamp === undefined);
    return ps.length === 2 && ps.every((p) => p.spec.containers[0]?.image === 'db:2' && p.status?.conditions?.[0]?.status === 'True');
  });
  t.same(deleted, ['db-1', 'db-0'], 'rolled from the highest ordinal down');
});
