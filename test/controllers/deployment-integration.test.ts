// Deployments against an in-process API server with the fake kubelet: scale up and down, a
// rolling update that stays within replicas − maxUnavailable .. replicas + maxSurge on every pod
// event, rollback to the previous template, history cleanup.
import t from 'tap';
import type { Deployment, ReplicaSet } from '../../api/index.js';
import type { ShoalClient } from '../../client/index.js';
import { REVISION_ANNOTATION, isPodReady, pauseDeployment, restartDeployment, resumeDeployment, rollbackDeployment, rolloutHistory, rolloutStatus } from '../../control-plane/controllers/index.js';
import { FakeKubelet, startCluster, startManager, until } from './helpers/cluster.js';
import { deployment, podsOf } from './helpers/workloads.js';

async function converged(client: ShoalClient, k: FakeKubelet, name: string, replicas: number, image: string): Promise<boolean> {
  const pods = podsOf(k, name);
  if (pods.length !== replicas || !pods.every((p) => isPodReady(p) && p.spec.containers[0]?.image === image)) return false;
  const d = await client.resource<Deployment>('deployments').get(name);
  return d.status?.availableReplicas === replicas && d.status.updatedReplicas === replicas && d.status.replicas === replicas;
}

t.test('deployment - scales up and down; status follows', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource<Deployment>('deployments').create(deployment('web', 3, 'nginx:1'));
  await until(t, '3 ready pods', () => converged(client, kubelet, 'web', 3, 'nginx:1'));
  const rs = (await client.resource<ReplicaSet>('replicasets').list()).items;
  t.equal(rs.length, 1, 'one ReplicaSet');
  t.match(rs[0]?.metadata.labels, { 'pod-template-hash': /.+/ });
  t.equal(rs[0]?.metadata.annotations?.[REVISION_ANNOTATION], '1');
  const d = await client.resource<Deployment>('deployments').get('web');
  t.equal(d.metadata.annotations?.[REVISION_ANNOTATION], '1');
  t.match(d.status?.conditions, [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }]);

  await client.resource<Deployment>('deployments').patch('web', { spec: { replicas: 5 } });
  await until(t, '5 ready pods', () => converged(client, kubelet, 'web', 5, 'nginx:1'));
  await client.resource<Deployment>('deployments').patch('web', { spec: { replicas: 1 } });
  await until(t, '1 ready pod', () => converged(client, kubelet, 'web', 1, 'nginx:1'));
  t.equal(podsOf(kubelet, 'web').length, 1);
});

t.test('deployment - rolling update stays within surge and unavailability bounds; rollback restores the template', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  const replicas = 4;
  await client.resource<Deployment>('deployments').create(deployment('api', replicas, 'app:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
  await until(t, 'first rollout', () => converged(client, kubelet, 'api', replicas, 'app:1'));

  // Check the bounds on every pod event the kubelet's informer sees.
  const violations: string[] = [];
  let checks = 0;
  const check = (): void => {
    checks++;
    const pods = podsOf(kubelet, 'api');
    const available = pods.filter(isPodReady).length;
    if (available < replicas - 1) violations.push(`available ${available} < ${replicas - 1}`);
    if (pods.length > replicas + 1) violations.push(`pods ${pods.length} > ${replicas + 1}`);
  };
  const remove = kubelet.pods.addHandlers({ onAdd: check, onUpdate: check, onDelete: check });
  await client.resource<Deployment>('deployments').updateWithRetry('api', (d) => ({ ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers: [{ ...d.spec.template.spec.containers[0]!, image: 'app:2' }] } } } }));
  await until(t, 'rollout to app:2', () => converged(client, kubelet, 'api', replicas, 'app:2'));
  remove();
  t.ok(checks > replicas, `bounds checked on ${checks} pod events`);
  t.same(violations, [], 'never outside the bounds');
  let d = await client.resource<Deployment>('deployments').get('api');
  t.equal(d.metadata.annotations?.[REVISION_ANNOTATION], '2');

  const history = await rolloutHistory(client, 'default', 'api');
  t.same(history.revisions.map((r) => [r.revision, r.template.spec.containers[0]?.image]), [[1, 'app:1'], [2, 'app:2']]);

  const rb = await rollbackDeployment(client, 'default', 'api');
  t.same(rb, { revision: 1, changed: true });
  await until(t, 'rollback to app:1', () => converged(client, kubelet, 'api', replicas, 'app:1'));
  d = await client.resource<Deployment>('deployments').get('api');
  t.equal(d.spec.template.spec.containers[0]?.image, 'app:1', 'the old template is back');
  await until(t, 'revision 3', async () => (await client.resource<Deployment>('deployments').get('api')).metadata.annotations?.[REVISION_ANNOTATION] === '3');
  t.equal((await client.resource<ReplicaSet>('replicasets').list()).items.length, 2, 'the old ReplicaSet was reused, not a third one made');
  await t.rejects(rollbackDeployment(client, 'default', 'api', 9), { code: 'ROLLBACK_REVISION_NOT_FOUND' });
});

