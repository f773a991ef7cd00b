// The roles and bindings every cluster starts with, as data (written to the store by init and
// reconciled at start-up). They follow Kubernetes' bootstrap policy closely enough that its
// documentation applies; differences are noted where they are.
import { Groups, Users } from '../identities.js';
import { aggregateClusterRoles } from './aggregation.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RbacPolicy } from './types.js';
import { RBAC_GROUP } from './types.js';

export const READ = ['get', 'list', 'watch'] as const;
export const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
const READ_WRITE = [...READ, ...WRITE];

const BOOTSTRAPPING = { 'kubernetes.io/bootstrapping': 'rbac-defaults' } as const;
const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view'): string => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const rule = (verbs: readonly string[], apiGroups: readonly string[], resources: readonly string[], resourceNames?: readonly string[]): PolicyRule =>
  resourceNames === undefined ? { verbs: [...verbs], apiGroups: [...apiGroups], resources: [...resources] } : { verbs: [...verbs], apiGroups: [...apiGroups], resources: [...resources], resourceNames: [...resourceNames] };
const urls = (verbs: readonly string[], nonResourceURLs: readonly string[]): PolicyRule => ({ verbs: [...verbs], nonResourceURLs: [...nonResourceURLs] });

const clusterRole = (name: string, rules: PolicyRule[], labels: Record<string, string> = {}): ClusterRole => ({
  kind: 'ClusterRole',
  metadata: { name, labels: { ...BOOTSTRAPPING, ...labels } },
  rules,
});

const aggregated = (name: string, selectLabel: string, labels: Record<string, string> = {}): ClusterRole => ({
  kind: 'ClusterRole',
  metadata: { name, labels: { ...BOOTSTRAPPING, ...labels } },
  aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectLabel]: 'true' } }] },
  rules: [],
});

const bind = (name: string, role: string, subjects: { kind: 'User' | 'Group'; name: string }[]): ClusterRoleBinding => ({
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: { ...BOOTSTRAPPING } },
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
  subjects: subjects.map((s) => ({ ...s, apiGroup: RBAC_GROUP })),
});

/** Workload kinds a namespace user reads (view) and writes (edit). Secrets are not viewable. */
const CORE_WORKLOAD = ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'persistentvolumeclaims', 'configmaps', 'endpoints', 'services', 'serviceaccounts'];
const APPS = ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale', 'daemonsets', 'controllerrevisions'];
const BATCH = ['jobs', 'cronjobs'];

