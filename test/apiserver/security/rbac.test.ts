// RBAC: a table of users × requests against the default policy plus a small cluster's own roles.
import t from 'tap';
import type { ClusterRole, ClusterRoleBinding, RbacPolicy, RequestAttributes, Role, RoleBinding, UserInfo } from '../../../control-plane/apiserver/security/index.js';
import {
  RbacAuthorizer,
  RbacIndex,
  authorizeInOrder,
  checkBindingEscalation,
  checkRoleEscalation,
  defaultClusterRoles,
  defaultRbacPolicy,
  forbiddenMessage,
  resourceRequest as req,
} from '../../../control-plane/apiserver/security/index.js';
import { node, serviceAccount, user } from './fixtures.js';

const role = (namespace: string, name: string, rules: Role['rules']): Role => ({ metadata: { namespace, name }, rules });
const clusterRole = (name: string, rules: ClusterRole['rules'], labels?: Record<string, string>): ClusterRole => ({ metadata: { name, ...(labels ? { labels } : {}) }, rules });
const roleBinding = (namespace: string, name: string, roleRef: RoleBinding['roleRef'], subjects: RoleBinding['subjects']): RoleBinding => ({ metadata: { namespace, name }, roleRef, subjects });
const crb = (name: string, roleName: string, subjects: ClusterRoleBinding['subjects']): ClusterRoleBinding => ({ metadata: { name }, roleRef: { kind: 'ClusterRole', name: roleName }, subjects });

function clusterPolicy(): RbacPolicy {
  const d = defaultRbacPolicy();
  return {
    roles: [
      role('default', 'pod-reader', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] }]),
      role('default', 'status-writer', [{ verbs: ['update', 'patch'], apiGroups: [''], resources: ['pods/status'] }]),
      role('default', 'one-configmap', [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] }]),
    ],
    clusterRoles: [
      ...d.clusterRoles,
      clusterRole('secret-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]),
      clusterRole('status-everywhere', [{ verbs: ['update'], apiGroups: ['*'], resources: ['*/status'] }]),
      clusterRole('apps-anything', [{ verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }]),
      clusterRole('node-reader', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['nodes'] }]),
      clusterRole('metrics-url', [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]),
    ],
    roleBindings: [
      roleBinding('default', 'alice-pods', { kind: 'Role', name: 'pod-reader' }, [{ kind: 'User', name: 'alice' }]),
      roleBinding('default', 'carol-status', { kind: 'Role', name: 'status-writer' }, [{ kind: 'User', name: 'carol' }]),
      roleBinding('default', 'carol-config', { kind: 'Role', name: 'one-configmap' }, [{ kind: 'User', name: 'carol' }]),
      roleBinding('team-a', 'devs-edit', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'Group', name: 'devs' }]),
      roleBinding('team-a', 'leads-admin', { kind: 'ClusterRole', name: 'admin' }, [{ kind: 'User', name: 'dana' }]),
      // ServiceAccount subject without a namespace: the binding's namespace.
      roleBinding('team-b', 'ci-secrets', { kind: 'ClusterRole', name: 'secret-reader' }, [{ kind: 'ServiceAccount', name: 'ci' }]),
      roleBinding('team-b', 'dangling', { kind: 'Role', name: 'does-not-exist' }, [{ kind: 'User', name: 'erin' }]),
      // A RoleBinding cannot grant non-resource URLs, even with a ClusterRole that has them.
      roleBinding('default', 'alice-metrics', { kind: 'ClusterRole', name: 'metrics-url' }, [{ kind: 'User', name: 'alice' }]),
    ],
    clusterRoleBindings: [
      ...d.clusterRoleBindings,
      crb('ops-view', 'view', [{ kind: 'Group', name: 'ops' }]),
      crb('statusbot', 'status-everywhere', [{ kind: 'User', name: 'statusbot' }]),
      crb('robot-apps', 'apps-anything', [{ kind: 'ServiceAccount', name: 'robot', namespace: 'deploy' }]),
      crb('monitoring-nodes', 'node-reader', [{ kind: 'Group', name: 'system:serviceaccounts:monitoring' }]),
      crb('prom-metrics', 'metrics-url', [{ kind: 'ServiceAccount', name: 'prom', namespace: 'monitoring' }]),
    ],
  };
}

