import t from 'tap';
import { age, humanDuration } from '../../api/index.js';
import { fixture, kindOf, valid } from './helpers.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();

/** Header and row of `kind`'s table for `input`: `NAME=web READY=1/1 ...`. */
function row(kind: string, input: unknown, wide = false): string {
  const o = valid(kind, input);
  return kindOf(kind)
    .columns.filter((c) => wide || !c.wide)
    .map((c) => `${c.name}=${c.cell(o, NOW)}`)
    .join(' | ');
}

t.test('table - ages as kubectl prints them', async (t) => {
  const cases: [number, string][] = [
    [0, '0s'], [45, '45s'], [119, '119s'], [120, '2m'], [192, '3m12s'], [600, '10m'], [3 * 3600 - 1, '179m'],
    [3 * 3600, '3h'], [5 * 3600, '5h'], [5 * 3600 + 30 * 60, '5h30m'], [20 * 3600, '20h'], [47 * 3600, '47h'],
    [2 * 86400, '2d'], [2 * 86400 + 5 * 3600, '2d5h'], [30 * 86400, '30d'], [800 * 86400, '2y70d'], [9 * 365 * 86400, '9y'],
  ];
  for (const [s, want] of cases) t.equal(humanDuration(s * 1000), want, `${s}s`);
  t.equal(humanDuration(-1500), '0s', 'a little clock skew reads as now');
  t.equal(humanDuration(-5000), '<invalid>');
  t.equal(age(undefined, NOW), '<unknown>');
  t.equal(age(ago(45), NOW), '45s');
});

const running = (name: string, ready: boolean, restarts = 0, extra: object = {}) => ({
  name,
  ready,
  restartCount: restarts,
  state: { running: { startedAt: ago(100) } },
  ...extra,
});

t.test('table - pods: READY, STATUS, RESTARTS like kubectl', async (t) => {
  const pod = (edit: (o: any) => void) =>
    fixture('Pod', (o) => {
      o.metadata.creationTimestamp = ago(192);
      o.spec.containers.push({ name: 'side', image: 'busybox' });
      edit(o);
    });
  t.equal(row('Pod', pod(() => {})), 'NAME=web | READY=0/2 | STATUS=Pending | RESTARTS=0 | AGE=3m12s');
  t.equal(
    row('Pod', pod((o) => (o.status = { phase: 'Running', containerStatuses: [running('web', true), running('side', true)] }))),
    'NAME=web | READY=2/2 | STATUS=Running | RESTARTS=0 | AGE=3m12s',
  );
  t.equal(
    row(
      'Pod',
      pod(
        (o) =>
          (o.status = {
            phase: 'Running',
            containerStatuses: [
              { name: 'web', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(45) } } },
              running('side', true),
            ],
          }),
      ),
    ),
    'NAME=web | READY=1/2 | STATUS=CrashLoopBackOff | RESTARTS=4 (45s ago) | AGE=3m12s',
  );
  t.equal(
    row('Pod', pod((o) => ((o.spec.initContainers = [{ name: 'init', image: 'busybox' }]), (o.status = { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }] })))),
    'NAME=web | READY=0/2 | STATUS=Init:0/1 | RESTARTS=0 | AGE=3m12s',
  );
  t.equal(
    row('Pod', pod((o) => (o.status = { phase: 'Failed', containerStatuses: [{ name: 'web', state: { terminated: { exitCode: 137 } } }, { name: 'side', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }))),
    'NAME=web | READY=0/2 | STATUS=ExitCode:137 | RESTARTS=0 | AGE=3m12s',
  );
  t.equal(
    row('Pod', pod((o) => ((o.metadata.deletionTimestamp = ago(1)), (o.status = { phase: 'Running', containerStatuses: [running('web', true), running('side', true)] })))),
    'NAME=web | READY=2/2 | STATUS=Terminating | RESTARTS=0 | AGE=3m12s',
  );
  t.equal(
    row('Pod', pod((o) => ((o.spec.nodeName = 'edge-1'), (o.status = { phase: 'Running', podIP: '10.1.0.5' }))), true),
    'NAME=web | READY=0/2 | STATUS=Running | RESTARTS=0 | AGE=3m12s | IP=10.1.0.5 | NODE=edge-1',
  );
  t.equal(row('Pod', pod(() => {}), true), 'NAME=web | READY=0/2 | STATUS=Pending | RESTARTS=0 | AGE=3m12s | IP=<none> | NODE=<none>');
});

