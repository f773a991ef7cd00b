// Issue 9's end-to-end scenario, in order, on one lab: 3 control-plane hosts + 2 workers + a
// client host, every host running the installed release bundle (install.sh into the host's root,
// the systemd units' commands run as systemd would), and real shoalctl commands from the client.
//   1. init, join two control planes, token, join both workers; capacity, componentstatuses, members
//   2. a Deployment of 3 + a Service: spread over both workers, the ClusterIP answers on each
//   4. kill -9 the store leader's control plane: shoalctl goes on, nothing lost, the host rejoins
//   5. cut the leader's host off with iptables, write through the majority, no stale read, heal
//   7. `shoalctl get events` tells the story; the lab goes down leaving nothing
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { labAddress, requireLab, run, webDeployment } from '../lab/helpers/lab.js';
import { InstalledCluster } from './helpers/installed-cluster.js';
import { deployApp } from './steps/app.js';
import { bringUp } from './steps/bring-up.js';
import { eventsTellTheStory } from './steps/events.js';
import { partitionAndHeal } from './steps/partition.js';
import { storeLeaderLoss } from './steps/store-leader-loss.js';

// Five hosts of Node.js processes and two dockerds on a shared 2-core machine.
t.setTimeout(900_000);

const service = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
});

t.test('end to end: an installed 3+2 cluster in the lab', async (t) => {
  if (!(await requireLab(t))) return;
  const c = await InstalledCluster.prepare(t, { name: 'e2e', controlPlanes: 3, workers: 2 });
  t.comment(`release ${c.version} in ${c.lab.dir}/bundle; hosts ${labAddress.cp(1)}.. and ${labAddress.worker(1)}..`);

  let ok = false;
  await t.test('1. init, join, token, workers', async (t) => {
    ok = await bringUp(t, c, []);
  });
  if (!ok) return;
  await t.test('2. a Deployment and a Service over both workers', async (t) => {
    ok = (await deployApp(t, c, { app: 'web', manifests: `${webDeployment("web", 3)}\n---\n${service}`, replicas: 3, port: 80 })) !== undefined;
  });
  if (!ok) return;
  await t.test('4. kill -9 the store leader', async (t) => storeLeaderLoss(t, c));
  await t.test('5. partition the leader host, write through the majority, heal', async (t) => partitionAndHeal(t, c));
  await t.test('7. the events tell the story', async (t) => eventsTellTheStory(t, c, { app: 'web', rolledOut: false }));
  await t.test('7. lab.sh down leaves nothing behind', async (t) => {
    const dir = c.lab.dir;
    await c.lab.down();
    const netns = await run('ip', ['netns', 'list']);
    t.same(netns.stdout.split('\n').filter((l) => l.startsWith(`${c.lab.name}-`)), [], 'no lab namespace (hosts, switch) left');
    t.notOk(existsSync(dir), `${dir} is gone`);
    t.same(readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(dir)), [], 'no mount under the lab dir');
    const procs = await run('pgrep', ['-af', dir]);
    t.same(procs.stdout.split('\n').filter((l) => l.trim() !== ''), [], 'no process of the lab (units, dockerds, shims)');
  });
});
