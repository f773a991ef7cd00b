// Two controller managers on one API server: only the lease holder acts; when its host dies
// (its client is closed mid-scale) the standby takes over and the Deployment converges with no
// duplicate pods and no second ReplicaSet.
import t from 'tap';
import type { Deployment, ReplicaSet } from '../../api/index.js';
import { ShoalClient, systemClock } from '../../client/index.js';
import { ControllerManager, isPodReady } from '../../control-plane/controllers/index.js';
import { deployment, podsOf } from './helpers/workloads.js';
import { FakeKubelet, log, startCluster, until } from './helpers/cluster.js';

t.test('failover - the standby manager takes over and the Deployment converges without duplicates', async (t) => {
  const { servers, client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  const managers: { m: ControllerManager; c: ShoalClient }[] = [];
  for (const identity of ['cp-a', 'cp-b']) {
    const c = new ShoalClient({ servers: servers.addresses, namespace: 'default' });
    const m = new ControllerManager({
      client: c,
      clock: systemClock,
      log: log.child({ identity }),
      config: { identity, leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 100, resyncPeriodMs: 5000 },
    });
    managers.push({ m, c });
    t.teardown(async () => {
      await m.stop();
      c.close();
    });
  }
  const [a, b] = managers as [(typeof managers)[0], (typeof managers)[0]];
  a.m.start();
  await until(t, 'a leads', () => a.m.active);
  b.m.start();
  await until(t, 'b stands by', () => b.m.leaderElector?.leader === 'cp-a');
  t.equal(b.m.active, false);

  let maxPods = 0;
  kubelet.pods.addHandlers({ onAdd: () => (maxPods = Math.max(maxPods, podsOf(kubelet, 'fo').length)) });
  await client.resource<Deployment>('deployments').create(deployment('fo', 3, 'x:1'));
  await until(t, 'a created pods', () => podsOf(kubelet, 'fo').length === 3);
  await client.resource<Deployment>('deployments').patch('fo', { spec: { replicas: 8 } });
  // a dies while the scale-up is under way.
  a.c.close();
  await until(t, 'b takes over', () => b.m.active);
  t.equal(a.m.active, false, 'a stopped its controllers');
  await until(t, '8 ready pods', () => {
    const pods = podsOf(kubelet, 'fo');
    return pods.length === 8 && pods.every(isPodReady);
  });
  await until(t, 'status converged', async () => (await client.resource<Deployment>('deployments').get('fo')).status?.availableReplicas === 8);
  // Give a stray duplicate time to show up, then check there is none.
  await new Promise((r) => setTimeout(r, 500));
  t.equal(podsOf(kubelet, 'fo').length, 8, 'exactly 8 pods');
  t.ok(maxPods <= 8, `never more than 8 pods (max seen ${maxPods})`);
  t.equal((await client.resource<ReplicaSet>('replicasets').list()).items.length, 1, 'one ReplicaSet');
});
