// Agent with real Docker - pods run and become Running and Ready; restartPolicy and exit codes;
// liveness/readiness probes; limits in docker inspect; env from a ConfigMap and a Secret.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { Label } from '../../node-agent/index.js';
import { freePorts } from '../chaos/free-port.js';
import { agentRig, ready, requireDocker, restarts, until } from './helpers/agent-rig.js';
import { DOCKER_CLI } from './helpers/test-image.js';

const run = promisify(execFile);

async function containersOf(nodeName: string, pod: string): Promise<string[]> {
  const { stdout } = await run(DOCKER_CLI, ['ps', '-q', '--filter', `label=${Label.Node}=${nodeName}`, '--filter', `label=${Label.PodName}=${pod}`]);
  return stdout.split('\n').filter(Boolean);
}

t.test('agent - a pod runs in Docker and becomes Running and Ready', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  const [hostPort] = await freePorts(1);
  await r.createPod('web', { containers: [{ name: 'web', image: r.image, command: ['sh', '-c', 'echo hello > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'], ports: [{ containerPort: 8080, hostPort, hostIP: '127.0.0.1' }], readinessProbe: { httpGet: { port: 8080, path: '/index.html' }, periodSeconds: 1 } }] });
  const p = await r.waitPod(t, 'web', 'Running and Ready', (p) => p.status?.phase === 'Running' && ready(p));
  t.match(p.status?.podIP, /^\d+\.\d+\.\d+\.\d+$/, 'pod IP reported');
  t.equal(p.status?.containerStatuses?.[0]?.started, true);
  t.ok(p.status?.startTime);
  const res = await fetch(`http://${p.status?.podIP}:8080/index.html`);
  t.equal((await res.text()).trim(), 'hello', 'the container serves on its pod IP');
  const viaHost = await fetch(`http://127.0.0.1:${hostPort}/index.html`);
  t.equal((await viaHost.text()).trim(), 'hello', 'and on its hostPort');
  const node = await r.client.resource('nodes', '').get(r.nodeName);
  t.ok(node, 'the node registered');
  await until(t, 'events recorded', async () => {
    const evs = await r.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=web' });
    const reasons = evs.items.map((e) => (e as { reason?: string }).reason);
    return ['Created', 'Started'].every((x) => reasons.includes(x));
  });
});

