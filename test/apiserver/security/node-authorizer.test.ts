// The node authorizer: a node reads what its own pods need and writes only its own objects.
import t from 'tap';
import type { PodLike, RequestAttributes, UserInfo } from '../../../control-plane/apiserver/security/index.js';
import {
  NodeAuthorizer,
  NodeGraph,
  RbacAuthorizer,
  RbacIndex,
  authorizeInOrder,
  defaultRbacPolicy,
  parseFieldSelector,
  podReferences,
  resourceRequest as req,
} from '../../../control-plane/apiserver/security/index.js';
import { node, user } from './fixtures.js';

const webA: PodLike = {
  metadata: { namespace: 'default', name: 'web-a' },
  spec: {
    nodeName: 'node-a',
    serviceAccountName: 'web',
    imagePullSecrets: [{ name: 'regcred' }],
    volumes: [{ configMap: { name: 'web-config' } }, { persistentVolumeClaim: { claimName: 'data' } }, { projected: { sources: [{ secret: { name: 'tls' } }] } }],
    containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'db-pass' } } }] }],
  },
};
const webB: PodLike = {
  metadata: { namespace: 'default', name: 'web-b' },
  spec: {
    nodeName: 'node-b',
    imagePullSecrets: [{ name: 'regcred' }],
    volumes: [{ secret: { secretName: 'b-secret' } }],
    initContainers: [{ envFrom: [{ configMapRef: { name: 'shared' } }] }],
  },
};
const pending: PodLike = { metadata: { namespace: 'default', name: 'pending' }, spec: { volumes: [{ secret: { secretName: 'pending-secret' } }] } };
const otherNs: PodLike = { metadata: { namespace: 'other', name: 'job' }, spec: { nodeName: 'node-a', containers: [{ envFrom: [{ secretRef: { name: 'other-secret' } }] }] } };

function graph(): NodeGraph {
  const g = new NodeGraph();
  for (const p of [webA, webB, pending, otherNs]) g.upsertPod(p);
  return g;
}

const A = node('node-a');
const B = node('node-b');
const lease = (verb: string, name: string, namespace = 'kube-node-lease'): RequestAttributes => req({ verb, apiGroup: 'coordination.k8s.io', resource: 'leases', namespace, name });

