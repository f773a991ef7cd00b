// NodeRestriction: what a node may write into its own Node; and the whole authorization chain.
import t from 'tap';
import type { NodeLike } from '../../../control-plane/apiserver/security/index.js';
import { ClusterAuthorizer, NodeGraph, RbacIndex, admitNodeWrite, defaultRbacPolicy, nodeMaySetLabel, resourceRequest as req } from '../../../control-plane/apiserver/security/index.js';
import { node, user } from './fixtures.js';

const A = node('node-a');
const nodeObj = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): NodeLike => ({ metadata: { name, labels }, spec: { taints } });
const update = req({ verb: 'update', resource: 'nodes', name: 'node-a' });
const create = req({ verb: 'create', resource: 'nodes', name: 'node-a' });
const base = { 'kubernetes.io/hostname': 'node-a', 'kubernetes.io/arch': 'arm64' };

t.test('node restriction - labels a node may and may not set', async (t) => {
  const rows: [string, boolean][] = [
    ['kubernetes.io/hostname', true],
    ['topology.kubernetes.io/zone', true],
    ['node.kubernetes.io/instance-type', true],
    ['kubelet.kubernetes.io/anything', true],
    ['example.com/rack', true],
    ['plain', true],
    ['node-role.kubernetes.io/control-plane', false],
    ['node-restriction.kubernetes.io/secure', false],
    ['kubernetes.io/role', false],
    ['k8s.io/anything', false],
    ['foo.k8s.io/x', false],
  ];
  for (const [key, ok] of rows) t.equal(nodeMaySetLabel(key), ok, key);
});

t.test('node restriction - a node writes only its own Node, no reserved labels, no taint changes', async (t) => {
  t.same(admitNodeWrite(A, create, nodeObj('node-a', { ...base, 'example.com/rack': 'r1' }, [{ key: 'k', effect: 'NoSchedule' }]), undefined), { allowed: true }, 'create with its labels and taints');
  t.match(admitNodeWrite(A, create, nodeObj('node-a', { ...base, 'node-role.kubernetes.io/control-plane': '' }), undefined), {
    allowed: false,
    reason: /node "node-a" is not allowed to set or modify the labels "node-role.kubernetes.io\/control-plane"/,
  });
  const old = nodeObj('node-a', { ...base, 'node-restriction.kubernetes.io/pool': 'secure' }, [{ key: 'k', effect: 'NoSchedule' }]);
  t.same(admitNodeWrite(A, update, nodeObj('node-a', { ...base, 'node-restriction.kubernetes.io/pool': 'secure', 'example.com/x': 'y' }, [{ key: 'k', effect: 'NoSchedule' }]), old), { allowed: true }, 'keeping an admin label is fine');
  t.match(admitNodeWrite(A, update, nodeObj('node-a', base, [{ key: 'k', effect: 'NoSchedule' }]), old), { allowed: false, reason: /"node-restriction.kubernetes.io\/pool"/ }, 'removing it is not');
  t.match(admitNodeWrite(A, update, nodeObj('node-a', { ...base, 'node-restriction.kubernetes.io/pool': 'secure' }, []), old), { allowed: false, reason: /not allowed to modify its taints/ });
  t.match(admitNodeWrite(A, update, nodeObj('node-b', base), nodeObj('node-b', base)), { allowed: false, reason: /not allowed to modify node "node-b"/ });
  t.same(admitNodeWrite(user('admin', 'system:masters'), update, nodeObj('node-a', { 'node-role.kubernetes.io/control-plane': '' }), old), { allowed: true }, 'not a node: not this plugin\'s business');
  t.same(admitNodeWrite(A, req({ verb: 'update', resource: 'pods', namespace: 'd', name: 'p' }), nodeObj('x'), undefined), { allowed: true }, 'other resources pass');
});

t.test('cluster authorizer - node first, then RBAC, with Kubernetes\' message', async (t) => {
  const graph = new NodeGraph();
  graph.upsertPod({ metadata: { namespace: 'default', name: 'p' }, spec: { nodeName: 'node-a', volumes: [{ secret: { secretName: 's' } }] } });
  const authz = new ClusterAuthorizer(RbacIndex.from(defaultRbacPolicy()), graph);
  const get = req({ verb: 'get', resource: 'secrets', namespace: 'default', name: 's' });
  t.equal(authz.forbidden(A, get), undefined);
  t.equal(
    authz.forbidden(node('node-b'), get),
    'secrets "s" is forbidden: User "system:node:node-b" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'node-b\' and secrets "default/s"',
  );
  t.equal(authz.forbidden(user('root', 'system:masters'), get), undefined);
  t.equal(
    authz.forbidden(user('alice'), req({ verb: 'list', resource: 'pods', namespace: 'default' })),
    'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default": none of the 3 RBAC binding(s) that apply to the user grants it',
  );
});
