// One small valid object per kind of the issue, keyed by plural resource: what the CRUD table
// test creates, reads, lists, updates, watches and deletes. apiVersion and kind come from the
// served kind definition; the fields are those of the Kubernetes object.
/** A PEM CSR (base64) for CN=system:node:sample, O=system:nodes, made with control-plane/pki's createCsr. */
export const SAMPLE_CSR =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIdU1JR1dBZ0VBTURReEd6QVpCZ05WQkFNVEVuTjVjM1JsYlRwdWIyUmxPbk5oYlhCc1pURVZNQk1HQTFVRQpDaE1NYzNsemRHVnRPbTV2WkdWek1Ga3dFd1lIS29aSXpqMENBUVlJS29aSXpqMERBUWNEUWdBRWtnZWQ4aUxCCldxYzZzRXlscVZMUW4wYThLS2Rvd3hiOS8zTzBZbmE1RW9CTVBIUlFoeWMrU1BzSUZSNkphTlcyR2M3V3lsT2QKdU02cVlKSGFBTjZEbXFBQU1Bb0dDQ3FHU000OUJBTUNBMGNBTUVRQ0lFOVlEWFdrZllIeUVIZjBxbnAwckNrNgp2czdUK2ovTUo1MXJ3bm5ZTTdqWUFpQUNZZ00wcTYyUStIU2NqdWZrQ3owb1NiZGEyTlUrYmt0cWtXTTRMc20rCnlRPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0t';
const containers = [{ name: 'main', image: 'busybox:1.36' }];
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers } });

export const SAMPLES: Readonly<Record<string, Record<string, unknown>>> = {
  namespaces: {},
  nodes: {},
  pods: { spec: { containers } },
  replicasets: { spec: { replicas: 1, selector: { matchLabels: { app: 'rs' } }, template: template('rs') } },
  replicationcontrollers: { spec: { replicas: 1, selector: { app: 'rc' }, template: template('rc') } },
  deployments: { spec: { replicas: 1, selector: { matchLabels: { app: 'deploy' } }, template: template('deploy') } },
  daemonsets: { spec: { selector: { matchLabels: { app: 'ds' } }, template: template('ds') } },
  statefulsets: { spec: { serviceName: 'sts', replicas: 1, selector: { matchLabels: { app: 'sts' } }, template: template('sts') } },
  jobs: { spec: { template: { spec: { containers, restartPolicy: 'Never' } } } },
  cronjobs: { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers, restartPolicy: 'OnFailure' } } } } } },
  services: { spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
  endpoints: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
  configmaps: { data: { greeting: 'hello' } },
  secrets: { type: 'Opaque', data: { password: Buffer.from('s3cret').toString('base64') } },
  events: { involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started', message: 'Started container main', type: 'Normal' },
  limitranges: { spec: { limits: [{ type: 'Container', default: { memory: '512Mi' } }] } },
  resourcequotas: { spec: { hard: { pods: '10' } } },
  leases: { spec: { holderIdentity: 'sample', leaseDurationSeconds: 15 } },
  serviceaccounts: {},
  roles: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
  rolebindings: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] },
  clusterroles: { rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }] },
  certificatesigningrequests: { spec: { request: SAMPLE_CSR, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['digital signature', 'client auth'] } },
  clusterrolebindings: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }] },
};

/** A pod as the API accepts it. */
export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; finalizers?: string[]; grace?: number } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}), ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
    spec: { containers, ...(extra.nodeName ? { nodeName: extra.nodeName } : {}), ...(extra.grace !== undefined ? { terminationGracePeriodSeconds: extra.grace } : {}) },
  };
}

export function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}