t.test('deployment - Recreate stops every old pod before starting new ones; history limit prunes', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  await client.resource<Deployment>('deployments').create(deployment('batch', 2, 'b:1', { strategy: { type: 'Recreate' }, revisionHistoryLimit: 1 }));
  await until(t, 'first rollout', () => converged(client, kubelet, 'batch', 2, 'b:1'));
  let mixed = false;
  const remove = kubelet.pods.addHandlers({
    onAdd: () => {
      const images = new Set(podsOf(kubelet, 'batch').map((p) => p.spec.containers[0]?.image));
      if (images.size > 1) mixed = true;
    },
  });
  for (const image of ['b:2', 'b:3']) {
    await client.resource<Deployment>('deployments').updateWithRetry('batch', (d) => ({ ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers: [{ ...d.spec.template.spec.containers[0]!, image }] } } } }));
    await until(t, `rollout to ${image}`, () => converged(client, kubelet, 'batch', 2, image));
  }
  remove();
  t.equal(mixed, false, 'old and new pods never ran together');
  await until(t, 'history pruned to 1 old ReplicaSet', async () => (await client.resource<ReplicaSet>('replicasets').list()).items.length === 2);
});

t.test('deployment - pause holds a template change, resume rolls it, restart replaces every pod; rollout status follows', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  startManager(t, client);
  const deps = client.resource<Deployment>('deployments');
  await deps.create(deployment('pz', 2, 'p:1'));
  await until(t, 'first rollout', () => converged(client, kubelet, 'pz', 2, 'p:1'));
  t.match(rolloutStatus(await deps.get('pz')), { done: true, message: 'deployment "pz" successfully rolled out' });
  await pauseDeployment(client, 'default', 'pz');
  await deps.updateWithRetry('pz', (d) => ({ ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers: [{ ...d.spec.template.spec.containers[0]!, image: 'p:2' }] } } } }));
  await until(t, 'paused condition', async () => (await deps.get('pz')).status?.conditions?.some((c) => c.reason === 'DeploymentPaused') === true);
  t.equal((await client.resource<ReplicaSet>('replicasets').list()).items.length, 1, 'no new ReplicaSet while paused');
  t.equal(rolloutStatus(await deps.get('pz')).done, false, 'not rolled out');
  await resumeDeployment(client, 'default', 'pz');
  await until(t, 'rolled after resume', () => converged(client, kubelet, 'pz', 2, 'p:2'));
  const before = new Set(podsOf(kubelet, 'pz').map((p) => p.metadata.name));
  await restartDeployment(client, 'default', 'pz', new Date());
  await until(t, 'every pod replaced', async () => (await converged(client, kubelet, 'pz', 2, 'p:2')) && podsOf(kubelet, 'pz').every((p) => !before.has(p.metadata.name)));
  t.equal((await client.resource<ReplicaSet>('replicasets').list()).items.length, 3, 'restart made a new revision');
});