const U = {
  alice: user('alice'),
  bob: user('bob', 'devs'),
  carol: user('carol'),
  dana: user('dana'),
  frank: user('frank'),
  erin: user('erin'),
  ops: user('olga', 'ops'),
  admin: user('admin', 'system:masters'),
  nobody: user('nobody'),
  statusbot: user('statusbot'),
  ci: serviceAccount('team-b', 'ci'),
  ciElsewhere: serviceAccount('team-a', 'ci'),
  robot: serviceAccount('deploy', 'robot'),
  prom: serviceAccount('monitoring', 'prom'),
  promSibling: serviceAccount('monitoring', 'other'),
  scheduler: user('system:kube-scheduler'),
  controllers: user('system:kube-controller-manager'),
  bootstrap: { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:authenticated'] },
  node1: node('n1'),
} satisfies Record<string, UserInfo>;

const url = (verb: string, path: string): RequestAttributes => ({ kind: 'nonResource', verb, path });

type Row = [description: string, who: keyof typeof U, attrs: RequestAttributes, allowed: boolean];

const rows: Row[] = [
  // Role in a namespace
  ['alice lists pods in default', 'alice', req({ verb: 'list', resource: 'pods', namespace: 'default' }), true],
  ['alice gets a pod in default', 'alice', req({ verb: 'get', resource: 'pods', namespace: 'default', name: 'web' }), true],
  ['alice watches pods in default', 'alice', req({ verb: 'watch', resource: 'pods', namespace: 'default' }), true],
  ['alice cannot delete a pod', 'alice', req({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'web' }), false],
  ['alice cannot list pods in another namespace', 'alice', req({ verb: 'list', resource: 'pods', namespace: 'kube-system' }), false],
  ['alice cannot list pods across all namespaces', 'alice', req({ verb: 'list', resource: 'pods' }), false],
  ['alice: pods does not cover pods/status', 'alice', req({ verb: 'get', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web' }), false],
  ['alice: pods does not cover pods/log', 'alice', req({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'default', name: 'web' }), false],
  ['alice: core pods rule does not match an apps resource named pods', 'alice', req({ verb: 'list', apiGroup: 'apps', resource: 'pods', namespace: 'default' }), false],
  ['alice: RoleBinding to a ClusterRole grants no URL', 'alice', url('get', '/metrics'), false],
  // subresources
  ['carol updates pod status', 'carol', req({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web' }), true],
  ['carol: pods/status does not cover pods', 'carol', req({ verb: 'update', resource: 'pods', namespace: 'default', name: 'web' }), false],
  ['statusbot: */status covers pods/status anywhere', 'statusbot', req({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'x', name: 'p' }), true],
  ['statusbot: */status covers deployments/status in apps', 'statusbot', req({ verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'status', namespace: 'x', name: 'd' }), true],
  ['statusbot: */status does not cover the object', 'statusbot', req({ verb: 'update', resource: 'pods', namespace: 'x', name: 'p' }), false],
  ['statusbot: */status does not cover pods/log', 'statusbot', req({ verb: 'update', resource: 'pods', subresource: 'log', namespace: 'x', name: 'p' }), false],
  // resourceNames
  ['carol gets the named configmap', 'carol', req({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'app-config' }), true],
  ['carol updates the named configmap', 'carol', req({ verb: 'update', resource: 'configmaps', namespace: 'default', name: 'app-config' }), true],
  ['carol cannot get another configmap', 'carol', req({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'other' }), false],
  ['carol cannot list configmaps (resourceNames needs a name)', 'carol', req({ verb: 'list', resource: 'configmaps', namespace: 'default' }), false],
  ['carol cannot delete the named configmap', 'carol', req({ verb: 'delete', resource: 'configmaps', namespace: 'default', name: 'app-config' }), false],
  // groups, RoleBinding → ClusterRole scoped to the namespace
  ['bob (devs) creates a deployment in team-a', 'bob', req({ verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'team-a' }), true],
  ['bob (devs) reads secrets in team-a', 'bob', req({ verb: 'get', resource: 'secrets', namespace: 'team-a', name: 's' }), true],
  ['bob (devs) scales a deployment in team-a', 'bob', req({ verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'team-a', name: 'd' }), true],
  ['bob (devs) cannot create a deployment in team-b', 'bob', req({ verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'team-b' }), false],
  ['bob (devs) cannot list deployments cluster-wide', 'bob', req({ verb: 'list', apiGroup: 'apps', resource: 'deployments' }), false],
  ['bob (devs): edit does not grant rolebindings', 'bob', req({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'team-a' }), false],
  ['dana (admin in team-a) creates rolebindings there', 'dana', req({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'team-a' }), true],
  ['dana (admin in team-a) gets aggregated edit rights there', 'dana', req({ verb: 'delete', resource: 'pods', namespace: 'team-a', name: 'p' }), true],
  ['dana (admin in team-a) gets aggregated view rights there', 'dana', req({ verb: 'get', resource: 'pods', subresource: 'log', namespace: 'team-a', name: 'p' }), true],
  ['dana cannot touch nodes (cluster scope)', 'dana', req({ verb: 'get', resource: 'nodes', name: 'n1' }), false],
  ['dana cannot read namespaces of team-b', 'dana', req({ verb: 'get', resource: 'pods', namespace: 'team-b', name: 'p' }), false],
  // ClusterRoleBinding to view for a group
  ['ops (view) lists pods anywhere', 'ops', req({ verb: 'list', resource: 'pods', namespace: 'kube-system' }), true],
  ['ops (view) lists pods across all namespaces', 'ops', req({ verb: 'list', resource: 'pods' }), true],
  ['ops (view) cannot read secrets', 'ops', req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 's' }), false],
  ['ops (view) cannot create pods', 'ops', req({ verb: 'create', resource: 'pods', namespace: 'default' }), false],
  ['ops (view) cannot exec into pods', 'ops', req({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'p' }), false],
  // service accounts
  ['SA team-b/ci reads a secret in team-b', 'ci', req({ verb: 'get', resource: 'secrets', namespace: 'team-b', name: 'token' }), true],
  ['SA team-b/ci cannot list secrets in team-b', 'ci', req({ verb: 'list', resource: 'secrets', namespace: 'team-b' }), false],
  ['SA team-b/ci cannot read secrets in team-a', 'ci', req({ verb: 'get', resource: 'secrets', namespace: 'team-a', name: 'token' }), false],
  ['SA team-a/ci (same name, other namespace) gets nothing', 'ciElsewhere', req({ verb: 'get', resource: 'secrets', namespace: 'team-b', name: 'token' }), false],
  ['SA deploy/robot: * verbs on apps/* everywhere', 'robot', req({ verb: 'deletecollection', apiGroup: 'apps', resource: 'replicasets', namespace: 'prod' }), true],
  ['SA deploy/robot: apps/* includes subresources', 'robot', req({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'prod', name: 'd' }), true],
  ['SA deploy/robot: apps/* excludes core', 'robot', req({ verb: 'get', resource: 'pods', namespace: 'prod', name: 'p' }), false],
  ['SA monitoring/prom: group system:serviceaccounts:monitoring reads nodes', 'prom', req({ verb: 'list', resource: 'nodes' }), true],
  ['SA monitoring/other: same namespace group reads nodes', 'promSibling', req({ verb: 'watch', resource: 'nodes' }), true],
  ['SA monitoring/prom gets /metrics', 'prom', url('get', '/metrics'), true],
  ['SA monitoring/other does not get /metrics', 'promSibling', url('get', '/metrics'), false],
  ['SA team-b/ci cannot read nodes', 'ci', req({ verb: 'list', resource: 'nodes' }), false],
  // default roles
  ['system:masters can do anything', 'admin', req({ verb: 'deletecollection', apiGroup: 'whatever.io', resource: 'things', namespace: 'x' }), true],
  ['system:masters can escalate', 'admin', req({ verb: 'escalate', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'x' }), true],
  ['system:masters can GET any URL', 'admin', url('get', '/debug/pprof'), true],
  ['authenticated users get discovery', 'nobody', url('get', '/apis/apps'), true],
  ['authenticated users get /version', 'nobody', url('get', '/version'), true],
  ['authenticated users cannot POST discovery', 'nobody', url('post', '/apis'), false],
  ['authenticated users create selfsubjectaccessreviews', 'nobody', req({ verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }), true],
  ['authenticated users cannot list pods', 'nobody', req({ verb: 'list', resource: 'pods', namespace: 'default' }), false],
  ['scheduler binds pods', 'scheduler', req({ verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'default', name: 'p' }), true],
  ['scheduler lists nodes', 'scheduler', req({ verb: 'list', resource: 'nodes' }), true],
  ['scheduler updates its own lease', 'scheduler', req({ verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' }), true],
  ['scheduler cannot update the controller manager lease', 'scheduler', req({ verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager' }), false],
  ['scheduler cannot read secrets', 'scheduler', req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 's' }), false],
  ['scheduler cannot create deployments', 'scheduler', req({ verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'default' }), false],
  ['controller manager creates pods', 'controllers', req({ verb: 'create', resource: 'pods', namespace: 'default' }), true],
  ['controller manager updates replicaset status', 'controllers', req({ verb: 'update', apiGroup: 'apps', resource: 'replicasets', subresource: 'status', namespace: 'default', name: 'rs' }), true],
  ['controller manager reads anything', 'controllers', req({ verb: 'list', apiGroup: 'example.com', resource: 'widgets' }), true],
  ['controller manager cannot write rolebindings', 'controllers', req({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'default' }), false],
  ['bootstrap token creates a CSR', 'bootstrap', req({ verb: 'create', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests' }), true],
  ['bootstrap token cannot approve a CSR', 'bootstrap', req({ verb: 'update', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', name: 'c' }), false],
  ['bootstrap token cannot list pods', 'bootstrap', req({ verb: 'list', resource: 'pods' }), false],
  ['bootstrap token cannot read secrets', 'bootstrap', req({ verb: 'get', resource: 'secrets', namespace: 'kube-system', name: 'bootstrap-token-abcdef' }), false],
  ['system:node role reads services', 'node1', req({ verb: 'list', resource: 'services' }), true],
  ['system:node role grants no secrets (node authorizer does, per pod)', 'node1', req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 's' }), false],
  ['system:node role grants no pod status writes', 'node1', req({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'p' }), false],
  // nodes/stats (shoalctl top): admins only
  ['system:masters get nodes/stats', 'admin', req({ verb: 'get', resource: 'nodes', subresource: 'stats', name: 'n1' }), true],
  ['SA monitoring/prom reads nodes but not nodes/stats', 'prom', req({ verb: 'get', resource: 'nodes', subresource: 'stats', name: 'n1' }), false],
  ['system:node role grants no nodes/stats', 'node1', req({ verb: 'get', resource: 'nodes', subresource: 'stats', name: 'n1' }), false],
  ['authenticated users cannot get nodes/stats', 'nobody', req({ verb: 'get', resource: 'nodes', subresource: 'stats', name: 'n1' }), false],
  // a binding to a missing role grants nothing
  ['erin: RoleBinding to a missing Role grants nothing', 'erin', req({ verb: 'get', resource: 'pods', namespace: 'team-b', name: 'p' }), false],
];

const authorizer = new RbacAuthorizer(RbacIndex.from(clusterPolicy()));

t.test('rbac - allow/deny matrix', async (t) => {
  t.ok(rows.length >= 60, `${rows.length} rows`);
  for (const [description, who, attrs, allowed] of rows) {
    const d = authorizeInOrder([authorizer], U[who], attrs);
    t.equal(d.allowed, allowed, `${description} (${d.reason})`);
  }
});

t.test('rbac - an allow names the binding, role and subject', async (t) => {
  const d = authorizer.authorize(U.ci, req({ verb: 'get', resource: 'secrets', namespace: 'team-b', name: 'token' }));
  t.same(d, { decision: 'allow', reason: 'RBAC: allowed by RoleBinding "team-b/ci-secrets" of ClusterRole "secret-reader" to ServiceAccount "team-b/ci"' });
  const m = authorizer.authorize(U.admin, req({ verb: 'get', resource: 'pods', namespace: 'x', name: 'p' }));
  t.same(m, { decision: 'allow', reason: 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' });
});

t.test('rbac - a refusal has no opinion, says why, and reports a missing role', async (t) => {
  const d = authorizer.authorize(U.erin, req({ verb: 'get', resource: 'pods', namespace: 'team-b', name: 'p' }));
  t.equal(d.decision, 'no-opinion');
  t.match(d.reason, /role\.rbac\.authorization\.k8s\.io "does-not-exist" not found/);
  const none = authorizer.authorize({ name: 'stranger', groups: [] }, req({ verb: 'get', resource: 'pods', namespace: 'x', name: 'p' }));
  t.equal(none.reason, 'no RBAC binding applies to the user or its groups');
});

t.test('rbac - forbidden messages read as Kubernetes', async (t) => {
  t.equal(
    forbiddenMessage(U.alice, req({ verb: 'list', resource: 'pods', namespace: 'default' })),
    'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"',
  );
  t.equal(
    forbiddenMessage(U.bob, req({ verb: 'get', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'team-b', name: 'web' })),
    'deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments/scale" in API group "apps" in the namespace "team-b"',
  );
  t.equal(forbiddenMessage(U.nobody, req({ verb: 'list', resource: 'nodes' }), 'no binding'), 'nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope: no binding');
  t.equal(forbiddenMessage(U.nobody, url('post', '/apis')), 'forbidden: User "nobody" cannot post path "/apis"');
});

t.test('rbac - the index follows informer events', async (t) => {
  const idx = RbacIndex.from({ roles: [], clusterRoles: [], roleBindings: [], clusterRoleBindings: [] });
  const a = new RbacAuthorizer(idx);
  const getPod = req({ verb: 'get', resource: 'pods', namespace: 'ns1', name: 'p' });
  const allowed = (u: UserInfo): boolean => a.authorize(u, getPod).decision === 'allow';
  const r = role('ns1', 'reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
  const b = roleBinding('ns1', 'b', { kind: 'Role', name: 'reader' }, [{ kind: 'User', name: 'alice' }]);

  idx.apply({ type: 'upsert', kind: 'RoleBinding', object: b });
  t.notOk(allowed(U.alice), 'binding before its role: nothing');
  idx.apply({ type: 'upsert', kind: 'Role', object: r });
  t.ok(allowed(U.alice), 'role arrives: allowed');
  idx.apply({ type: 'upsert', kind: 'RoleBinding', object: { ...b, subjects: [{ kind: 'Group', name: 'devs' }] } });
  t.notOk(allowed(U.alice), 'subjects changed: alice loses it');
  t.ok(allowed(U.bob), 'and group devs gains it');
  t.same(idx.bindingsFor(U.alice, 'ns1'), [], 'the old subject is gone from the index');
  idx.apply({ type: 'upsert', kind: 'Role', object: { ...r, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }] } });
  t.notOk(allowed(U.bob), 'role narrowed');
  idx.apply({ type: 'upsert', kind: 'Role', object: r });
  idx.apply({ type: 'delete', kind: 'RoleBinding', object: b });
  t.notOk(allowed(U.bob), 'binding deleted');
  t.same(idx.size(), { roles: 1, clusterRoles: 0, roleBindings: 0, clusterRoleBindings: 0 });

  idx.apply({ type: 'upsert', kind: 'ClusterRole', object: clusterRole('pods', [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }]) });
  idx.apply({ type: 'upsert', kind: 'ClusterRoleBinding', object: crb('everyone', 'pods', [{ kind: 'Group', name: 'system:authenticated' }]) });
  t.ok(allowed(U.nobody), 'cluster role binding to a group');
  idx.apply({ type: 'delete', kind: 'ClusterRole', object: clusterRole('pods', []) });
  t.notOk(allowed(U.nobody), 'cluster role deleted');
  t.match(a.authorize(U.nobody, getPod).reason, /clusterrole\.rbac\.authorization\.k8s\.io "pods" not found/);
  idx.apply({ type: 'delete', kind: 'ClusterRoleBinding', object: crb('everyone', 'pods', []) });
  t.same(idx.bindingsFor(U.nobody, 'ns1'), []);
});

t.test('rbac - a decision looks only at the bindings naming the user', async (t) => {
  const bindings: RoleBinding[] = [];
  for (let i = 0; i < 2000; i++) bindings.push(roleBinding(`ns${i % 50}`, `b${i}`, { kind: 'ClusterRole', name: 'view' }, [{ kind: 'User', name: `user${i}` }]));
  const idx = RbacIndex.from({ ...defaultRbacPolicy(), roleBindings: bindings });
  const applied = idx.bindingsFor(user('user7'), 'ns7');
  t.same(
    applied.map((b) => b.binding.metadata.name),
    ['system:basic-user', 'system:discovery', 'system:public-info-viewer', 'b7'],
    'only the default group bindings and its own',
  );
  t.same(idx.bindingsFor(user('user7'), 'ns8').filter((b) => b.kind === 'RoleBinding'), [], 'a RoleBinding applies in its own namespace only');
});

t.test('rbac - aggregation: a role labelled aggregate-to-view extends view, edit and admin', async (t) => {
  const widgets = clusterRole('widget-viewer', [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }], { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
  const idx = RbacIndex.from({ ...defaultRbacPolicy(), roleBindings: [] });
  const a = new RbacAuthorizer(idx);
  const getWidget = req({ verb: 'get', apiGroup: 'example.com', resource: 'widgets', namespace: 'n', name: 'w' });
  const bindTo = (roleName: string, who: string): void =>
    idx.apply({ type: 'upsert', kind: 'RoleBinding', object: roleBinding('n', `${who}-${roleName}`, { kind: 'ClusterRole', name: roleName }, [{ kind: 'User', name: who }]) });
  bindTo('view', 'v');
  bindTo('edit', 'e');
  bindTo('admin', 'a');
  for (const who of ['v', 'e', 'a']) t.equal(a.authorize(user(who), getWidget).decision, 'no-opinion', `${who} before`);
  idx.apply({ type: 'upsert', kind: 'ClusterRole', object: widgets });
  for (const who of ['v', 'e', 'a']) t.equal(a.authorize(user(who), getWidget).decision, 'allow', `${who} after`);
  const view = defaultClusterRoles().find((r) => r.metadata.name === 'view');
  t.ok(view?.rules?.length, 'the default view role is stored with its aggregated rules');
});

t.test('rbac - escalation: grant only what you hold, unless you may bind or escalate', async (t) => {
  const policy = clusterPolicy();
  const idx = RbacIndex.from({
    ...policy,
    clusterRoles: [...policy.clusterRoles, clusterRole('bind-view', [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['view'] }])],
    roleBindings: [...policy.roleBindings, roleBinding('team-c', 'frank-binds-view', { kind: 'ClusterRole', name: 'bind-view' }, [{ kind: 'User', name: 'frank' }])],
  });
  const binds = (who: UserInfo, namespace: string, roleRef: RoleBinding['roleRef']) =>
    checkBindingEscalation(idx, who, { kind: 'RoleBinding', object: roleBinding(namespace, 'new', roleRef, [{ kind: 'User', name: 'someone' }]) });
  const makesRole = (who: UserInfo, namespace: string, rules: Role['rules']) => checkRoleEscalation(idx, who, { kind: 'Role', object: role(namespace, 'new', rules) });

  t.equal(binds(U.dana, 'team-a', { kind: 'ClusterRole', name: 'edit' }).allowed, true, 'admin of team-a binds edit there (holds it)');
  t.equal(binds(U.dana, 'team-a', { kind: 'ClusterRole', name: 'admin' }).allowed, true, 'and admin itself');
  const up = binds(U.dana, 'team-a', { kind: 'ClusterRole', name: 'cluster-admin' });
  t.equal(up.allowed, false, 'but not cluster-admin');
  t.match(up.reason, /^user "dana" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held: \{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
  t.equal(binds(U.dana, 'team-b', { kind: 'ClusterRole', name: 'view' }).allowed, false, 'nothing in team-b');
  t.equal(
    checkBindingEscalation(idx, U.dana, { kind: 'ClusterRoleBinding', object: crb('dana-view', 'view', [{ kind: 'User', name: 'dana' }]) }).allowed,
    false,
    'no cluster-wide view from a namespace admin',
  );
  t.equal(binds(U.frank, 'team-c', { kind: 'ClusterRole', name: 'view' }).allowed, true, 'frank may bind view in team-c without holding it');
  t.equal(binds(U.frank, 'team-c', { kind: 'ClusterRole', name: 'edit' }).allowed, false, 'but only view');
  t.match(binds(U.dana, 'team-a', { kind: 'Role', name: 'nope' }), { allowed: false, reason: /role\.rbac\.authorization\.k8s\.io "nope" not found/ });
  t.equal(checkBindingEscalation(idx, U.admin, { kind: 'ClusterRoleBinding', object: crb('x', 'cluster-admin', [{ kind: 'User', name: 'x' }]) }).allowed, true, 'system:masters may bind anything');

  t.equal(makesRole(U.dana, 'team-a', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }]).allowed, true, 'a role within what dana holds');
  t.equal(makesRole(U.dana, 'team-a', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['one'] }]).allowed, true, 'narrower by name');
  t.equal(makesRole(U.dana, 'team-a', [{ verbs: ['*'], apiGroups: [''], resources: ['secrets'] }]).allowed, false, '"*" is only covered by "*"');
  t.equal(makesRole(U.dana, 'team-a', [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]).allowed, false, 'nodes: not held by a namespace admin');
  t.equal(makesRole(U.carol, 'default', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'] }]).allowed, true, 'carol holds this named configmap');
  t.equal(makesRole(U.carol, 'default', [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]).allowed, false, 'but not every configmap');
  t.equal(makesRole(U.carol, 'default', [{ verbs: ['update'], apiGroups: [''], resources: ['pods/status'] }]).allowed, true, 'subresource held');
  t.equal(makesRole(U.carol, 'default', [{ verbs: ['update'], apiGroups: [''], resources: ['pods'] }]).allowed, false, 'the object is not');
  const cr = (rules: ClusterRole['rules']) => checkRoleEscalation(idx, U.dana, { kind: 'ClusterRole', object: clusterRole('new', rules) });
  t.equal(cr([{ verbs: ['get'], nonResourceURLs: ['/version'] }]).allowed, true, 'discovery URLs are held by every authenticated user');
  t.equal(cr([{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]).allowed, false, '/metrics is not');
});