type Row = [description: string, who: UserInfo, attrs: RequestAttributes, allowed: boolean];
const rows: Row[] = [
  // pods
  ['A gets its own pod', A, req({ verb: 'get', resource: 'pods', namespace: 'default', name: 'web-a' }), true],
  ['A cannot get B\'s pod', A, req({ verb: 'get', resource: 'pods', namespace: 'default', name: 'web-b' }), false],
  ['A cannot get an unbound pod', A, req({ verb: 'get', resource: 'pods', namespace: 'default', name: 'pending' }), false],
  ['A lists pods with spec.nodeName=node-a', A, req({ verb: 'list', resource: 'pods', fieldSelector: 'spec.nodeName=node-a' }), true],
  ['A watches pods with spec.nodeName==node-a and more terms', A, req({ verb: 'watch', resource: 'pods', fieldSelector: 'status.phase!=Failed,spec.nodeName==node-a' }), true],
  ['A cannot list pods with spec.nodeName=node-b', A, req({ verb: 'list', resource: 'pods', fieldSelector: 'spec.nodeName=node-b' }), false],
  ['A cannot list all pods', A, req({ verb: 'list', resource: 'pods' }), false],
  ['A cannot list pods with spec.nodeName!=node-a', A, req({ verb: 'list', resource: 'pods', fieldSelector: 'spec.nodeName!=node-a' }), false],
  ['A deletes its own pod', A, req({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'web-a' }), true],
  ['A cannot delete B\'s pod', A, req({ verb: 'delete', resource: 'pods', namespace: 'default', name: 'web-b' }), false],
  ['A cannot create pods', A, req({ verb: 'create', resource: 'pods', namespace: 'default' }), false],
  ['A cannot update its pod\'s spec', A, req({ verb: 'update', resource: 'pods', namespace: 'default', name: 'web-a' }), false],
  ['A updates its pod\'s status', A, req({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web-a' }), true],
  ['A patches its pod\'s status', A, req({ verb: 'patch', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web-a' }), true],
  ['A cannot write B\'s pod status', A, req({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web-b' }), false],
  ['B writes its pod status', B, req({ verb: 'patch', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web-b' }), true],
  ['A cannot bind pods', A, req({ verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'default', name: 'pending' }), false],
  // secrets, configmaps, pvcs referenced by its pods
  ['A reads its pod\'s env secret', A, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'db-pass' }), true],
  ['A reads its pod\'s projected secret', A, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'tls' }), true],
  ['A reads its pod\'s image pull secret', A, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'regcred' }), true],
  ['A watches one referenced secret by name', A, req({ verb: 'watch', resource: 'secrets', namespace: 'default', name: 'db-pass' }), true],
  ['A cannot read B\'s pod\'s secret', A, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'b-secret' }), false],
  ['A cannot read an unbound pod\'s secret', A, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'pending-secret' }), false],
  ['A cannot read a same-named secret in another namespace', A, req({ verb: 'get', resource: 'secrets', namespace: 'kube-system', name: 'db-pass' }), false],
  ['A reads other/other-secret (its pod in other)', A, req({ verb: 'get', resource: 'secrets', namespace: 'other', name: 'other-secret' }), true],
  ['A cannot list secrets', A, req({ verb: 'list', resource: 'secrets', namespace: 'default' }), false],
  ['A cannot update a referenced secret', A, req({ verb: 'update', resource: 'secrets', namespace: 'default', name: 'db-pass' }), false],
  ['A reads its pod\'s configmap', A, req({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'web-config' }), true],
  ['A cannot read B\'s configmap', A, req({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'shared' }), false],
  ['B reads its init container\'s configmap', B, req({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'shared' }), true],
  ['A reads its pod\'s PVC', A, req({ verb: 'get', resource: 'persistentvolumeclaims', namespace: 'default', name: 'data' }), true],
  ['A reads its pod\'s service account', A, req({ verb: 'get', resource: 'serviceaccounts', namespace: 'default', name: 'web' }), true],
  ['A requests a token for its pod\'s service account', A, req({ verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'web' }), true],
  ['B cannot request a token for A\'s pod\'s service account', B, req({ verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'default', name: 'web' }), false],
  ['A cannot update the service account', A, req({ verb: 'update', resource: 'serviceaccounts', namespace: 'default', name: 'web' }), false],
  ['B cannot read A\'s PVC', B, req({ verb: 'get', resource: 'persistentvolumeclaims', namespace: 'default', name: 'data' }), false],
  // cluster-wide reads
  ['A lists services', A, req({ verb: 'list', resource: 'services' }), true],
  ['A watches endpoints', A, req({ verb: 'watch', resource: 'endpoints' }), true],
  ['A lists endpointslices', A, req({ verb: 'list', apiGroup: 'discovery.k8s.io', resource: 'endpointslices' }), true],
  ['A cannot create services', A, req({ verb: 'create', resource: 'services', namespace: 'default' }), false],
  ['A reads nodes', A, req({ verb: 'get', resource: 'nodes', name: 'node-b' }), true],
  // own node, lease
  ['A creates its own Node', A, req({ verb: 'create', resource: 'nodes', name: 'node-a' }), true],
  ['A updates its own Node', A, req({ verb: 'update', resource: 'nodes', name: 'node-a' }), true],
  ['A patches its own node status', A, req({ verb: 'patch', resource: 'nodes', subresource: 'status', name: 'node-a' }), true],
  ['A cannot update node B', A, req({ verb: 'update', resource: 'nodes', name: 'node-b' }), false],
  ['A cannot patch node B\'s status', A, req({ verb: 'patch', resource: 'nodes', subresource: 'status', name: 'node-b' }), false],
  ['A cannot create a Node without a name', A, req({ verb: 'create', resource: 'nodes' }), false],
  ['A cannot delete its own Node', A, req({ verb: 'delete', resource: 'nodes', name: 'node-a' }), false],
  ['A creates its own lease', A, lease('create', 'node-a'), true],
  ['A updates its own lease', A, lease('update', 'node-a'), true],
  ['A cannot update B\'s lease', A, lease('update', 'node-b'), false],
  ['A cannot write a lease named node-a in kube-system', A, lease('update', 'node-a', 'kube-system'), false],
  ['A cannot list leases', A, req({ verb: 'list', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }), false],
  // events, CSRs, everything else
  ['A creates events', A, req({ verb: 'create', resource: 'events', namespace: 'default' }), true],
  ['A creates events.k8s.io events', A, req({ verb: 'create', apiGroup: 'events.k8s.io', resource: 'events', namespace: 'default' }), true],
  ['A cannot delete events', A, req({ verb: 'delete', resource: 'events', namespace: 'default', name: 'e' }), false],
  ['A creates a CSR', A, req({ verb: 'create', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests' }), true],
  ['A cannot approve a CSR', A, req({ verb: 'update', apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', name: 'c' }), false],
  ['A cannot list deployments', A, req({ verb: 'list', apiGroup: 'apps', resource: 'deployments' }), false],
  ['A cannot create namespaces', A, req({ verb: 'create', resource: 'namespaces' }), false],
  ['A cannot write roles', A, req({ verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }), false],
];

const rbac = new RbacAuthorizer(RbacIndex.from(defaultRbacPolicy()));

t.test('node authorizer - matrix (node authorizer first, then RBAC with the default policy)', async (t) => {
  const chain = [new NodeAuthorizer(graph()), rbac];
  for (const [description, who, attrs, allowed] of rows) {
    const d = authorizeInOrder(chain, who, attrs);
    t.equal(d.allowed, allowed, `${description} (${d.reason})`);
  }
});

t.test('node authorizer - reasons name the node and the object', async (t) => {
  const a = new NodeAuthorizer(graph());
  t.same(a.authorize(A, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'b-secret' })), {
    decision: 'deny',
    reason: 'no relationship found between node \'node-a\' and secrets "default/b-secret"',
  });
  t.same(a.authorize(A, req({ verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'web-b' })), {
    decision: 'deny',
    reason: 'no relationship found between node \'node-a\' and pod "default/web-b"',
  });
  t.match(a.authorize(A, lease('update', 'node-b')).reason, /may only update its own lease \("node-a" in namespace "kube-node-lease"\)/);
  t.match(a.authorize(A, req({ verb: 'list', apiGroup: 'apps', resource: 'deployments' })).reason, /node 'node-a' may not list apps\/deployments/);
  t.match(a.authorize(A, req({ verb: 'list', resource: 'pods' })).reason, /spec\.nodeName=node-a/);
});

t.test('node authorizer - no opinion on users that are not nodes, and on URLs', async (t) => {
  const a = new NodeAuthorizer(graph());
  const get = req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'db-pass' });
  t.equal(a.authorize(user('alice'), get).decision, 'no-opinion');
  t.equal(a.authorize({ name: 'system:node:node-a', groups: ['system:authenticated'] }, get).decision, 'no-opinion', 'a node name without group system:nodes is not a node');
  t.equal(a.authorize({ name: 'mallory', groups: ['system:nodes'] }, get).decision, 'no-opinion', 'group system:nodes without a node name is not a node');
  t.equal(a.authorize(A, { kind: 'nonResource', verb: 'get', path: '/version' }).decision, 'no-opinion');
  t.ok(authorizeInOrder([a, rbac], A, { kind: 'nonResource', verb: 'get', path: '/version' }).allowed, 'RBAC grants nodes discovery');
});

t.test('node authorizer - the graph follows pod events', async (t) => {
  const g = graph();
  const a = new NodeAuthorizer(g);
  const allowed = (who: UserInfo, attrs: RequestAttributes): boolean => a.authorize(who, attrs).decision === 'allow';
  const regcred = req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'regcred' });
  const pendingSecret = req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'pending-secret' });
  t.ok(allowed(A, regcred) && allowed(B, regcred), 'a secret used on two nodes is readable by both');

  g.upsertPod({ ...pending, spec: { ...pending.spec, nodeName: 'node-b' } });
  t.ok(allowed(B, pendingSecret), 'pod scheduled to B: B reads its secret');
  t.notOk(allowed(A, pendingSecret), 'A still does not');
  t.ok(allowed(B, req({ verb: 'get', resource: 'pods', namespace: 'default', name: 'pending' })), 'B gets the pod');

  g.deletePod('default', 'web-b');
  t.notOk(allowed(B, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'b-secret' })), 'pod deleted: its secret is closed to B');
  t.notOk(allowed(B, regcred), 'and the shared pull secret too (no other pod of B uses it)');
  t.ok(allowed(A, regcred), 'A keeps it: its own pod still uses it');

  g.upsertPod({ ...webA, spec: { ...webA.spec, containers: [] } });
  t.notOk(allowed(A, req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 'db-pass' })), 'reference removed by an update');
  t.ok(allowed(A, req({ verb: 'get', resource: 'configmaps', namespace: 'default', name: 'web-config' })), 'other references stay');

  g.deletePod('default', 'web-a');
  g.deletePod('default', 'web-a');
  g.deletePod('default', 'pending');
  g.deletePod('other', 'job');
  t.equal(g.podCount(), 0, 'deleting twice is harmless; the graph is empty');
  t.notOk(allowed(A, regcred));
});

t.test('node authorizer - pod references and field selectors', async (t) => {
  t.same(podReferences(webA), { secrets: ['db-pass', 'regcred', 'tls'], configmaps: ['web-config'], persistentvolumeclaims: ['data'], serviceaccounts: ['web'] });
  t.same(podReferences({ metadata: { name: 'bare' } }), { secrets: [], configmaps: [], persistentvolumeclaims: [], serviceaccounts: [] });
  t.same([...parseFieldSelector('spec.nodeName=n1, metadata.name == p ,status.phase!=Failed')], [
    ['spec.nodeName', 'n1'],
    ['metadata.name', 'p'],
  ]);
  t.same([...parseFieldSelector(undefined)], []);
});
