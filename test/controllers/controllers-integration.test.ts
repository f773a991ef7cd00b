// ReplicaSet/ReplicationController, endpoints, namespace, garbage collector and serviceaccount
// controllers against an in-process API server with the fake kubelet.
import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import type { Endpoints, Event, Pod, ReplicaSet, ReplicationController, Service, ServiceAccount } from '../../api/index.js';
import { isNotFound } from '../../client/index.js';
import type { ShoalClient } from '../../client/index.js';
import { FakeKubelet, startCluster, startManager, until } from './helpers/cluster.js';

const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] } });

const replicaSet = (name: string, replicas: number): ReplicaSet =>
  ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default' }, spec: { replicas, selector: { matchLabels: { app: name } }, template: template(name) } }) as unknown as ReplicaSet;

const barePod = (name: string, labels: Record<string, string>): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) as unknown as Pod;

const ownedBy = (p: Pod, rs: KubeObject): boolean => p.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid && r.controller === true) === true;
const live = (k: FakeKubelet, app: string): Pod[] => k.pods.cache.list().filter((p) => p.metadata.labels?.app === app && p.metadata.deletionTimestamp === undefined);

async function gone(client: ShoalClient, resource: string, name: string, namespace = 'default'): Promise<boolean> {
  try {
    await client.resource(resource, namespace).get(name);
    return false;
  } catch (e) {
    if (isNotFound(e)) return true;
    throw e;
  }
}

t.test('replicaset - creates, adopts an orphan, releases a relabelled pod, records events, reports status', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  // An orphan that matches exists before the ReplicaSet.
  await client.resource<Pod>('pods').create(barePod('orphan', { app: 'rs1' }));
  startManager(t, client);
  const rs = await client.resource<ReplicaSet>('replicasets').create(replicaSet('rs1', 3));
  await until(t, '3 owned ready pods', () => {
    const pods = live(kubelet, 'rs1');
    return pods.length === 3 && pods.every((p) => ownedBy(p, rs) && p.status?.conditions?.[0]?.status === 'True');
  });
  t.ok(live(kubelet, 'rs1').some((p) => p.metadata.name === 'orphan'), 'the orphan was adopted, so only two were created');
  await until(t, 'status', async () => {
    const s = (await client.resource<ReplicaSet>('replicasets').get('rs1')).status;
    return s?.replicas === 3 && s.readyReplicas === 3 && s.availableReplicas === 3 && s.observedGeneration === 1;
  });

  // Relabelling a pod out of the selector releases it and a replacement is made.
  await client.resource<Pod>('pods').patch('orphan', { metadata: { labels: { app: 'other' } } });
  await until(t, 'released and replaced', async () => {
    const p = await client.resource<Pod>('pods').get('orphan');
    return (p.metadata.ownerReferences ?? []).length === 0 && live(kubelet, 'rs1').length === 3;
  });
  await until(t, 'events recorded', async () => {
    const evs = (await client.resource<Event>('events').list()).items.filter((e) => e.involvedObject.name === 'rs1');
    return evs.some((e) => e.reason === 'SuccessfulCreate');
  });
});

t.test('replicaset - scale-down deletes unscheduled and not-ready pods first', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource<ReplicaSet>('replicasets').create(replicaSet('rs2', 3));
  await until(t, '3 ready pods', () => live(kubelet, 'rs2').filter((p) => p.status?.conditions?.[0]?.status === 'True').length === 3);
  const [victim] = live(kubelet, 'rs2');
  kubelet.ready = (p) => p.metadata.name !== victim?.metadata.name;
  kubelet.refresh();
  // The controller has seen it once its status counts only two ready pods.
  await until(t, 'one pod not ready', async () => (await client.resource<ReplicaSet>('replicasets').get('rs2')).status?.readyReplicas === 2);
  await client.resource<ReplicaSet>('replicasets').patch('rs2', { spec: { replicas: 2 } });
  await until(t, '2 pods', () => live(kubelet, 'rs2').length === 2);
  t.notOk(live(kubelet, 'rs2').some((p) => p.metadata.name === victim?.metadata.name), 'the not-ready pod went');
});

