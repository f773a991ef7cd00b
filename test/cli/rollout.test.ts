// shoalctl rollout against a moving cluster (API server, scheduler, controllers, fake kubelet):
// status waits and prints kubectl's lines, history lists revisions, undo restores the old
// template, restart makes a new ReplicaSet, pause/resume, and status exits 1 when the progress
// deadline passes or its --timeout runs out.
import t from 'tap';
import type { DaemonSet, Deployment, ReplicaSet } from '../../api/index.js';
import { isPodReady } from '../../control-plane/controllers/index.js';
import { until } from '../controllers/helpers/cluster.js';
import { shoalctl, startApiServer } from './helpers/shoalctl.js';
import { startWorkloadCluster } from './helpers/workload-cluster.js';
import type { WorkloadCluster } from './helpers/workload-cluster.js';

const deployment = (name: string, replicas: number, image: string, spec: Record<string, unknown> = {}): Deployment =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } }, ...spec },
  }) as unknown as Deployment;

const setImage = (c: WorkloadCluster, name: string, image: string): Promise<Deployment> =>
  c.client.resource<Deployment>('deployments').updateWithRetry(name, (d) => ({ ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers: [{ ...d.spec.template.spec.containers[0]!, image }] } } } }));

/** Every live pod of the app runs `image` and is ready, and there are `replicas` of them. */
const runs = (c: WorkloadCluster, name: string, replicas: number, image: string) => (): boolean => {
  const pods = c.pods(`${name}-`);
  return pods.length === replicas && pods.every((p) => isPodReady(p) && p.spec.containers[0]?.image === image);
};

