import t from 'tap';
import { errorsOf, fixture, sorted, valid } from './helpers.js';

interface Case {
  readonly kind: string;
  readonly name: string;
  readonly edit: (o: any) => void;
  readonly errors: readonly string[];
}

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const cases: Case[] = [
  // Namespace
  { kind: 'Namespace', name: 'names are DNS labels (no dots)', edit: (o) => (o.metadata.name = 'a.b'), errors: [`metadata.name: Invalid value: "a.b": ${LABEL}`] },
  { kind: 'Namespace', name: 'cluster-scoped: no namespace', edit: (o) => (o.metadata.namespace = 'x'), errors: ['metadata.namespace: Forbidden: not allowed on this type'] },
  { kind: 'Namespace', name: 'phase', edit: (o) => (o.status = { phase: 'Gone' }), errors: ['status.phase: Unsupported value: "Gone": supported values: "Active", "Terminating"'] },
  // Node
  {
    kind: 'Node',
    name: 'taints and capacity',
    edit: (o) => {
      o.spec.taints = [{ key: 'k', effect: 'Never' }];
      o.status.capacity = { cpu: 'lots', pods: '110' };
    },
    errors: [
      'spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      `status.capacity[cpu]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ],
  },
  // Deployment
  {
    kind: 'Deployment',
    name: 'selector must match template labels',
    edit: (o) => (o.spec.selector = { matchLabels: { app: 'api' } }),
    errors: ['spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`'],
  },
  {
    kind: 'Deployment',
    name: 'empty selector',
    edit: (o) => (o.spec.selector = {}),
    errors: ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
  },
  { kind: 'Deployment', name: 'selector required', edit: (o) => delete o.spec.selector, errors: ['spec.selector: Required value'] },
  {
    kind: 'Deployment',
    name: 'template restartPolicy must be Always',
    edit: (o) => (o.spec.template.spec.restartPolicy = 'Never'),
    errors: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  },
  {
    kind: 'Deployment',
    name: 'strategy rules',
    edit: (o) => (o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0%', maxSurge: 0 } }),
    errors: ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'],
  },
  {
    kind: 'Deployment',
    name: 'percentages',
    edit: (o) => (o.spec.strategy = { rollingUpdate: { maxUnavailable: '150%', maxSurge: 'lots' } }),
    errors: [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"lots\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    ],
  },
  {
    kind: 'Deployment',
    name: 'Recreate takes no rollingUpdate',
    edit: (o) => (o.spec.strategy = { type: 'Recreate', rollingUpdate: {} }),
    errors: ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
  },
  { kind: 'Deployment', name: 'negative replicas', edit: (o) => (o.spec.replicas = -1), errors: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'] },
  {
    kind: 'Deployment',
    name: 'errors inside the template and outside together',
    edit: (o) => ((o.spec.replicas = 'two'), delete o.spec.template.spec.containers[0].image, (o.spec.selector = { matchLabels: { app: 'x' } })),
    errors: [
      'spec.replicas: Invalid value: "two": must be a number',
      'spec.template.spec.containers[0].image: Required value',
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    ],
  },
  // ReplicaSet, RC, DaemonSet
  {
    kind: 'ReplicaSet',
    name: 'matchExpressions rules',
    edit: (o) => (o.spec.selector = { matchExpressions: [{ key: 'app', operator: 'In' }, { key: 'x', operator: 'Exists', values: ['y'] }] }),
    errors: [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ],
  },
  {
    kind: 'ReplicationController',
    name: 'no selector and no template labels',
    edit: (o) => delete o.spec.template.metadata,
    errors: ['spec.selector: Invalid value: {}: empty selector is invalid for replicationcontroller'],
  },
  {
    kind: 'DaemonSet',
    name: 'OnDelete takes no rollingUpdate',
    edit: (o) => (o.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { maxUnavailable: 1 } }),
    errors: ["spec.updateStrategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'OnDelete'"],
  },
  // StatefulSet
  {
    kind: 'StatefulSet',
    name: 'mounts may name claim templates, but not unknown volumes',
    edit: (o) => o.spec.template.spec.containers[0].volumeMounts.push({ name: 'logs', mountPath: '/logs' }),
    errors: ['spec.template.spec.containers[0].volumeMounts[1].name: Not found: "logs"'],
  },
  {
    kind: 'StatefulSet',
    name: 'claim templates',
    edit: (o) => (o.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteSometimes'], resources: { requests: {} } } }]),
    errors: [
      'spec.volumeClaimTemplates[0].spec.accessModes[0]: Unsupported value: "ReadWriteSometimes": supported values: "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"',
      'spec.volumeClaimTemplates[0].spec.resources.requests[storage]: Required value',
    ],
  },
  // Job and CronJob
  {
    kind: 'Job',
    name: 'restartPolicy must be OnFailure or Never (the default Always is refused)',
    edit: (o) => delete o.spec.template.spec.restartPolicy,
    errors: ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"'],
  },
  {
    kind: 'Job',
    name: 'a selector needs manualSelector',
    edit: (o) => (o.spec.selector = { matchLabels: { a: 'b' } }),
    errors: ['spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated (set `manualSelector: true` to choose it)'],
  },
  {
    kind: 'Job',
    name: 'manual selector must match',
    edit: (o) => ((o.spec.selector = { matchLabels: { a: 'b' } }), (o.spec.manualSelector = true)),
    errors: ['spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`'],
  },
  {
    kind: 'CronJob',
    name: 'schedule syntax',
    edit: (o) => (o.spec.schedule = '*/5 * * *'),
    errors: ['spec.schedule: Invalid value: "*/5 * * *": expected exactly 5 fields (minute hour day-of-month month day-of-week), found 4'],
  },
  {
    kind: 'CronJob',
    name: 'schedule ranges',
    edit: (o) => (o.spec.schedule = '0 25 * * *'),
    errors: ['spec.schedule: Invalid value: "0 25 * * *": hour field value "25" is out of range 0-23'],
  },
  {
    kind: 'CronJob',
    name: 'concurrencyPolicy and job template',
    edit: (o) => ((o.spec.concurrencyPolicy = 'Sometimes'), (o.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always')),
    errors: [
      'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ],
  },
  // Service
  { kind: 'Service', name: 'names are DNS-1035 labels', edit: (o) => (o.metadata.name = '1web'), errors: [`metadata.name: Invalid value: "1web": ${DNS1035}`] },
  {
    kind: 'Service',
    name: 'ports: names required when several, unique port/protocol, nodePort only on NodePort',
    edit: (o) => (o.spec.ports = [{ port: 80 }, { port: 80, nodePort: 30080 }]),
    errors: [
      'spec.ports[0].name: Required value',
      'spec.ports[1].name: Required value',
      "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
      'spec.ports[1]: Duplicate value: "80/TCP"',
    ],
  },
  { kind: 'Service', name: 'ports required', edit: (o) => delete o.spec.ports, errors: ['spec.ports: Required value'] },
  {
    kind: 'Service',
    name: 'clusterIP syntax',
    edit: (o) => (o.spec.clusterIP = '10.0.0.300'),
    errors: ['spec.clusterIP: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff) or "None"'],
  },
  { kind: 'Service', name: 'ExternalName needs externalName', edit: (o) => (o.spec = { type: 'ExternalName' }), errors: ['spec.externalName: Required value'] },
  {
    kind: 'Service',
    name: 'type',
    edit: (o) => (o.spec.type = 'Ingress'),
    errors: ['spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"'],
  },
  // Endpoints
  {
    kind: 'Endpoints',
    name: 'addresses are IPs',
    edit: (o) => (o.subsets[0].addresses = [{ ip: 'web-1' }]),
    errors: ['subsets[0].addresses[0].ip: Invalid value: "web-1": must be a valid IP address'],
  },
  // ConfigMap and Secret
  {
    kind: 'ConfigMap',
    name: 'keys',
    edit: (o) => (o.data = { 'bad key': 'x', '..': 'y', ok: 3 }),
    errors: [
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      "data[..]: Invalid value: \"..\": must not be '..'",
      'data[ok]: Invalid value: 3: must be a string',
    ],
  },
  {
    kind: 'ConfigMap',
    name: 'a key in data and binaryData',
    edit: (o) => (o.binaryData = { 'app.properties': 'AAAA' }),
    errors: ['data[app.properties]: Duplicate value: "app.properties"'],
  },
  { kind: 'Secret', name: 'data is base64', edit: (o) => (o.data = { password: 'not base64!' }), errors: ['data[password]: Invalid value: "<value omitted>": must be base64 encoded'] },
  {
    kind: 'Secret',
    name: 'TLS secrets need tls.crt and tls.key',
    edit: (o) => ((o.type = 'kubernetes.io/tls'), (o.data = { 'tls.crt': 'AAAA' })),
    errors: ['data[tls.key]: Required value'],
  },
  // Event
  {
    kind: 'Event',
    name: 'type and namespace of the involved object',
    edit: (o) => ((o.type = 'Info'), (o.involvedObject.namespace = 'other')),
    errors: ['type: Unsupported value: "Info": supported values: "Normal", "Warning"', 'involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
  },
  { kind: 'Event', name: 'involvedObject required', edit: (o) => delete o.involvedObject, errors: ['involvedObject: Required value'] },
  // LimitRange, ResourceQuota, Lease
  {
    kind: 'LimitRange',
    name: 'min <= default <= max; defaults only for containers',
    edit: (o) => (o.spec.limits = [{ type: 'Container', min: { memory: '1Gi' }, default: { memory: '512Mi' } }, { type: 'Pod', default: { cpu: '1' } }]),
    errors: ['spec.limits[0].min[memory]: Invalid value: "1Gi": min value 1Gi is greater than default value 512Mi', "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'"],
  },
  {
    kind: 'ResourceQuota',
    name: 'hard values are quantities',
    edit: (o) => (o.spec.hard = { pods: 'ten' }),
    errors: [`spec.hard[pods]: Invalid value: "ten": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`],
  },
  {
    kind: 'Lease',
    name: 'times are RFC 3339',
    edit: (o) => (o.spec.renewTime = 'yesterday'),
    errors: ['spec.renewTime: Invalid value: "yesterday": must be an RFC 3339 time, e.g. "2024-05-01T10:00:00Z"'],
  },
  // RBAC
  {
    kind: 'Role',
    name: 'rules need verbs and resources; no URLs in a namespaced role',
    edit: (o) => (o.rules = [{ apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verbs: ['get'], resources: ['pods'] }]),
    errors: [
      'rules[0].verbs: Required value',
      'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
      'rules[2].apiGroups: Required value: resource rules must supply at least one api group',
    ],
  },
  {
    kind: 'ClusterRoleBinding',
    name: 'roleRef kind; service accounts need a namespace',
    edit: (o) => ((o.roleRef.kind = 'Role'), delete o.subjects[0].namespace),
    errors: ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value'],
  },
  {
    kind: 'RoleBinding',
    name: 'subject kinds and apiGroup',
    edit: (o) => (o.subjects = [{ kind: 'Robot', name: 'r2' }, { kind: 'User', name: 'u', apiGroup: 'v1' }]),
    errors: [
      'subjects[0].kind: Unsupported value: "Robot": supported values: "User", "Group", "ServiceAccount"',
      'subjects[1].apiGroup: Unsupported value: "v1": supported values: "rbac.authorization.k8s.io"',
    ],
  },
  { kind: 'ClusterRole', name: 'RBAC names are path segments', edit: (o) => (o.metadata.name = 'a/b'), errors: ["metadata.name: Invalid value: \"a/b\": may not contain '/'"] },
];

t.test('kinds - each invalid object gets exactly its errors', async (t) => {
  for (const c of cases) t.same(sorted(errorsOf(c.kind, fixture(c.kind, c.edit))), sorted(c.errors), `${c.kind}: ${c.name}`);
});

t.test('kinds - defaults as Kubernetes', async (t) => {
  const d = valid('Deployment', fixture('Deployment'));
  t.equal(d.spec.replicas, 1);
  t.same(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  t.equal(d.spec.revisionHistoryLimit, 10);
  t.equal(d.spec.progressDeadlineSeconds, 600);
  t.equal(d.spec.template.spec.restartPolicy, 'Always');
  t.same(valid('Deployment', fixture('Deployment', (o) => (o.spec.strategy = { type: 'Recreate' }))).spec.strategy, { type: 'Recreate' });

  const svc = valid('Service', fixture('Service', (o) => (o.spec.ports[0].name = 'a') && o.spec.ports.push({ name: 'b', port: 81 }, { name: 'c', port: 82, targetPort: 'http' })));
  t.equal(svc.spec.type, 'ClusterIP');
  t.equal(svc.spec.sessionAffinity, 'None');
  t.same(
    svc.spec.ports.map((p: any) => [p.port, p.targetPort, p.protocol]),
    [[80, 8080, 'TCP'], [81, 81, 'TCP'], [82, 'http', 'TCP']],
    'targetPort defaults to port',
  );

  const job = valid('Job', fixture('Job'));
  t.same([job.spec.backoffLimit, job.spec.completions, job.spec.parallelism, job.spec.completionMode, job.spec.suspend], [6, 1, 1, 'NonIndexed', false]);
  const queue = valid('Job', fixture('Job', (o) => (o.spec.parallelism = 3)));
  t.same([queue.spec.completions, queue.spec.parallelism], [undefined, 3], 'a work queue (parallelism only) keeps completions unset');

  const cj = valid('CronJob', fixture('CronJob'));
  t.same([cj.spec.concurrencyPolicy, cj.spec.suspend, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', false, 3, 1]);

  t.equal(valid('Namespace', fixture('Namespace')).status.phase, 'Active');
  const ds = valid('DaemonSet', fixture('DaemonSet'));
  t.same(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  const sts = valid('StatefulSet', fixture('StatefulSet'));
  t.same([sts.spec.replicas, sts.spec.podManagementPolicy, sts.spec.updateStrategy], [1, 'OrderedReady', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }]);
  const rc = valid('ReplicationController', fixture('ReplicationController'));
  t.same([rc.spec.selector, rc.metadata.labels], [{ app: 'web' }, { app: 'web' }], 'RC selector and labels default to the template labels');
  const secret = valid('Secret', fixture('Secret', (o) => (o.stringData = { user: 'admin', password: 'hunter2' })));
  t.same([secret.type, secret.data, secret.stringData], ['Opaque', { password: 'aHVudGVyMg==', user: 'YWRtaW4=' }, undefined], 'stringData is merged into data (and wins)');
  const rb = valid('RoleBinding', fixture('RoleBinding'));
  t.equal(rb.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
});
