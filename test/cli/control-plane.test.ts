// shoalctl against a real 3-process control plane (store member + API server per process on
// 127.0.0.1): apply and read back (also with etcdctl under /registry), members with one leader,
// component statuses, and the CLI keeps working when the API server it used first dies.
import t from 'tap';
import { ControlPlaneCluster } from '../apiserver/helpers/control-plane-cluster.js';
import { shoalctl } from './helpers/shoalctl.js';

const APP = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: edge}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
`;

t.test('shoalctl on a 3-member control plane', async (t) => {
  const cluster = await ControlPlaneCluster.start(t);
  const ctl = shoalctl(t, cluster.apiEndpoints());

  const applied = await ctl.run(['apply', '-f', ctl.file('app.yaml', APP)]);
  t.equal(applied.code, 0, applied.stderr);
  t.equal(applied.stdout, 'configmap/settings created\ndeployment.apps/web created\n');

  const names = await ctl.call(['get', 'deploy,cm', '-o', 'name']);
  t.equal(names.stdout, 'deployment.apps/web\nconfigmap/settings\n');
  const stored = await cluster.ctl(['get', '/registry/configmaps/default/settings', '--print-value-only']);
  t.match(stored, /"mode":"edge"/, 'the object is under /registry in the store');

  const members = await ctl.call(['members']);
  t.equal(members.code, 0, members.stderr);
  const rows = members.stdout.trim().split('\n');
  t.match(rows[0], /^NAME +ID +LEADER +TERM +APPLIED +DB-SIZE +HEALTH$/);
  t.equal(rows.length, 4, 'three members');
  t.equal(rows.filter((r) => / true /.test(r)).length, 1, 'exactly one leader');
  t.ok(rows.slice(1).every((r) => r.endsWith('healthy')), members.stdout);

  const cs = await ctl.call(['get', 'cs']);
  t.match(cs.stdout, /^NAME +STATUS +MESSAGE +ERROR\n/);
  t.match(cs.stdout, /\nstore-\S+ +Healthy/);

  // The first server in the config dies: the next one answers.
  const first = cluster.names[0]!;
  await cluster.kill(first);
  const after = await ctl.call(['get', 'deploy', 'web', '-o', 'name']);
  t.equal(after.stdout, 'deployment.apps/web\n', after.stderr);
  const scaled = await ctl.call(['scale', 'deploy/web', '--replicas', '4']);
  t.equal(scaled.stdout, 'deployment.apps/web scaled\n', scaled.stderr);
});