t.test('replicationcontroller - same core, map selector', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource<ReplicationController>('replicationcontrollers').create({ apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc1', namespace: 'default' }, spec: { replicas: 2, selector: { app: 'rc1' }, template: template('rc1') } } as unknown as ReplicationController);
  await until(t, '2 pods', () => live(kubelet, 'rc1').length === 2);
  await until(t, 'status', async () => (await client.resource<ReplicationController>('replicationcontrollers').get('rc1')).status?.readyReplicas === 2);
  t.pass('converged');
});

t.test('endpoints - follow ready pods; not-ready ones listed apart; named target ports resolve', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource<Service>('services').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'ep' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } } as unknown as Service);
  await client.resource<ReplicaSet>('replicasets').create(replicaSet('ep', 2));
  const ep = (): Promise<Endpoints> => client.resource<Endpoints>('endpoints').get('web');
  await until(t, '2 ready addresses', async () => ((await ep().catch(() => undefined))?.subsets?.[0]?.addresses ?? []).length === 2);
  const e = await ep();
  t.match(e.subsets?.[0], { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], addresses: [{ ip: /^10\./, nodeName: 'node-1', targetRef: { kind: 'Pod' } }, {}] });
  const [first] = live(kubelet, 'ep');
  kubelet.ready = (p) => p.metadata.name !== first?.metadata.name;
  kubelet.refresh();
  await until(t, '1 ready + 1 not ready', async () => {
    const s = (await ep()).subsets?.[0];
    return (s?.addresses ?? []).length === 1 && (s?.notReadyAddresses ?? []).length === 1;
  });
  await client.resource<ReplicaSet>('replicasets').patch('ep', { spec: { replicas: 0 } });
  await until(t, 'no addresses', async () => ((await ep()).subsets ?? []).length === 0);
  await client.resource<Service>('services').delete('web');
  await until(t, 'endpoints removed with the service', () => gone(client, 'endpoints', 'web'));
});

t.test('namespace - deleting a namespace empties it, then it goes; a default ServiceAccount appears in new namespaces', async (t) => {
  const { client } = await startCluster(t);
  await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource('namespaces', '').create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  await until(t, 'default serviceaccount', async () => !(await gone(client, 'serviceaccounts', 'default', 'team')));
  const rs = { ...replicaSet('inner', 2), metadata: { name: 'inner', namespace: 'team' } } as ReplicaSet;
  await client.resource<ReplicaSet>('replicasets', 'team').create(rs);
  await client.resource('configmaps', 'team').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team' }, data: { a: '1' } } as KubeObject);
  await until(t, 'pods in team', async () => (await client.resource<Pod>('pods', 'team').list()).items.length === 2);
  await client.resource('namespaces', '').delete('team');
  await until(t, 'namespace gone', () => gone(client, 'namespaces', 'team', ''));
  t.equal((await client.resource<Pod>('pods', 'team').list()).items.length, 0, 'no pods left');
  t.equal((await client.resource('configmaps', 'team').list()).items.length, 0, 'no configmaps left');
  // The default ServiceAccount comes back when deleted.
  await client.resource<ServiceAccount>('serviceaccounts', 'default').delete('default').catch(() => undefined);
  await until(t, 'default serviceaccount recreated', async () => !(await gone(client, 'serviceaccounts', 'default', 'default')));
});

t.test('garbage collector - background deletes dependents; orphan keeps them without the owner', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource<ReplicaSet>('replicasets').create(replicaSet('bg', 2));
  await client.resource<ReplicaSet>('replicasets').create(replicaSet('keep', 2));
  await until(t, 'pods', () => live(kubelet, 'bg').length === 2 && live(kubelet, 'keep').length === 2);

  await client.resource('replicasets').delete('bg', { propagationPolicy: 'Background' });
  await until(t, 'dependents deleted', async () => (await client.resource<Pod>('pods').list({ labelSelector: 'app=bg' })).items.length === 0);

  await client.resource('replicasets').delete('keep', { propagationPolicy: 'Orphan' });
  await until(t, 'owner gone', () => gone(client, 'replicasets', 'keep'));
  const kept = (await client.resource<Pod>('pods').list({ labelSelector: 'app=keep' })).items;
  t.equal(kept.length, 2, 'orphaned pods stay');
  t.ok(kept.every((p) => (p.metadata.ownerReferences ?? []).length === 0), 'without owner references');

  // A dependent whose owner never existed is collected.
  await client.resource<Pod>('pods').create({ ...barePod('dangling', { app: 'none' }), metadata: { name: 'dangling', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: 'no-such-uid', controller: true }] } } as Pod);
  await until(t, 'dangling dependent collected', () => gone(client, 'pods', 'dangling'));
});

t.test('garbage collector - foreground deletes dependents before the owner', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource<ReplicaSet>('replicasets').create(replicaSet('fg', 2));
  await until(t, 'pods', () => live(kubelet, 'fg').length === 2);
  await client.resource('replicasets').delete('fg', { propagationPolicy: 'Foreground' });
  await until(t, 'owner gone', () => gone(client, 'replicasets', 'fg'));
  t.equal((await client.resource<Pod>('pods').list({ labelSelector: 'app=fg' })).items.length, 0, 'dependents went first');
});