t.test('agent - exit codes and restarts follow restartPolicy', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  await r.createPod('never-ok', { restartPolicy: 'Never', containers: [{ name: 'c', image: r.image, command: ['sh', '-c', 'exit 0'] }] });
  await r.createPod('never-fail', { restartPolicy: 'Never', containers: [{ name: 'c', image: r.image, command: ['sh', '-c', 'exit 3'] }] });
  await r.createPod('onfail', { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: r.image, command: ['sh', '-c', 'exit 4'] }] });
  await r.createPod('always', { restartPolicy: 'Always', containers: [{ name: 'c', image: r.image, command: ['sh', '-c', 'exit 0'] }] });
  const ok = await r.waitPod(t, 'never-ok', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  t.equal(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  const fail = await r.waitPod(t, 'never-fail', 'Failed', (p) => p.status?.phase === 'Failed');
  t.equal(fail.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
  t.equal(fail.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  t.equal(restarts(fail), 0, 'Never: no restart');
  const onf = await r.waitPod(t, 'onfail', 'restarted twice', (p) => restarts(p) >= 2);
  t.equal(onf.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 4, 'lastState keeps the exit code');
  const alw = await r.waitPod(t, 'always', 'restarted after a clean exit', (p) => restarts(p) >= 2);
  t.equal(alw.status?.phase, 'Running');
  await r.waitPod(t, 'onfail', 'CrashLoopBackOff', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
});

t.test('agent - a failing liveness probe restarts; a failing readiness probe unreadies', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  // Live while /tmp/live exists: the first instance removes it after 2 s; restarts recreate it.
  await r.createPod('live', {
    containers: [
      {
        name: 'c',
        image: r.image,
        command: ['sh', '-c', 'touch /tmp/live; sleep 2; rm /tmp/live; exec sleep 3600'],
        livenessProbe: { exec: { command: ['cat', '/tmp/live'] }, periodSeconds: 1, failureThreshold: 2 },
      },
    ],
  });
  // Ready while /tmp/ready exists.
  await r.createPod('unready', {
    containers: [{ name: 'c', image: r.image, command: ['sh', '-c', 'touch /tmp/ready; exec sleep 3600'], readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } }],
  });
  await r.waitPod(t, 'live', 'restarted by the liveness probe', (p) => restarts(p) >= 1, 90_000);
  await r.waitPod(t, 'unready', 'Running and Ready', (p) => p.status?.phase === 'Running' && ready(p));
  const [id] = await containersOf(r.nodeName, 'unready');
  await run(DOCKER_CLI, ['exec', id ?? '', 'rm', '/tmp/ready']);
  const un = await r.waitPod(t, 'unready', 'not Ready', (p) => !ready(p));
  t.equal(un.status?.containerStatuses?.[0]?.ready, false, 'the container is not ready');
  t.equal(un.status?.phase, 'Running', 'still running');
  t.equal(restarts(un), 0, 'readiness never restarts');
  await until(t, 'Unhealthy events', async () => {
    const evs = await r.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=live' });
    return evs.items.some((e) => (e as { reason?: string }).reason === 'Unhealthy');
  });
});

t.test('agent - limits show in docker inspect; env from a ConfigMap and a Secret', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  await r.client.resource('configmaps', 'default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${r.nodeName}` }, data: { color: 'blue', size: 'L' } } as never);
  await r.client.resource('secrets', 'default').create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `sec-${r.nodeName}` }, data: { password: Buffer.from('s3cret').toString('base64') } } as never);
  await r.createPod('env', {
    volumes: [{ name: 'cfg', configMap: { name: `cm-${r.nodeName}` } }, { name: 'scratch', emptyDir: {} }],
    containers: [
      {
        name: 'c',
        image: r.image,
        command: ['sh', '-c', 'exec sleep 3600'],
        resources: { limits: { cpu: '500m', memory: '64Mi' } },
        env: [
          { name: 'COLOR', valueFrom: { configMapKeyRef: { name: `cm-${r.nodeName}`, key: 'color' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: `sec-${r.nodeName}`, key: 'password' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ],
        envFrom: [{ prefix: 'CM_', configMapRef: { name: `cm-${r.nodeName}` } }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'scratch', mountPath: '/scratch' }],
      },
    ],
  });
  await r.waitPod(t, 'env', 'Running', (p) => p.status?.phase === 'Running');
  const [id] = await containersOf(r.nodeName, 'env');
  t.ok(id, 'container found by label');
  const { stdout } = await run(DOCKER_CLI, ['inspect', '--format', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}', id ?? '']);
  t.equal(stdout.trim(), `${500_000_000} ${64 * 1024 * 1024}`, 'NanoCpus and Memory from limits');
  const env = (await run(DOCKER_CLI, ['exec', id ?? '', 'env'])).stdout.split('\n');
  for (const line of ['COLOR=blue', 'PASSWORD=s3cret', 'POD_NAME=env', `NODE=${r.nodeName}`, 'CM_color=blue', 'CM_size=L']) t.ok(env.includes(line), `env has ${line}`);
  const file = (await run(DOCKER_CLI, ['exec', id ?? '', 'cat', '/etc/cfg/color'])).stdout;
  t.equal(file, 'blue', 'configMap volume file');
  const ro = await run(DOCKER_CLI, ['exec', id ?? '', 'sh', '-c', 'echo x > /etc/cfg/new']).then(() => 'writable', () => 'read-only');
  t.equal(ro, 'read-only', 'configMap volume is read-only');
  await run(DOCKER_CLI, ['exec', id ?? '', 'sh', '-c', 'echo x > /scratch/f']);
  t.pass('emptyDir is writable');
});

t.test('agent - deleting a pod stops its containers (SIGTERM, then SIGKILL after the grace period) and the pod goes', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  // sh ignores SIGTERM here, so only the SIGKILL after the 1 s grace period ends it.
  await r.createPod('bye', { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: r.image, command: ['sh', '-c', "trap '' TERM; while true; do sleep 1; done"] }] });
  await r.waitPod(t, 'bye', 'Running', (p) => p.status?.phase === 'Running');
  await r.client.resource('pods', 'default').delete('bye');
  await until(t, 'the pod is gone from the API', async () => (await r.getPod('bye').then(() => false, () => true)));
  t.same(await containersOf(r.nodeName, 'bye'), [], 'no container left');
  await until(t, 'Killing event', async () => {
    const evs = await r.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=bye' });
    return evs.items.some((e) => (e as { reason?: string }).reason === 'Killing');
  });
});
