// shoalctl as a person uses it: against an in-process API server (MemoryStorage) on 127.0.0.1,
// with a temp config file. Exit codes, stdin, signals and stderr are checked on real
// bin/shoalctl.js processes; the rest runs the same context wiring in-process (ctl.call), since
// each process start costs seconds on a loaded machine. apply (multi-document, stdin),
// get/describe/label/scale/delete, watch, validation errors, unknown resources, --help,
// completion and the config commands.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { freePort } from '../store/helpers/store-cluster.js';
import { shoalctl, startApiServer } from './helpers/shoalctl.js';

const APP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: edge
  level: "3"
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: web
    image: nginx:1.25
    ports: [{containerPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  restartPolicy: Sometimes
  containers:
  - name: x
`;

t.test('shoalctl against an API server', async (t) => {
  const server = await startApiServer(t);
  const ctl = shoalctl(t, [server]);
  const app = ctl.file('app.yaml', APP);

  await t.test('--help on the root and on every command', async (t) => {
    const root = await ctl.run(['--help']);
    t.equal(root.code, 0);
    for (const cmd of ['get', 'describe', 'apply', 'delete', 'scale', 'label', 'members', 'completion']) t.match(root.stdout, new RegExp(`\\n  ${cmd} `), cmd);
    const get = await ctl.call(['get', '--help']);
    t.equal(get.code, 0);
    t.match(get.stdout, /--field-selector <selector>/);
    const commands = ['get', 'describe', 'apply', 'create', 'delete', 'scale', 'label', 'annotate', 'members', 'version', 'api-resources', 'completion', 'config', 'config view', 'config use-namespace', 'config set-servers'];
    for (const cmd of commands) {
      const help = await ctl.call([...cmd.split(' '), '--help']);
      t.equal(help.code, 0, `${cmd} --help`);
      t.match(help.stdout, new RegExp(`^Usage: shoalctl ${cmd} `), cmd);
    }
  });

  await t.test('apply a multi-document file: created lines, one line per validation cause, exit 1', async (t) => {
    const r = await ctl.run(['apply', '-f', app]);
    t.equal(r.code, 1, 'one document was refused');
    t.equal(r.stdout, 'configmap/settings created\npod/web created\ndeployment.apps/web created\n');
    t.equal(
      r.stderr,
      'The Pod "broken" is invalid: spec.containers[0].image: Required value\n' +
        'The Pod "broken" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"\n',
    );
    const again = await ctl.call(['apply', '-f', app]);
    t.equal(again.stdout, 'configmap/settings unchanged\npod/web unchanged\ndeployment.apps/web unchanged\n');
  });

  await t.test('apply from stdin: a changed file configures, removed fields go away', async (t) => {
    const r = await ctl.run(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: cloud}\n' });
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, 'configmap/settings configured\n');
    const live = JSON.parse((await ctl.call(['get', 'cm', 'settings', '-o', 'json'])).stdout) as { data: Record<string, string> };
    t.same(live.data, { mode: 'cloud' }, '"level" was removed from the file and from the object');
  });

  await t.test('get: tables, -o name/json, -A, not found, unknown resource', async (t) => {
    const pods = await ctl.call(['get', 'pods']);
    t.equal(pods.code, 0, pods.stderr);
    t.match(pods.stdout, /^NAME {3}READY {3}STATUS {4}RESTARTS {3}AGE\nweb {4}0\/1 {5}Pending {3}0 {10}\d+s\n$/);
    const names = await ctl.call(['get', 'pods,deploy,cm', '-o', 'name']);
    t.equal(names.stdout, 'pod/web\ndeployment.apps/web\nconfigmap/settings\n');
    const all = await ctl.call(['get', 'ns', '-A']);
    t.match(all.stdout, /^NAME +STATUS +AGE\ndefault +Active/);
    const missing = await ctl.call(['get', 'pods', 'nope']);
    t.equal(missing.code, 1);
    t.equal(missing.stderr, 'error: pods "nope" not found\n');
    const unknown = await ctl.run(['get', 'foos']);
    t.equal(unknown.code, 1);
    t.equal(unknown.stderr, 'error: the server doesn\'t have a resource type "foos"\n');
    const empty = await ctl.call(['get', 'pods', '-n', 'kube-system']);
    t.equal(empty.stderr, 'No resources found in kube-system namespace.\n');
  });

  await t.test('describe a pod', async (t) => {
    const r = await ctl.call(['describe', 'pod', 'web']);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /^Name: +web\nNamespace: +default\nLabels: +app=web\n/);
    t.match(r.stdout, /\nContainers:\n {2}web:\n {4}Image: +nginx:1\.25\n {4}Port: +80\/TCP\n/);
  });

  await t.test('label and scale', async (t) => {
    t.equal((await ctl.call(['label', 'pod', 'web', 'tier=fe'])).stdout, 'pod/web labeled\n');
    const clash = await ctl.call(['label', 'pod/web', 'tier=be']);
    t.equal(clash.code, 1);
    t.equal(clash.stderr, "error: 'tier' already has a value (fe), and --overwrite is false\n");
    t.equal((await ctl.call(['label', 'pod/web', 'tier=be', '--overwrite'])).stdout, 'pod/web labeled\n');
    t.equal((await ctl.call(['annotate', 'pod', 'web', 'owner=edge-team'])).stdout, 'pod/web annotated\n');
    const pod = JSON.parse((await ctl.call(['get', 'pod', 'web', '-o', 'json'])).stdout) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    t.same(pod.metadata.labels, { app: 'web', tier: 'be' });
    t.equal(pod.metadata.annotations.owner, 'edge-team');
    t.equal((await ctl.call(['label', 'pod', 'web', 'tier-'])).stdout, 'pod/web labeled\n');

    t.equal((await ctl.call(['scale', 'deploy/web', '--replicas', '5'])).stdout, 'deployment.apps/web scaled\n');
    const deploy = JSON.parse((await ctl.call(['get', 'deployment', 'web', '-o', 'json'])).stdout) as { spec: { replicas: number } };
    t.equal(deploy.spec.replicas, 5);
    const bad = await ctl.call(['scale', 'deploy/web', '--replicas', 'many']);
    t.equal(bad.code, 2);
    t.equal(bad.stderr, 'error: --replicas must be a whole number >= 0, got "many"\n');
  });

  await t.test('get -w prints rows as events arrive; Ctrl-C ends it with status 0', async (t) => {
    const watch = ctl.start(['get', 'configmaps', '--watch']);
    await watch.waitFor(/settings +1 +\d+s\n/);
    const r = await ctl.call(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched}\ndata: {a: "1", b: "2"}\n' });
    t.equal(r.stdout, 'configmap/watched created\n');
    await watch.waitFor(/watched +2 +\d+s\n/);
    const done = await watch.stop();
    t.equal(done.code, 0, done.stderr);
    t.match(done.stdout, /^NAME +DATA +AGE\n/);
  });

  await t.test('delete by name, by file, and not found', async (t) => {
    t.equal((await ctl.call(['delete', 'configmap', 'watched'])).stdout, 'configmap "watched" deleted\n');
    const missing = await ctl.call(['delete', 'pod', 'nope']);
    t.equal(missing.code, 1);
    t.equal(missing.stderr, 'error: pods "nope" not found\n');
    const byFile = await ctl.call(['delete', '-f', app, '--wait', '--now']);
    t.match(byFile.stdout, /configmap "settings" deleted\npod "web" deleted\ndeployment "web" deleted\n/);
    const gone = await ctl.call(['get', 'pods,deploy,cm', '-o', 'name']);
    t.equal(gone.stdout, '');
  });

  await t.test('usage errors exit 2 with one line', async (t) => {
    const unknown = await ctl.run(['frobnicate']);
    t.equal(unknown.code, 2);
    t.match(unknown.stderr, /^error: unknown command 'frobnicate'/);
    const format = await ctl.call(['get', 'pods', '-o', 'xml']);
    t.equal(format.code, 2);
    t.equal(format.stderr, 'error: unable to match a printer suitable for the output format "xml", allowed formats are: wide,json,yaml,name\n');
  });

  await t.test('completion bash|zsh from the command tree', async (t) => {
    const bash = await ctl.run(['completion', 'bash']);
    t.equal(bash.code, 0);
    t.match(bash.stdout, /complete -F _shoalctl shoalctl/);
    t.match(bash.stdout, /local resources="[^"]*\bdeploy\b[^"]*\bpods\b/);
    const zsh = await ctl.call(['completion', 'zsh']);
    t.match(zsh.stdout, /^#compdef shoalctl/);
  });

  await t.test('config view, use-namespace, set-servers on the config file', async (t) => {
    const use = await ctl.call(['config', 'use-namespace', 'shop']);
    t.equal(use.code, 0, use.stderr);
    t.match(readFileSync(ctl.configPath, 'utf8'), /namespace: shop/);
    const view = await ctl.call(['config', 'view']);
    t.equal(view.stdout, `servers:\n  - ${server}\nnamespace: shop\n`);
    const empty = await ctl.call(['get', 'pods']);
    t.equal(empty.stderr, 'No resources found in shop namespace.\n', 'commands use the new namespace');
    const port = await freePort();
    t.equal((await ctl.call(['config', 'set-servers', `127.0.0.1:${port},${server}`])).code, 0);
    const failover = await ctl.call(['get', 'ns', 'default', '-o', 'name']);
    t.equal(failover.stdout, 'namespace/default\n', 'the dead first server is skipped');
  });

  await t.test('an unreachable server is one line and exit 1', async (t) => {
    const port = await freePort();
    const r = await ctl.run(['get', 'pods', '--server', `127.0.0.1:${port}`]);
    t.equal(r.code, 1);
    t.match(r.stderr, new RegExp(`^error: no API server answered .*127\\.0\\.0\\.1:${port}.*\\n$`));
    t.equal(r.stderr.split('\n').length, 2, 'one line');
  });

  await t.test('version and api-resources', async (t) => {
    const v = await ctl.call(['version']);
    t.match(v.stdout, /^Client Version: \S+ \(git commit \S+, node v[\d.]+, \S+\)\nServer Version: /);
    const res = await ctl.call(['api-resources']);
    t.match(res.stdout, /\ndeployments +deploy +apps\/v1 +true +Deployment\n/);
  });
});