t.test('rollout - status, history, undo, restart, pause and resume of a deployment', async (t) => {
  const c = await startWorkloadCluster(t, ['n1', 'n2']);
  const { ctl } = c;
  await c.client.resource<Deployment>('deployments').create(deployment('web', 3, 'nginx:1'));

  const first = await ctl.call(['rollout', 'status', 'deployment/web', '--timeout', '60s']);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /deployment "web" successfully rolled out\n$/);
  t.ok(runs(c, 'web', 3, 'nginx:1')(), 'status returned once 3 pods were ready');

  await setImage(c, 'web', 'nginx:2');
  const second = await ctl.call(['rollout', 'status', 'deploy', 'web', '--timeout', '60s']);
  t.equal(second.code, 0, second.stderr);
  t.match(second.stdout, /deployment "web" successfully rolled out\n$/);
  await until(t, 'the old pods to be gone', runs(c, 'web', 3, 'nginx:2'));
  const lines = second.stdout.split('\n').filter((l) => l !== '');
  t.ok(lines.every((l, i) => i === 0 || lines[i - 1] !== l), 'a progress line is printed when it changes, not repeated');
  for (const l of lines.slice(0, -1)) t.match(l, /^Waiting for deployment "web" rollout to finish: |^Waiting for deployment spec update to be observed\.\.\.$/, 'a kubectl progress line');

  const history = await ctl.call(['rollout', 'history', 'deployment/web']);
  t.equal(history.code, 0, history.stderr);
  t.equal(history.stdout, 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
  const one = await ctl.call(['rollout', 'history', 'deployment/web', '--revision', '1']);
  t.equal(one.code, 0, one.stderr);
  t.match(one.stdout, /^deployment\.apps\/web with revision #1\nPod Template:\n/);
  t.match(one.stdout, /Image:\s+nginx:1\n/);
  const missing = await ctl.call(['rollout', 'history', 'deployment/web', '--revision', '7']);
  t.equal(missing.code, 1);
  t.match(missing.stderr, /unable to find the specified revision 7/);

  const undo = await ctl.call(['rollout', 'undo', 'deployment/web']);
  t.equal(undo.code, 0, undo.stderr);
  t.equal(undo.stdout, 'deployment.apps/web rolled back\n');
  t.equal((await ctl.call(['rollout', 'status', 'deployment/web', '--timeout', '60s'])).code, 0);
  await until(t, 'pods back on nginx:1', runs(c, 'web', 3, 'nginx:1'));
  const after = await ctl.call(['rollout', 'history', 'deployment/web']);
  t.match(after.stdout, /\n2 +<none>\n3 +<none>\n/, 'revision 1 came back as revision 3');
  const same = await ctl.call(['rollout', 'undo', 'deployment/web', '--to-revision', '3']);
  t.equal(same.stdout, 'deployment.apps/web skipped rollback (current template already matches revision 3)\n');
  const bad = await ctl.call(['rollout', 'undo', 'deployment/web', '--to-revision', '9']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^error: unable to find specified revision 9 in history of deployment "web"/);

  const rsBefore = (await c.client.resource<ReplicaSet>('replicasets').list()).items.length;
  const restart = await ctl.call(['rollout', 'restart', 'deployment/web']);
  t.equal(restart.code, 0, restart.stderr);
  t.equal(restart.stdout, 'deployment.apps/web restarted\n');
  const d = await c.client.resource<Deployment>('deployments').get('web');
  t.match(d.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.equal((await ctl.call(['rollout', 'status', 'deployment/web', '--timeout', '60s'])).code, 0);
  await until(t, 'a new ReplicaSet for the restart', async () => (await c.client.resource<ReplicaSet>('replicasets').list()).items.length === rsBefore + 1);
  await until(t, 'restarted pods ready', () => c.pods('web-').length === 3 && c.pods('web-').every((p) => isPodReady(p) && p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] !== undefined));

  t.equal((await ctl.call(['rollout', 'pause', 'deployment/web'])).stdout, 'deployment.apps/web paused\n');
  const again = await ctl.call(['rollout', 'pause', 'deployment/web']);
  t.equal(again.code, 1);
  t.equal(again.stderr, 'error: deployments.apps "web" is already paused\n');
  const undoPaused = await ctl.call(['rollout', 'undo', 'deployment/web']);
  t.equal(undoPaused.code, 1);
  t.match(undoPaused.stderr, /cannot rollback a paused deployment/);
  t.match((await ctl.call(['rollout', 'restart', 'deployment/web'])).stderr, /can't restart paused deployment/);
  t.equal((await ctl.call(['rollout', 'resume', 'deployment/web'])).stdout, 'deployment.apps/web resumed\n');
  t.equal((await ctl.call(['rollout', 'resume', 'deployment/web'])).stderr, 'error: deployments.apps "web" is not paused\n');

  const cm = await ctl.call(['rollout', 'status', 'configmap/x']);
  t.equal(cm.code, 2, 'rollout of a kind without rollouts is a usage error');
  t.match(cm.stderr, /rollout works on deployments, daemonsets and statefulsets/);
  const nf = await ctl.call(['rollout', 'status', 'deployment/nope']);
  t.equal(nf.code, 1);
  t.match(nf.stderr, /not found/);
});

t.test('rollout - --help of every new command, and shell completion knows them', async (t) => {
  const c = { ctl: shoalctl(t, [await startApiServer(t)]) };
  for (const cmd of ['rollout', 'rollout status', 'rollout history', 'rollout undo', 'rollout restart', 'rollout pause', 'rollout resume', 'cordon', 'uncordon', 'drain']) {
    const help = await c.ctl.call([...cmd.split(' '), '--help']);
    t.equal(help.code, 0, `${cmd} --help`);
    t.match(help.stdout, new RegExp(`^Usage: shoalctl ${cmd} `), cmd);
  }
  const bash = await c.ctl.call(['completion', 'bash']);
  for (const path of ['rollout status', 'rollout undo', 'drain', 'cordon', 'uncordon']) t.match(bash.stdout, `"${path}")`, `bash completion: ${path}`);
});

t.test('rollout - status fails on an exceeded progress deadline, and on its own --timeout', async (t) => {
  const c = await startWorkloadCluster(t, ['n1']);
  c.kubelet.ready = (p) => p.spec.containers[0]?.image !== 'never:ready';
  await c.client.resource<Deployment>('deployments').create(deployment('stuck', 2, 'never:ready', { progressDeadlineSeconds: 1 }));
  // A real process: the exit status is what scripts see.
  const stuck = await c.ctl.run(['rollout', 'status', 'deployment/stuck', '--timeout', '90s'], { timeoutMs: 120_000 });
  t.equal(stuck.code, 1, 'non-zero once the deadline passes');
  t.equal(stuck.stderr, 'error: deployment "stuck" exceeded its progress deadline\n');
  t.notMatch(stuck.stdout, /successfully rolled out/);

  await c.client.resource<Deployment>('deployments').create(deployment('nowhere', 1, 'nginx:1', { template: { metadata: { labels: { app: 'nowhere' } }, spec: { nodeSelector: { zone: 'mars' }, containers: [{ name: 'c', image: 'nginx:1' }] } } }));
  const timedOut = await c.ctl.call(['rollout', 'status', 'deployment/nowhere', '--timeout', '2s']);
  t.equal(timedOut.code, 1);
  t.equal(timedOut.stderr, 'error: timed out waiting for the condition\n');
  const once = await c.ctl.call(['rollout', 'status', 'deployment/nowhere', '--watch=false']);
  t.equal(once.code, 0, '--watch=false reports and returns');
  t.equal(once.stdout.split('\n').filter((l) => l !== '').length, 1);
  t.match(once.stdout, /^Waiting for deployment "nowhere" rollout to finish: /);
  const badTimeout = await c.ctl.call(['rollout', 'status', 'deployment/nowhere', '--timeout', 'soon']);
  t.equal(badTimeout.code, 2);
  t.match(badTimeout.stderr, /invalid --timeout "soon"/);
});

t.test('rollout - status and restart of a daemonset', async (t) => {
  const c = await startWorkloadCluster(t, ['n1', 'n2']);
  await c.client.resource<DaemonSet>('daemonsets').create({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'agent:1' }] } } },
  } as unknown as DaemonSet);
  const status = await c.ctl.call(['rollout', 'status', 'ds/agent', '--timeout', '60s']);
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /daemon set "agent" successfully rolled out\n$/);
  t.equal(c.pods('agent-').length, 2, 'one pod per node');
  t.equal((await c.ctl.call(['rollout', 'restart', 'daemonset/agent'])).stdout, 'daemonset.apps/agent restarted\n');
  t.equal((await c.ctl.call(['rollout', 'status', 'daemonset/agent', '--timeout', '60s'])).code, 0);
  await until(t, 'restarted daemon pods', () => c.pods('agent-').length === 2 && c.pods('agent-').every((p) => isPodReady(p) && p.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'] !== undefined));
  const history = await c.ctl.call(['rollout', 'history', 'daemonset/agent']);
  t.equal(history.code, 1);
  t.match(history.stderr, /only supported for deployments/);
});
