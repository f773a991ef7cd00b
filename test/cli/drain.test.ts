// shoalctl cordon, uncordon and drain against a moving cluster (API server, scheduler,
// controllers, fake kubelet): cordon makes the scheduler skip the node; drain refuses
// DaemonSet and unmanaged pods without its flags, then evicts the rest (the Deployment's pods
// come back on the other node), leaves DaemonSet pods with --ignore-daemonsets, and times out
// with a clear error when pods never go away.
import t from 'tap';
import type { DaemonSet, Deployment, Pod } from '../../api/index.js';
import { isPodReady } from '../../control-plane/controllers/index.js';
import { until } from '../controllers/helpers/cluster.js';
import { startWorkloadCluster } from './helpers/workload-cluster.js';

const podSpec = (app: string, image: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image }] } });

t.test('drain - cordon steers the scheduler; drain moves managed pods and honours its flags', async (t) => {
  const c = await startWorkloadCluster(t, ['n1', 'n2']);
  const { ctl } = c;
  await c.client.resource<Deployment>('deployments').create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: podSpec('web', 'nginx:1') } } as unknown as Deployment);
  await c.client.resource<DaemonSet>('daemonsets').create({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: podSpec('agent', 'agent:1') } } as unknown as DaemonSet);
  await until(t, 'web and agent pods ready', () => c.pods('web-').filter(isPodReady).length === 4 && c.pods('agent-').filter(isPodReady).length === 2, 60_000);

  const cordon = await ctl.call(['cordon', 'n1']);
  t.equal(cordon.code, 0, cordon.stderr);
  t.equal(cordon.stdout, 'node/n1 cordoned\n');
  t.equal((await ctl.call(['cordon', 'n1'])).stdout, 'node/n1 already cordoned\n');
  const pods = c.client.resource<Pod>('pods');
  for (let i = 0; i < 4; i++) await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `probe-${i}`, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } as unknown as Pod);
  await until(t, 'probes bound', () => c.pods('probe-').filter((p) => p.spec.nodeName !== undefined).length === 4);
  t.same(c.pods('probe-').map((p) => p.spec.nodeName), ['n2', 'n2', 'n2', 'n2'], 'nothing new lands on the cordoned node');
  for (let i = 0; i < 4; i++) await pods.delete(`probe-${i}`, { gracePeriodSeconds: 0 });

  // An unmanaged pod on n1 (placed directly, as the node is cordoned).
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lonely', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox:1' }] } } as unknown as Pod);
  const webOnN1 = c.pods('web-').filter((p) => p.spec.nodeName === 'n1').map((p) => p.metadata.name);
  t.ok(webOnN1.length > 0, 'the scheduler spread web over both nodes');

  const refused = await ctl.call(['drain', 'n1']);
  t.equal(refused.code, 1, 'refused without flags');
  t.equal(refused.stdout, 'node/n1 already cordoned\n');
  t.match(refused.stderr, /^error: unable to drain node "n1": cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): default\/agent-\S+; cannot delete Pods declare no controller \(use --force to override\): default\/lonely\n$/);
  t.same(c.pods('web-').filter((p) => p.spec.nodeName === 'n1').map((p) => p.metadata.name), webOnN1, 'nothing evicted when refused');

  const drained = await ctl.call(['drain', 'n1', '--ignore-daemonsets', '--force', '--timeout', '60s']);
  t.equal(drained.code, 0, drained.stderr);
  t.match(drained.stderr, /^Warning: ignoring DaemonSet-managed Pods: default\/agent-\S+\nWarning: deleting Pods that declare no controller: default\/lonely\n/);
  t.match(drained.stderr, /evicting pod default\/lonely\n/);
  for (const name of webOnN1) {
    t.match(drained.stderr, `evicting pod default/${name}\n`);
    t.match(drained.stdout, `pod/${name} evicted\n`);
  }
  t.match(drained.stdout, /^node\/n1 already cordoned\n/);
  t.match(drained.stdout, /node\/n1 drained\n$/);
  await until(t, 'web back to 4 ready pods, all on n2', () => c.pods('web-').length === 4 && c.pods('web-').every((p) => isPodReady(p) && p.spec.nodeName === 'n2'));
  t.equal(c.pods('agent-').filter((p) => p.spec.nodeName === 'n1').length, 1, 'the DaemonSet pod stays on n1');
  await t.rejects(pods.get('lonely'), { code: 5 }, 'the unmanaged pod is gone for good');

  t.equal((await ctl.call(['uncordon', 'n1'])).stdout, 'node/n1 uncordoned\n');
  t.equal((await ctl.call(['uncordon', 'n1'])).stdout, 'node/n1 already uncordoned\n');
  const node = await c.client.resource('nodes', '').get('n1');
  t.equal((node.spec as { unschedulable?: boolean }).unschedulable, undefined, 'spec.unschedulable cleared');
  const unknown = await ctl.call(['cordon', 'nope']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /not found/);
});

t.test('drain - times out with the pods that did not go', async (t) => {
  const c = await startWorkloadCluster(t, ['n1']);
  await c.client.resource<Deployment>('deployments').create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: podSpec('web', 'nginx:1') } } as unknown as Deployment);
  await until(t, 'web ready', () => c.pods('web-').filter(isPodReady).length === 1);
  const [pod] = c.pods('web-');
  c.kubelet.dead.add('n1'); // its agent never finishes the graceful delete
  const r = await c.ctl.call(['drain', 'n1', '--timeout', '2s']);
  t.equal(r.code, 1);
  t.equal(r.stderr, `evicting pod default/${pod!.metadata.name}\nerror: unable to drain node "n1": timed out after 2s waiting for pods to terminate: default/${pod!.metadata.name}\n`);
  const bad = await c.ctl.call(['drain', 'n1', '--grace-period', 'x']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--grace-period must be a whole number/);
});
