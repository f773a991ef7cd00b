import t from 'tap';
import { formatFieldError } from '../../api/index.js';
import { fixture, kindOf, valid } from './helpers.js';

/** validateUpdate of `kind` between the fixture and the fixture changed by `edit`, as text lines. */
function updateErrors(kind: string, edit: (o: any) => void, base?: (o: any) => void): string[] {
  const old = valid(kind, fixture(kind, base));
  const next = valid(kind, fixture(kind, (o) => (base?.(o), edit(o))));
  return kindOf(kind).validateUpdate(next, old).map(formatFieldError);
}

const POD_SPEC_FROZEN =
  'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)';

t.test('update - pod spec is immutable except images, activeDeadlineSeconds and added tolerations', async (t) => {
  t.same(updateErrors('Pod', (o) => (o.spec.containers[0].image = 'nginx:1.26')), []);
  t.same(updateErrors('Pod', (o) => (o.metadata.labels = { app: 'x' })), [], 'metadata may change');
  t.same(updateErrors('Pod', (o) => (o.spec.containers[0].command = ['sh'])), [POD_SPEC_FROZEN]);
  t.same(updateErrors('Pod', (o) => (o.spec.nodeName = 'edge-2')), [POD_SPEC_FROZEN], 'nodeName is set through the binding subresource');
  t.same(updateErrors('Pod', (o) => (o.spec.tolerations = [{ operator: 'Exists' }])), []);
  t.same(
    updateErrors('Pod', (o) => (o.spec.tolerations = []), (o) => (o.spec.tolerations = [{ operator: 'Exists' }])),
    ['spec.tolerations: Forbidden: existing toleration can not be modified or removed'],
  );
  t.same(updateErrors('Pod', (o) => (o.spec.activeDeadlineSeconds = 30), (o) => (o.spec.activeDeadlineSeconds = 60)), []);
  t.same(updateErrors('Pod', (o) => (o.spec.activeDeadlineSeconds = 90), (o) => (o.spec.activeDeadlineSeconds = 60)), [
    'spec.activeDeadlineSeconds: Invalid value: 90: must be less than or equal to previous value',
  ]);
  t.same(updateErrors('Pod', (o) => delete o.spec.activeDeadlineSeconds, (o) => (o.spec.activeDeadlineSeconds = 60)), [
    'spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value',
  ]);
});

t.test('update - workload selectors are immutable', async (t) => {
  const newSelector = (o: any) => {
    o.spec.selector = { matchLabels: { app: 'web', v: '2' } };
    o.spec.template.metadata.labels = { app: 'web', v: '2' };
  };
  for (const kind of ['Deployment', 'ReplicaSet']) t.same(updateErrors(kind, newSelector), ['spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable'], kind);
  t.same(updateErrors('Deployment', (o) => ((o.spec.replicas = 5), (o.spec.template.spec.containers[0].image = 'nginx:2'))), [], 'scale and roll are fine');
  t.same(
    updateErrors('DaemonSet', (o) => ((o.spec.selector = { matchLabels: { app: 'x' } }), (o.spec.template.metadata.labels = { app: 'x' }))),
    ['spec.selector: Invalid value: {"matchLabels":{"app":"x"}}: field is immutable'],
  );
  t.same(updateErrors('StatefulSet', (o) => (o.spec.replicas = 3)), []);
  t.same(updateErrors('StatefulSet', (o) => (o.spec.serviceName = 'other')), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'template', 'updateStrategy' and 'minReadySeconds' are forbidden",
  ]);
  const job = updateErrors('Job', (o) => (o.spec.template.spec.containers[0].image = 'perl:6'));
  t.equal(job.length, 1);
  t.match(job[0], /^spec\.template: Invalid value: \{"spec":\{"containers":.*\.\.\.: field is immutable$/, 'long values are shortened');
  t.same(updateErrors('Job', (o) => (o.spec.completions = 3)), ['spec.completions: Invalid value: 3: field is immutable']);
});

t.test('update - service clusterIP is fixed once set', async (t) => {
  const withIP = (o: any) => (o.spec.clusterIP = '10.96.0.10');
  t.same(updateErrors('Service', (o) => (o.spec.clusterIP = '10.96.0.11'), withIP), ['spec.clusterIP: Invalid value: "10.96.0.11": field is immutable']);
  t.same(updateErrors('Service', (o) => (o.spec.ports[0].port = 81), withIP), [], 'ports may change');
  t.same(updateErrors('Service', (o) => (o.spec.clusterIP = '10.96.0.10')), [], 'allocating the first IP is fine');
});

t.test('update - immutable ConfigMaps and Secrets', async (t) => {
  const frozen = (o: any) => (o.immutable = true);
  t.same(updateErrors('ConfigMap', (o) => (o.data = { a: 'b' })), [], 'a mutable ConfigMap changes');
  t.same(updateErrors('ConfigMap', (o) => (o.data = { a: 'b' }), frozen), ['data: Forbidden: field is immutable when `immutable` is set']);
  t.same(updateErrors('ConfigMap', (o) => (o.immutable = false), frozen), ['immutable: Forbidden: field is immutable when `immutable` is set']);
  t.same(updateErrors('ConfigMap', (o) => (o.metadata.labels = { a: 'b' }), frozen), [], 'labels still change');
  t.same(updateErrors('Secret', (o) => (o.data = { password: 'AAAA' }), frozen), ['data: Forbidden: field is immutable when `immutable` is set']);
  t.same(updateErrors('Secret', (o) => (o.type = 'kubernetes.io/basic-auth')), ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable']);
});

t.test('update - a binding\'s roleRef cannot change', async (t) => {
  t.same(updateErrors('RoleBinding', (o) => (o.roleRef.name = 'admin')), [
    'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"admin"}: cannot change roleRef',
  ]);
  t.same(updateErrors('RoleBinding', (o) => o.subjects.push({ kind: 'Group', name: 'ops' })), []);
});
