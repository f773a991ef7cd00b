// The small pure pieces that wire security into the API server: who may ask without
// credentials (C2), the audit line of a request record, and the objects ensured at start.
import t from 'tap';
import pino from 'pino';
import { registry } from '../../../api/index.js';
import { kindLookup } from '../../../control-plane/apiserver/kinds.js';
import { auditEventOf } from '../../../control-plane/apiserver/pipeline/audit.js';
import { anonymousAllowed, ClusterAuthenticator } from '../../../control-plane/apiserver/pipeline/cluster-authentication.js';
import { AuthorizationMode, bootstrapPolicyObjects, CLUSTER_INFO_READER, ClusterSecurity } from '../../../control-plane/apiserver/cluster-security.js';
import { RbacIndex, RbacAuthorizer, resourceRequest } from '../../../control-plane/apiserver/security/index.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../../control-plane/apiserver/security/index.js';

t.test('security wiring - anonymous access is cluster-info only (C2)', async (t) => {
  const target = (verb: string, resource: string, namespace: string, name: string) => ({ verb, resource, namespace, name });
  t.ok(anonymousAllowed(target('get', 'configmaps', 'kube-public', 'cluster-info')));
  t.notOk(anonymousAllowed(target('list', 'configmaps', 'kube-public', '')));
  t.notOk(anonymousAllowed(target('get', 'configmaps', 'default', 'cluster-info')));
  t.notOk(anonymousAllowed(target('get', 'secrets', 'kube-public', 'cluster-info')));
  t.notOk(anonymousAllowed(undefined), 'calls without a target (Cluster service) need credentials');
  const authn = new ClusterAuthenticator({ clientCas: [], tokens: [], now: () => new Date(), authorize: () => ({ allowed: true, reason: '' }), log: pino({ level: 'silent' }) });
  await t.rejects(authn.authenticate({ metadata: {}, peer: 'ipv4:127.0.0.1:1', target: target('get', 'pods', 'default', 'x') }), { code: 16 });
  t.match(await authn.authenticate({ metadata: {}, peer: 'ipv4:127.0.0.1:1', target: target('get', 'configmaps', 'kube-public', 'cluster-info') }), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  await t.rejects(authn.authenticate({ metadata: { authorization: ['Basic abc'] }, peer: 'p', target: target('get', 'configmaps', 'kube-public', 'cluster-info') }), { code: 16 }, 'bad credentials are refused even for cluster-info');
  await t.rejects(authn.authenticate({ metadata: { 'impersonate-group': ['g'] }, peer: 'p', target: target('get', 'configmaps', 'kube-public', 'cluster-info') }), { code: 3 }, 'impersonate-group needs impersonate-user');
});

t.test('security wiring - audit event of a request record', async (t) => {
  const kinds = kindLookup(registry.kinds);
  const time = new Date('2026-12-04T10:00:00Z');
  const denied = auditEventOf(
    { target: { verb: 'create', resource: 'deployments', namespace: 'a', createName: 'web' }, user: { name: 'alice', groups: ['system:authenticated'] }, code: 'PERMISSION_DENIED', message: 'deployments.apps is forbidden', peer: 'ipv4:127.0.0.1:5', latencyMs: 1.5 },
    { kinds, time, requestId: 'r1' },
  );
  t.match(denied, { user: 'alice', verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'a', name: 'web', allowed: false, code: 7, reason: 'deployments.apps is forbidden', sourceAddress: 'ipv4:127.0.0.1:5', requestId: 'r1' });
  const ok = auditEventOf({ target: { verb: 'get', resource: 'pods', namespace: 'a', name: 'p' }, user: undefined, code: 'NOT_FOUND', message: 'pods "p" not found', peer: 'x', latencyMs: 1 }, { kinds, time, requestId: 'r2' });
  t.match(ok, { allowed: true, reason: '', code: 5, user: '' }, 'a failure past authorization counts as allowed');
});

t.test('security wiring - the objects ensured at start grant what C2 and the default roles promise', async (t) => {
  const objects = bootstrapPolicyObjects();
  const of = <T>(resource: string): T[] => objects.filter(([r]) => r === resource).map(([, o]) => o as unknown as T);
  t.notOk(objects.some(([, o]) => 'aggregationRule' in o), 'stored without aggregationRule');
  const index = RbacIndex.from({ roles: of<Role>('roles'), clusterRoles: of<ClusterRole>('clusterroles'), roleBindings: of<RoleBinding>('rolebindings'), clusterRoleBindings: of<ClusterRoleBinding>('clusterrolebindings') });
  const rbac = new RbacAuthorizer(index);
  const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  t.equal(rbac.authorize(anonymous, resourceRequest({ verb: 'get', resource: 'configmaps', namespace: 'kube-public', name: 'cluster-info' })).decision, 'allow', `${CLUSTER_INFO_READER} lets anyone read cluster-info`);
  t.not(rbac.authorize(anonymous, resourceRequest({ verb: 'get', resource: 'configmaps', namespace: 'kube-public', name: 'other' })).decision, 'allow', 'but nothing else');
  t.equal(rbac.authorize({ name: 'x', groups: ['system:masters'] }, resourceRequest({ verb: 'delete', resource: 'nodes', name: 'n' })).decision, 'allow', 'system:masters is cluster-admin');
  t.equal(rbac.authorize({ name: 'u', groups: ['system:authenticated'] }, resourceRequest({ verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' })).decision, 'allow', 'everyone may ask can-i');
});

t.test('security wiring - before the RBAC state is loaded, decisions are UNAVAILABLE (fail over), not denials', async (t) => {
  const security = new ClusterSecurity({ clientCas: [], authorizationMode: AuthorizationMode.NodeRBAC }, { clock: { now: () => new Date() }, log: pino({ level: 'silent' }), kinds: kindLookup(registry.kinds) });
  const admin = { name: 'shoal-admin', groups: ['system:masters', 'system:authenticated'] };
  // What a Cluster call (shoalctl members) asks; a restarted host answered it "forbidden".
  t.throws(() => security.decide(admin, { kind: 'nonResource', verb: 'get', path: '/members' }), { code: 14 });
  t.throws(() => security.decide(admin, resourceRequest({ verb: 'list', resource: 'componentstatuses' })), { code: 14 });
  const open = new ClusterSecurity({ clientCas: [], authorizationMode: AuthorizationMode.AlwaysAllow }, { clock: { now: () => new Date() }, log: pino({ level: 'silent' }), kinds: kindLookup(registry.kinds) });
  t.match(open.decide(admin, { kind: 'nonResource', verb: 'get', path: '/members' }), { allowed: true }, 'AlwaysAllow has nothing to load');
});
