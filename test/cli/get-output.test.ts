// shoalctl get's output, golden: tables (normal, wide, -A, several types, --show-labels),
// -o name/json/yaml, component statuses and members.
import t from 'tap';
import { render } from '../../cli/commands/get.js';
import { componentStatusTable, formatBytes, membersTable } from '../../cli/output/cluster-tables.js';
import { getTable } from '../../cli/output/get-table.js';
import { renderTable } from '../../cli/output/table.js';
import { deployment, info, NOW, pod } from './fixtures.js';

const pods = [
  pod('web-1', 'default', { created: '2026-12-04T11:59:15Z', phase: 'Running', ip: '10.1.0.5', node: 'pi-1' }),
  pod('api', 'shop', { created: '2026-12-02T09:00:00Z', phase: 'Running', ready: false, restarts: 3, ip: '10.1.1.7', node: 'pi-2' }),
  pod('pending-thing-with-long-name', 'default', { created: '2026-12-04T11:50:00Z' }),
];

t.test('table - columns separated by three spaces, left aligned, no trailing blanks', async (t) => {
  t.equal(
    renderTable({ headers: ['NAME', 'STATUS', 'ERROR'], rows: [['a', 'Healthy', ''], ['longer-name', 'Unhealthy', 'x']] }),
    'NAME          STATUS      ERROR\n' + 'a             Healthy\n' + 'longer-name   Unhealthy   x\n',
  );
  t.equal(renderTable({ headers: ['NAME'], rows: [['a']] }, { noHeaders: true }), 'a\n');
  t.equal(renderTable({ headers: [], rows: [] }, { noHeaders: true }), '');
});

t.test('get pods - kubectl columns from the Pod KindDefinition', async (t) => {
  const out = renderTable(getTable(info('pods'), pods.filter((p) => p.metadata.namespace === 'default'), { wide: false, allNamespaces: false, now: NOW }));
  t.equal(
    out,
    [
      'NAME                           READY   STATUS    RESTARTS   AGE',
      'web-1                          1/1     Running   0          45s',
      'pending-thing-with-long-name   0/1     Pending   0          10m',
      '',
    ].join('\n'),
  );
});

t.test('get pods -o wide -A - NAMESPACE first, wide columns last', async (t) => {
  const out = renderTable(getTable(info('pods'), pods, { wide: true, allNamespaces: true, now: NOW }));
  t.equal(
    out,
    [
      'NAMESPACE   NAME                           READY   STATUS    RESTARTS   AGE    IP         NODE',
      'default     web-1                          1/1     Running   0          45s    10.1.0.5   pi-1',
      'shop        api                            0/1     Running   3          2d3h   10.1.1.7   pi-2',
      'default     pending-thing-with-long-name   0/1     Pending   0          10m    <none>     <none>',
      '',
    ].join('\n'),
  );
});

t.test('get namespaces - cluster-scoped kinds get no NAMESPACE column with -A', async (t) => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', creationTimestamp: '2026-11-04T12:00:00Z' }, status: { phase: 'Active' } };
  t.equal(renderTable(getTable(info('namespaces'), [ns], { wide: false, allNamespaces: true, now: NOW })), 'NAME      STATUS   AGE\ndefault   Active   30d\n');
});

t.test('get pods,deploy - one table per type, names as type/name, a blank line between', async (t) => {
  const out = render(
    [
      { info: info('pods'), objects: [pods[0]!], resourceVersion: '5' },
      { info: info('deployments'), objects: [deployment('web', '2026-12-04T10:00:00Z')], resourceVersion: '5' },
    ],
    'table',
    { allNamespaces: false, now: NOW, single: false, noHeaders: false },
  );
  t.equal(
    out,
    [
      'NAME        READY   STATUS    RESTARTS   AGE',
      'pod/web-1   1/1     Running   0          45s',
      '',
      'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE',
      'deployment.apps/web   2/3     3            2           120m',
      '',
    ].join('\n'),
  );
});

t.test('get --show-labels and --no-headers', async (t) => {
  const labeled = pod('web-1', 'default', { created: '2026-12-04T11:59:15Z', labels: { app: 'web', tier: 'fe' } });
  const out = render([{ info: info('pods'), objects: [labeled, pods[2]!], resourceVersion: '1' }], 'table', { allNamespaces: false, now: NOW, single: false, noHeaders: true, showLabels: true });
  t.equal(out, ['web-1                          0/1   Pending   0   45s   app=web,tier=fe', 'pending-thing-with-long-name   0/1   Pending   0   10m   <none>', ''].join('\n'));
});

t.test('get -o name|json|yaml', async (t) => {
  const fetched = [{ info: info('deployments'), objects: [deployment('web', '2026-12-04T10:00:00Z')], resourceVersion: '1' }];
  t.equal(render(fetched, 'name', { allNamespaces: false, now: NOW, single: false, noHeaders: false }), 'deployment.apps/web\n');
  const single = JSON.parse(render(fetched, 'json', { allNamespaces: false, now: NOW, single: true, noHeaders: false })) as { kind: string };
  t.equal(single.kind, 'Deployment', 'one object asked for by name prints bare');
  const list = render(fetched, 'yaml', { allNamespaces: false, now: NOW, single: false, noHeaders: false });
  t.match(list, /^apiVersion: v1\nkind: List\n/);
  t.match(list, /items:\n {2}- apiVersion: apps\/v1\n {4}kind: Deployment\n/);
  t.match(render(fetched, 'json', { allNamespaces: false, now: NOW, single: false, noHeaders: false }), /^{\n {4}"apiVersion": "v1",\n {4}"kind": "List"/, 'kubectl indents JSON by four');
});

t.test('get componentstatuses and members', async (t) => {
  t.equal(
    renderTable(
      componentStatusTable([
        { name: 'store-m1', healthy: true, message: 'ok', error: '' },
        { name: 'scheduler', healthy: false, message: '', error: 'no leader elected yet' },
      ]),
    ),
    ['NAME        STATUS      MESSAGE   ERROR', 'store-m1    Healthy     ok', 'scheduler   Unhealthy             no leader elected yet', ''].join('\n'),
  );
  const member = { name: 'm1', id: '8e9e05c52164694d', leader: true, learner: false, raftTerm: 4, raftAppliedIndex: 1234, dbSize: 24_576, healthy: true, error: '' };
  t.equal(
    renderTable(membersTable([member, { ...member, name: 'm2', id: 'a1', leader: false, healthy: false, error: 'connection refused' }])),
    [
      'NAME   ID                 LEADER   TERM   APPLIED   DB-SIZE   HEALTH',
      'm1     8e9e05c52164694d   true     4      1234      25 kB     healthy',
      'm2     a1                 false    4      1234      25 kB     unhealthy: connection refused',
      '',
    ].join('\n'),
  );
  t.same([formatBytes(0), formatBytes(82), formatBytes(1234), formatBytes(25_000_000)], ['0 B', '82 B', '1.2 kB', '25 MB']);
});
