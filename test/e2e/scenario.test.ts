// Issue 9's end-to-end scenario, in order, on one lab: 3 control-plane hosts + 2 workers + a
// client host, every host running the installed release bundle (install.sh into the host's root,
// the systemd units' commands run as systemd would), and real shoalctl commands from the client.
//   1. init, join two control planes, token, join both workers; capacity, componentstatuses, members
//   2. a Deployment of 3 + a Service: spread over both workers, the ClusterIP answers on each
//   3. a rollout to a new image and its undo while a worker requests the Service: no failure
//   4. kill -9 the store leader's control plane: shoalctl goes on, nothing lost, the host rejoins
//   5. cut the leader's host off with iptables, write through the majority, no stale read, heal
//   6. a worker powered off: its pods move after their toleration; back on, stale containers go
//   7. `shoalctl get events` tells the story; the lab goes down leaving nothing
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { labAddress, requireLab, run } from '../lab/helpers/lab.js';
import { InstalledCluster } from './helpers/installed-cluster.js';
import { deployApp } from './steps/app.js';
import { bringUp } from './steps/bring-up.js';
import { eventsTellTheStory } from './steps/events.js';
import type { DeployedApp } from './steps/app.js';
import { partitionAndHeal } from './steps/partition.js';
import { rolloutWithoutFailures } from './steps/rollout.js';
import { storeLeaderLoss } from './steps/store-leader-loss.js';
import { WEB_NAME, WEB_PORT, webAppManifest } from './steps/web-app.js';
import { workerPowerOffAndBack } from './steps/worker-loss.js';

// Five hosts of Node.js processes and two dockerds on a shared 2-core machine.
t.setTimeout(900_000);

// Node loss in seconds rather than minutes (the flags an operator of a small fleet would use):
// a silent worker is Unknown after 20 s; the web pods tolerate that for 10 s (web-app.ts).
const NODE_LOSS_FLAGS = ['--node-monitor-grace-period', '20s', '--node-monitor-period', '2s'];

t.test('end to end: an installed 3+2 cluster in the lab', async (t) => {
  if (!(await requireLab(t))) return;
  const c = await InstalledCluster.prepare(t, { name: 'e2e', controlPlanes: 3, workers: 2 });
  t.comment(`release ${c.version} in ${c.lab.dir}/bundle; hosts ${labAddress.cp(1)}.. and ${labAddress.worker(1)}..`);

  let ok = false;
  await t.test('1. init, join, token, workers', async (t) => {
    ok = await bringUp(t, c, NODE_LOSS_FLAGS);
  });
  if (!ok) return;
  let app: DeployedApp | undefined;
  await t.test('2. a Deployment and a Service over both workers', async (t) => {
    app = await deployApp(t, c, { app: WEB_NAME, manifests: webAppManifest({ serviceType: 'NodePort' }), replicas: 3, port: WEB_PORT });
  });
  if (app === undefined) return;
  const web = app;
  let rolledOut = false;
  await t.test('3. roll out a new version and undo it under load', async (t) => {
    rolledOut = (await rolloutWithoutFailures(t, c, { deployment: WEB_NAME, container: 'web', serviceIp: web.clusterIP, port: WEB_PORT, fromHost: 'w1' })) !== undefined;
  });
  await t.test('4. kill -9 the store leader', async (t) => storeLeaderLoss(t, c));
  await t.test('5. partition the leader host, write through the majority, heal', async (t) => partitionAndHeal(t, c));
  let lostWorker: string | undefined;
  await t.test('6. a worker powered off and back on', async (t) => {
    const pods = (await c.shoalctlJson<{ items: { spec: { nodeName?: string }; metadata: { deletionTimestamp?: string } }[] }>(['get', 'pods', '-l', `app=${WEB_NAME}`])).items.filter((p) => p.metadata.deletionTimestamp === undefined);
    // The worker that runs some but not all of the pods (the other one takes them over).
    const worker = c.workers.find((w) => { const n = pods.filter((p) => p.spec.nodeName === w).length; return n > 0 && n < pods.length; }) ?? 'w2';
    const other = c.workers.find((w) => w !== worker)!;
    const timings = await workerPowerOffAndBack(t, c, { worker, other, selector: `app=${WEB_NAME}`, serviceUrl: `http://${web.clusterIP}:${WEB_PORT}/` });
    if (timings !== undefined) lostWorker = worker;
  });
  await t.test('7. the events tell the story', async (t) => eventsTellTheStory(t, c, { app: WEB_NAME, rolledOut, ...(lostWorker === undefined ? {} : { lostWorker }) }));
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