const viewRules: PolicyRule[] = [
  rule(READ, [''], [...CORE_WORKLOAD, 'pods/log', 'pods/status', 'replicationcontrollers/status', 'persistentvolumeclaims/status', 'services/status', 'bindings', 'events', 'limitranges', 'resourcequotas', 'resourcequotas/status', 'namespaces', 'namespaces/status']),
  rule(READ, ['apps'], [...APPS, 'deployments/status', 'replicasets/status', 'statefulsets/status', 'daemonsets/status']),
  rule(READ, ['batch'], [...BATCH, 'jobs/status', 'cronjobs/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['events.k8s.io'], ['events']),
];

const editRules: PolicyRule[] = [
  rule(WRITE, [''], [...CORE_WORKLOAD, 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'pods/eviction', 'services/proxy', 'secrets']),
  // Edit may read secrets (it can run a pod that mounts them anyway); view may not.
  rule(READ, [''], ['secrets', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, ['apps'], APPS),
  rule(WRITE, ['batch'], BATCH),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(WRITE, ['discovery.k8s.io'], ['endpointslices']),
];

const adminRules: PolicyRule[] = [
  rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings']),
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
];

/** Read access for the cluster-wide lists the scheduler and controllers watch. */
const SCHEDULER_RULES: PolicyRule[] = [
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  rule(READ, [''], ['nodes', 'namespaces', 'services', 'replicationcontrollers', 'persistentvolumeclaims', 'persistentvolumes', 'configmaps']),
  rule([...READ, 'delete'], [''], ['pods']),
  rule(['create'], [''], ['bindings', 'pods/binding']),
  rule(['patch', 'update'], [''], ['pods/status']),
  rule(READ, ['apps'], ['replicasets', 'statefulsets']),
  rule(READ, ['policy'], ['poddisruptionbudgets']),
  rule(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

/**
 * Shoal runs its controllers under one identity (Kubernetes splits them into per-controller
 * service accounts): it reads everything and writes the kinds its loops own.
 */
const CONTROLLER_MANAGER_RULES: PolicyRule[] = [
  rule(READ, ['*'], ['*']),
  rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
  rule(READ_WRITE, [''], ['pods', 'pods/status', 'endpoints', 'serviceaccounts', 'secrets', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'persistentvolumes', 'replicationcontrollers', 'replicationcontrollers/status', 'resourcequotas/status']),
  rule(['create'], [''], ['pods/eviction', 'serviceaccounts/token']),
  rule(['get', 'list', 'watch', 'update', 'patch', 'delete'], [''], ['nodes', 'nodes/status', 'namespaces', 'namespaces/status', 'namespaces/finalize', 'services', 'services/status']),
  rule(READ_WRITE, ['apps'], ['deployments', 'deployments/status', 'deployments/finalizers', 'replicasets', 'replicasets/status', 'replicasets/finalizers', 'statefulsets', 'statefulsets/status', 'statefulsets/finalizers', 'daemonsets', 'daemonsets/status', 'daemonsets/finalizers', 'controllerrevisions']),
  rule(READ_WRITE, ['batch'], ['jobs', 'jobs/status', 'jobs/finalizers', 'cronjobs', 'cronjobs/status']),
  rule(READ_WRITE, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ_WRITE, ['certificates.k8s.io'], ['certificatesigningrequests', 'certificatesigningrequests/status', 'certificatesigningrequests/approval']),
  rule(['approve', 'sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

/**
 * What every node may do regardless of which pods it runs. Unlike Kubernetes' system:node role,
 * this one carries no object-scoped rights (secrets, configmaps, pods, own Node, own Lease): those
 * come from the node authorizer alone, so binding this role to system:nodes never opens another
 * node's secrets.
 */
const NODE_RULES: PolicyRule[] = [
  rule(READ, [''], ['services', 'endpoints', 'nodes']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
];

export const DEFAULT_CLUSTER_ROLE_NAMES = {
  clusterAdmin: 'cluster-admin',
  admin: 'admin',
  edit: 'edit',
  view: 'view',
  scheduler: 'system:kube-scheduler',
  controllerManager: 'system:kube-controller-manager',
  node: 'system:node',
  nodeBootstrapper: 'system:node-bootstrapper',
  basicUser: 'system:basic-user',
  discovery: 'system:discovery',
  publicInfoViewer: 'system:public-info-viewer',
} as const;

const N = DEFAULT_CLUSTER_ROLE_NAMES;

/** The default ClusterRoles, with admin/edit/view aggregated as the controller would store them. */
export function defaultClusterRoles(): ClusterRole[] {
  return aggregateClusterRoles([
    clusterRole(N.clusterAdmin, [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    aggregated(N.admin, AGGREGATE_TO('admin')),
    aggregated(N.edit, AGGREGATE_TO('edit'), { [AGGREGATE_TO('admin')]: 'true' }),
    aggregated(N.view, AGGREGATE_TO('view'), { [AGGREGATE_TO('edit')]: 'true' }),
    clusterRole('system:aggregate-to-admin', adminRules, { [AGGREGATE_TO('admin')]: 'true' }),
    clusterRole('system:aggregate-to-edit', editRules, { [AGGREGATE_TO('edit')]: 'true' }),
    clusterRole('system:aggregate-to-view', viewRules, { [AGGREGATE_TO('view')]: 'true' }),
    clusterRole(N.scheduler, SCHEDULER_RULES),
    clusterRole(N.controllerManager, CONTROLLER_MANAGER_RULES),
    clusterRole(N.node, NODE_RULES),
    // A bootstrap token may ask for a node client certificate and follow its own request; nothing else.
    clusterRole(N.nodeBootstrapper, [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    clusterRole(N.basicUser, [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])]),
    clusterRole(N.discovery, [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/', '/healthz', '/livez', '/readyz'])]),
    clusterRole(N.publicInfoViewer, [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
  ]);
}

export function defaultClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    bind(N.clusterAdmin, N.clusterAdmin, [{ kind: 'Group', name: Groups.masters }]),
    bind(N.scheduler, N.scheduler, [{ kind: 'User', name: Users.scheduler }]),
    bind(N.controllerManager, N.controllerManager, [{ kind: 'User', name: Users.controllerManager }]),
    bind(N.node, N.node, [{ kind: 'Group', name: Groups.nodes }]),
    bind(N.nodeBootstrapper, N.nodeBootstrapper, [{ kind: 'Group', name: Groups.bootstrappers }]),
    bind(N.basicUser, N.basicUser, [{ kind: 'Group', name: Groups.authenticated }]),
    bind(N.discovery, N.discovery, [{ kind: 'Group', name: Groups.authenticated }]),
    bind(N.publicInfoViewer, N.publicInfoViewer, [
      { kind: 'Group', name: Groups.authenticated },
      { kind: 'Group', name: Groups.unauthenticated },
    ]),
  ];
}

export function defaultRbacPolicy(): RbacPolicy {
  return { roles: [], clusterRoles: defaultClusterRoles(), roleBindings: [], clusterRoleBindings: defaultClusterRoleBindings() };
}