t.test('table - workloads', async (t) => {
  const d = fixture('Deployment', (o) => {
    o.metadata.creationTimestamp = ago(5 * 3600);
    o.spec.replicas = 3;
    o.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  });
  t.equal(row('Deployment', d), 'NAME=web | READY=2/3 | UP-TO-DATE=3 | AVAILABLE=2 | AGE=5h');
  t.equal(row('Deployment', d, true), 'NAME=web | READY=2/3 | UP-TO-DATE=3 | AVAILABLE=2 | AGE=5h | CONTAINERS=web | IMAGES=nginx:1.25 | SELECTOR=app=web');
  t.equal(row('ReplicaSet', fixture('ReplicaSet', (o) => (o.status = { replicas: 2, readyReplicas: 1 }))), 'NAME=web-5d9c | DESIRED=2 | CURRENT=2 | READY=1 | AGE=<unknown>');
  t.equal(row('StatefulSet', fixture('StatefulSet', (o) => (o.status = { replicas: 1, readyReplicas: 1 }))), 'NAME=db | READY=1/1 | AGE=<unknown>');
  t.equal(
    row('DaemonSet', fixture('DaemonSet', (o) => ((o.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' }), (o.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2 })))),
    'NAME=agent | DESIRED=3 | CURRENT=3 | READY=2 | UP-TO-DATE=0 | AVAILABLE=0 | NODE SELECTOR=kubernetes.io/os=linux | AGE=<unknown>',
  );
  t.equal(
    row('Job', fixture('Job', (o) => (o.status = { startTime: ago(100), completionTime: ago(55), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }))),
    'NAME=pi | STATUS=Complete | COMPLETIONS=1/1 | DURATION=45s | AGE=<unknown>',
  );
  t.equal(row('CronJob', fixture('CronJob', (o) => (o.status = { lastScheduleTime: ago(120), active: [{ name: 'hello-1' }] }))), 'NAME=hello | SCHEDULE=*/5 * * * * | SUSPEND=False | ACTIVE=1 | LAST SCHEDULE=2m | AGE=<unknown>');
});

t.test('table - services, endpoints, nodes, events and the rest', async (t) => {
  t.equal(
    row('Service', fixture('Service', (o) => ((o.spec.clusterIP = '10.96.0.10'), (o.spec.type = 'NodePort'), (o.spec.ports[0].nodePort = 30080))), true),
    'NAME=web | TYPE=NodePort | CLUSTER-IP=10.96.0.10 | EXTERNAL-IP=<none> | PORT(S)=80:30080/TCP | AGE=<unknown> | SELECTOR=app=web',
  );
  t.equal(row('Service', fixture('Service', (o) => (o.spec.type = 'LoadBalancer'))), 'NAME=web | TYPE=LoadBalancer | CLUSTER-IP=<none> | EXTERNAL-IP=<pending> | PORT(S)=80/TCP | AGE=<unknown>');
  t.equal(
    row('Endpoints', fixture('Endpoints', (o) => (o.subsets[0].addresses = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4'].map((ip) => ({ ip }))))),
    'NAME=web | ENDPOINTS=10.1.0.1:8080,10.1.0.2:8080,10.1.0.3:8080 + 1 more... | AGE=<unknown>',
  );
  t.equal(row('Endpoints', fixture('Endpoints', (o) => delete o.subsets)), 'NAME=web | ENDPOINTS=<none> | AGE=<unknown>');
  const node = fixture('Node', (o) => {
    o.metadata.creationTimestamp = ago(2 * 86400);
    o.spec.unschedulable = true;
    o.status.nodeInfo = { kubeletVersion: 'v0.1.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'docker://24.0.7' };
    o.status.addresses = [{ type: 'InternalIP', address: '192.168.1.10' }];
  });
  t.equal(row('Node', node), 'NAME=edge-1 | STATUS=Ready,SchedulingDisabled | ROLES=worker | AGE=2d | VERSION=v0.1.0');
  t.equal(
    row('Node', node, true),
    'NAME=edge-1 | STATUS=Ready,SchedulingDisabled | ROLES=worker | AGE=2d | VERSION=v0.1.0 | INTERNAL-IP=192.168.1.10 | EXTERNAL-IP=<none> | OS-IMAGE=Debian GNU/Linux 12 | KERNEL-VERSION=6.1.0 | CONTAINER-RUNTIME=docker://24.0.7',
  );
  t.equal(row('Node', fixture('Node', (o) => ((o.status.conditions = [{ type: 'Ready', status: 'Unknown' }]), (o.metadata.labels = {})))), 'NAME=edge-1 | STATUS=NotReady | ROLES=<none> | AGE=<unknown> | VERSION=');
  t.equal(
    row('Event', fixture('Event', (o) => ((o.firstTimestamp = ago(600)), (o.lastTimestamp = ago(45)), (o.count = 3)))),
    'LAST SEEN=45s | TYPE=Normal | REASON=Scheduled | OBJECT=pod/web | MESSAGE=Successfully assigned default/web to edge-1',
  );
  t.equal(row('Namespace', fixture('Namespace')), 'NAME=prod | STATUS=Active | AGE=<unknown>');
  t.equal(row('ConfigMap', fixture('ConfigMap')), 'NAME=settings | DATA=1 | AGE=<unknown>');
  t.equal(row('Secret', fixture('Secret')), 'NAME=creds | TYPE=Opaque | DATA=1 | AGE=<unknown>');
  t.equal(row('ResourceQuota', fixture('ResourceQuota', (o) => (o.status = { used: { pods: '3' } }))), 'NAME=quota | AGE=<unknown> | REQUEST=pods: 3/10, requests.cpu: 0/4 | LIMIT=');
  t.equal(row('Lease', fixture('Lease')), 'NAME=edge-1 | HOLDER=edge-1 | AGE=<unknown>');
  t.equal(row('ServiceAccount', fixture('ServiceAccount')), 'NAME=default | SECRETS=0 | AGE=<unknown>');
  t.equal(row('LimitRange', fixture('LimitRange', (o) => (o.metadata.creationTimestamp = '2024-05-01T10:00:00Z'))), 'NAME=mem | CREATED AT=2024-05-01T10:00:00Z');
  t.equal(row('ClusterRoleBinding', fixture('ClusterRoleBinding'), true), 'NAME=node-readers | ROLE=ClusterRole/system:node-reader | AGE=<unknown> | USERS= | GROUPS= | SERVICEACCOUNTS=kube-system/agent');
});
