import t from 'tap';
import { formatFieldErrors, KINDS, kindFor, registry } from '../../api/index.js';
import { FIXTURES } from './fixtures.js';
import { errorsOf, fixture, valid } from './helpers.js';

t.test('kinds - every kind Kubernetes users bring is served', async (t) => {
  t.same(
    KINDS.map((k) => k.kind),
    [
      'Namespace', 'Node', 'Pod', 'ReplicaSet', 'ReplicationController', 'Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob',
      'Service', 'Endpoints', 'ConfigMap', 'Secret', 'Event', 'LimitRange', 'ResourceQuota', 'Lease', 'ServiceAccount',
      'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'CertificateSigningRequest',
    ],
  );
  const versions = Object.fromEntries(KINDS.map((k) => [k.kind, k.apiVersion]));
  t.equal(versions.Deployment, 'apps/v1');
  t.equal(versions.CronJob, 'batch/v1');
  t.equal(versions.Lease, 'coordination.k8s.io/v1');
  t.equal(versions.ClusterRoleBinding, 'rbac.authorization.k8s.io/v1');
  t.equal(kindFor('lease')?.group, 'coordination.k8s.io');
  t.equal(kindFor('pod')?.group, '');
  t.same(KINDS.filter((k) => !k.namespaced).map((k) => k.kind), ['Namespace', 'Node', 'ClusterRole', 'ClusterRoleBinding', 'CertificateSigningRequest']);
});

t.test('kinds - a valid object round-trips: defaulting it again changes nothing, byte for byte', async (t) => {
  for (const k of KINDS) {
    const once = valid(k.kind, FIXTURES[k.kind]);
    const twice = valid(k.kind, once);
    t.equal(JSON.stringify(twice), JSON.stringify(once), `${k.kind} is stable`);
    t.not(once, FIXTURES[k.kind], `${k.kind}: the input is not returned (or changed) in place`);
  }
});

t.test('kinds - an unknown top-level field is refused for every kind, never dropped', async (t) => {
  for (const k of KINDS) {
    t.same(errorsOf(k.kind, fixture(k.kind, (o) => (o.extra = 1))), ['extra: Unsupported field: Shoal does not support "extra"'], k.kind);
  }
});

t.test('kinds - apiVersion and kind must be the kind\'s own', async (t) => {
  t.same(errorsOf('Deployment', fixture('Deployment', (o) => (o.apiVersion = 'extensions/v1beta1'))), [
    'apiVersion: Unsupported value: "extensions/v1beta1": supported values: "apps/v1"',
  ]);
  t.same(errorsOf('Pod', fixture('Pod', (o) => delete o.kind)), ['kind: Required value']);
  t.same(errorsOf('Pod', 'not an object'), ['Invalid value: "not an object": must be an object']);
});

t.test('kinds - lookup by resource, singular, short name or kind, any case', async (t) => {
  const cases: [string, string][] = [
    ['po', 'Pod'], ['pods', 'Pod'], ['Pod', 'Pod'], ['POD', 'Pod'],
    ['deploy', 'Deployment'], ['deployments.apps', 'Deployment'], ['rs', 'ReplicaSet'], ['rc', 'ReplicationController'],
    ['ds', 'DaemonSet'], ['sts', 'StatefulSet'], ['svc', 'Service'], ['ep', 'Endpoints'], ['cm', 'ConfigMap'],
    ['ns', 'Namespace'], ['no', 'Node'], ['sa', 'ServiceAccount'], ['ev', 'Event'], ['limits', 'LimitRange'],
    ['quota', 'ResourceQuota'], ['cj', 'CronJob'], ['jobs', 'Job'], ['secret', 'Secret'], ['leases', 'Lease'],
    ['clusterrolebindings', 'ClusterRoleBinding'], ['rolebinding', 'RoleBinding'], ['ClusterRole', 'ClusterRole'],
  ];
  for (const [name, kind] of cases) t.equal(kindFor(name)?.kind, kind, name);
  t.equal(kindFor('deployment')?.resource, 'deployments');
  t.equal(kindFor('widgets'), undefined);
  t.equal(registry.byKind('apps/v1', 'Deployment')?.resource, 'deployments');
  t.equal(registry.byKind('v1', 'Deployment'), undefined);
});

t.test('kinds - field selectors: metadata.name and metadata.namespace everywhere, more where Kubernetes has them', async (t) => {
  for (const k of KINDS) t.ok(k.fieldLabelNames.includes('metadata.name') && k.fieldLabelNames.includes('metadata.namespace'), k.kind);
  t.ok(kindFor('pods')!.fieldLabelNames.includes('spec.nodeName'));
  t.ok(kindFor('pods')!.fieldLabelNames.includes('status.phase'));
  t.ok(kindFor('secrets')!.fieldLabelNames.includes('type'));
  for (const f of ['involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source'])
    t.ok(kindFor('events')!.fieldLabelNames.includes(f), f);
  const pod = valid('Pod', fixture('Pod', (o) => (o.spec.nodeName = 'edge-1')));
  t.same(
    { name: kindFor('po')!.fieldLabels(pod)['metadata.name'], node: kindFor('po')!.fieldLabels(pod)['spec.nodeName'], phase: kindFor('po')!.fieldLabels(pod)['status.phase'] },
    { name: 'web', node: 'edge-1', phase: 'Pending' },
  );
  t.equal(kindFor('ev')!.fieldLabels(valid('Event', FIXTURES.Event))['involvedObject.name'], 'web');
});

t.test('kinds - null means unset, as in Kubernetes', async (t) => {
  const p = valid('Pod', fixture('Pod', (o) => ((o.metadata.labels = null), (o.spec.containers[0].env = null))));
  t.equal(p.metadata.labels, undefined);
  t.equal(p.spec.containers[0].env, undefined);
});

t.test('kinds - the server\'s error text names the object and every error', async (t) => {
  const r = kindFor('pod')!.validate(fixture('Pod', (o) => ((o.spec.restartPolicy = 'Sometimes'), delete o.spec.containers[0].image)));
  t.notOk(r.ok);
  if (!r.ok)
    t.equal(
      formatFieldErrors('Pod', 'web', r.errors),
      'Pod "web" is invalid: spec.containers[0].image: Required value; spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
  t.equal(formatFieldErrors('Pod', undefined, [{ field: '', type: 'FieldValueTypeInvalid', detail: 'Invalid value: 1: must be an object' }]), 'Pod is invalid: Invalid value: 1: must be an object');
});
