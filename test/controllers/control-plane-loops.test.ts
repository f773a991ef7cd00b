// The scheduler and controller manager inside shoal-control-plane (--control-loops=true) on a real
// 3-process control plane with two simulated nodes (Node objects + a fake kubelet in this test
// that marks bound pods Running): a Deployment's pods are created by the controllers and bound by
// the scheduler; then the process holding the controller-manager lease is killed with SIGKILL
// while the Deployment scales, another host takes over, and the Deployment converges with no
// duplicate pods.
import t from 'tap';
import type { Deployment, Lease, Node, Pod, ReplicaSet } from '../../api/index.js';
import { ShoalClient } from '../../client/index.js';
import { ControlPlaneCluster } from '../apiserver/helpers/control-plane-cluster.js';
import { deployment } from './helpers/workloads.js';
import { until } from './helpers/cluster.js';

const NODES = ['sim-1', 'sim-2'];

t.test('control loops - a Deployment runs on simulated nodes and survives kill -9 of the lease holder', { timeout: 280_000 }, async (t) => {
  const cp = await ControlPlaneCluster.start(t, { apiArgs: ['--control-loops=true'] });
  const client = new ShoalClient({ servers: cp.apiEndpoints(), namespace: 'default' });
  t.teardown(() => client.close());

  for (const name of NODES) {
    await client.resource('nodes').create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
    const alloc = { cpu: '4', memory: '8Gi', pods: '110' };
    await client.resource<Node>('nodes').patchStatus(name, { status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] } });
  }
  // The fake kubelet: bound pods become Running and Ready; deleted pods go at once.
  const pods = client.informer<Pod>('pods', { namespace: '' });
  let ip = 1;
  let chain: Promise<void> = Promise.resolve();
  const step = (p: Pod): void => {
    chain = chain
      .then(async () => {
        const rc = client.resource<Pod>('pods', p.metadata.namespace ?? '');
        if (p.metadata.deletionTimestamp !== undefined) return void (await rc.delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 }));
        if ((p.spec.nodeName ?? '') === '' || p.status?.phase === 'Running') return;
        await rc.patchStatus(p.metadata.name ?? '', { status: { phase: 'Running', podIP: `10.9.0.${ip++}`, conditions: [{ type: 'Ready', status: 'True' }] } });
      })
      .catch(() => undefined);
  };
  pods.addHandlers({ onAdd: step, onUpdate: (_o, p) => step(p) });
  pods.start();
  t.teardown(() => pods.stop());
  await pods.waitForSync({ timeoutMs: 30_000 });

  const web = (): Pod[] => pods.cache.list().filter((p) => p.metadata.labels?.app === 'web' && p.metadata.deletionTimestamp === undefined);
  const running = (): Pod[] => web().filter((p) => p.status?.phase === 'Running' && NODES.includes(p.spec.nodeName ?? ''));
  await client.resource<Deployment>('deployments').create(deployment('web', 4, 'busybox:1.36'));
  await until(t, '4 pods bound by the scheduler and running', () => running().length === 4, 120_000);
  t.same(new Set(running().map((p) => p.spec.nodeName)), new Set(NODES), 'the scheduler spread the pods over both nodes');
  const scheduled = await client.resource('events').list({ fieldSelector: 'reason=Scheduled' }).catch(() => undefined);
  if (scheduled !== undefined) t.ok(scheduled.items.length >= 4, 'Scheduled events were recorded');

  const holderOf = async (name: string): Promise<string> => (await client.resource<Lease>('leases', 'kube-system').get(name)).spec?.holderIdentity ?? '';
  const holder = await holderOf('kube-controller-manager');
  const member = holder.split('@')[0] ?? '';
  t.ok(cp.names.includes(member), `the controller-manager lease is held by a member (${holder})`);

  await client.resource<Deployment>('deployments').patch('web', { spec: { replicas: 8 } });
  await cp.kill(member, 'SIGKILL');
  await until(t, 'another host holds the controller-manager lease', async () => {
    const h = await holderOf('kube-controller-manager').catch(() => holder);
    return h !== '' && h.split('@')[0] !== member;
  }, 120_000);
  await until(t, '8 pods running after the takeover', () => running().length === 8, 120_000);
  const all = await client.resource<Pod>('pods').list({ labelSelector: 'app=web' });
  t.equal(all.items.filter((p) => p.metadata.deletionTimestamp === undefined).length, 8, 'exactly 8 pods: no duplicates');
  const rss = await client.resource<ReplicaSet>('replicasets').list({});
  t.equal(rss.items.length, 1, 'one ReplicaSet');
  await until(t, 'the Deployment reports 8 available', async () => (await client.resource<Deployment>('deployments').get('web')).status?.availableReplicas === 8, 60_000);
});
