// StatefulSet local volumes with real Docker: a pod writes into its claim volume; the pod is
// deleted and recreated with the same claim on the same node; the file is still there.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Pod } from '../../api/index.js';
import { agentRig, requireDocker, until } from './helpers/agent-rig.js';

const claimSpec = (image: string, command: string) => ({
  restartPolicy: 'Never',
  containers: [{ name: 'c', image, command: ['sh', '-c', command], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
  volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }],
});

t.test('agent - a claim volume outlives its pod and the recreated pod finds the data', async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await agentRig(t);
  const pods = r.client.resource<Pod>('pods', 'default');
  await r.createPod('db-0', claimSpec(r.image, 'echo first-life > /data/state'));
  await r.waitPod(t, 'db-0', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  const file = join(r.dataDir, 'volumes', 'default', 'data-db-0', 'state');
  t.equal((await readFile(file, 'utf8')).trim(), 'first-life', 'the container wrote into <data-dir>/volumes/<ns>/<claim>');

  await pods.delete('db-0');
  await until(t, 'db-0 gone', async () => (await pods.get('db-0').catch(() => undefined)) === undefined);
  t.equal((await readFile(file, 'utf8')).trim(), 'first-life', 'the claim dir is kept when the pod is deleted');

  // Same name, same claim, same node: the container reads what the first one wrote.
  await r.createPod('db-0', claimSpec(r.image, 'cat /data/state | grep -q first-life'));
  const p = await r.waitPod(t, 'db-0', 'finished', (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
  t.equal(p.status?.phase, 'Succeeded', 'the recreated pod found the file (exit 0 from grep)');
});
