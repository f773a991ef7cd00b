// One small valid object of every kind, as a user would write it (no defaults filled in).

import { SAMPLE_CSR } from '../apiserver/helpers/samples.js';

const meta = (name: string, namespace?: string) => (namespace ? { name, namespace } : { name });
const podSpec = (image = 'nginx:1.25') => ({ containers: [{ name: 'web', image }] });
const template = (labels: Record<string, string> = { app: 'web' }, spec: object = podSpec()) => ({ metadata: { labels }, spec });

export const FIXTURES: Readonly<Record<string, Record<string, unknown>>> = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: meta('prod') },
  Node: {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'edge-1', labels: { 'node-role.kubernetes.io/worker': '' } },
    spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
    status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  },
  Pod: { apiVersion: 'v1', kind: 'Pod', metadata: meta('web', 'default'), spec: podSpec() },
  ReplicaSet: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-5d9c', 'default'), spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template() } },
  ReplicationController: { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta('web', 'default'), spec: { template: template() } },
  Deployment: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', 'default'), spec: { selector: { matchLabels: { app: 'web' } }, template: template() } },
  DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('agent', 'kube-system'), spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } },
  StatefulSet: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta('db', 'default'),
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: template({ app: 'db' }, { containers: [{ name: 'db', image: 'postgres:16', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }] }] }),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  },
  Job: {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('pi', 'default'),
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-e', 'print 1'] }] } } },
  },
  CronJob: {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta('hello', 'default'),
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox:1.36' }] } } } } },
  },
  Service: { apiVersion: 'v1', kind: 'Service', metadata: meta('web', 'default'), spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  Endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web', 'default'), subsets: [{ addresses: [{ ip: '10.1.0.5' }], ports: [{ port: 8080 }] }] },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('settings', 'default'), data: { 'app.properties': 'a=1' } },
  Secret: { apiVersion: 'v1', kind: 'Secret', metadata: meta('creds', 'default'), data: { password: 'czNjcjN0' } },
  Event: {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta('web.17a8c3', 'default'),
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' },
    reason: 'Scheduled',
    message: 'Successfully assigned default/web to edge-1',
    type: 'Normal',
  },
  LimitRange: { apiVersion: 'v1', kind: 'LimitRange', metadata: meta('mem', 'default'), spec: { limits: [{ type: 'Container', default: { memory: '512Mi' } }] } },
  ResourceQuota: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('quota', 'default'), spec: { hard: { pods: '10', 'requests.cpu': '4' } } },
  Lease: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('edge-1', 'kube-node-lease'), spec: { holderIdentity: 'edge-1', leaseDurationSeconds: 40 } },
  ServiceAccount: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', 'default') },
  Role: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta('pod-reader', 'default'),
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
  },
  RoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta('read-pods', 'default'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', name: 'jane' }],
  },
  ClusterRole: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta('system:node-reader'),
    rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }],
  },
  ClusterRoleBinding: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta('node-readers'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'kube-system' }],
  },
  CertificateSigningRequest: {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: meta('node-sample'),
    spec: { request: SAMPLE_CSR, signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
  },
};
