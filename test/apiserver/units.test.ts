// Pure pieces of the API server: delete decisions, merge patch, continue tokens, the API flags.
import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import { decideDelete, shouldDeleteDuringUpdate } from '../../control-plane/apiserver/registry/deletion.js';
import { mergePatch } from '../../control-plane/apiserver/registry/merge-patch.js';
import { decodeContinue, encodeContinue } from '../../control-plane/apiserver/registry/continue-token.js';
import { loadApiConfig } from '../../control-plane/apiserver/config.js';
import { leaseStatus } from '../../control-plane/apiserver/cluster-service.js';

const now = new Date('2026-01-01T00:00:00Z');
const obj = (meta: Partial<KubeObject['metadata']> = {}, spec: unknown = {}, status: unknown = undefined): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x', ...meta }, spec, ...(status !== undefined ? { status } : {}) });

t.test('apiserver - delete decisions (Kubernetes rules)', async (t) => {
  const bg = { grace: undefined, policy: 'Background' as const, now };
  t.same(decideDelete('configmaps', obj(), bg), { action: 'delete' }, 'no finalizers, no grace: gone');
  const fin = decideDelete('configmaps', obj({ finalizers: ['a'] }), bg);
  t.equal(fin.action, 'mark');
  t.same(fin.action === 'mark' && fin.object.metadata, { name: 'x', finalizers: ['a'], deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 });
  t.same(decideDelete('pods', obj({}, { terminationGracePeriodSeconds: 30 }), bg), { action: 'delete' }, 'an unbound pod goes at once');
  const bound = decideDelete('pods', obj({}, { nodeName: 'n1', terminationGracePeriodSeconds: 30 }), bg);
  t.same(bound.action === 'mark' && bound.object.metadata, { name: 'x', deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 }, 'a bound pod is marked for its grace period');
  t.same(decideDelete('pods', obj({}, { nodeName: 'n1' }), { ...bg, grace: 0 }), { action: 'delete' }, 'grace 0 forces');
  t.same(decideDelete('pods', obj({}, { nodeName: 'n1' }, { phase: 'Succeeded' }), bg), { action: 'delete' }, 'a finished pod goes at once');
  const defaulted = decideDelete('pods', obj({}, { nodeName: 'n1' }), bg);
  t.equal(defaulted.action === 'mark' && defaulted.object.metadata.deletionGracePeriodSeconds, 30, 'default grace 30 s');
  const marked = obj({ deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 }, { nodeName: 'n1' });
  t.same(decideDelete('pods', marked, bg), { action: 'none' }, 'deleting again changes nothing');
  t.same(decideDelete('pods', marked, { ...bg, grace: 0 }), { action: 'delete' }, 'the agent\'s grace-0 delete removes it');
  const shorter = decideDelete('pods', marked, { ...bg, grace: 5 });
  t.same(shorter.action === 'mark' && shorter.object.metadata, { name: 'x', deletionTimestamp: '2026-01-01T00:00:05Z', deletionGracePeriodSeconds: 5 });
  const withFin = decideDelete('pods', { ...marked, metadata: { ...marked.metadata, finalizers: ['f'] } }, { ...bg, grace: 0 });
  t.equal(withFin.action === 'mark' && withFin.object.metadata.deletionGracePeriodSeconds, 0, 'grace 0 with finalizers: marked with grace 0');
  const orphan = decideDelete('configmaps', obj(), { ...bg, policy: 'Orphan' });
  t.same(orphan.action === 'mark' && orphan.object.metadata.finalizers, ['orphan']);
  const fg = decideDelete('configmaps', obj(), { ...bg, policy: 'Foreground' });
  t.same(fg.action === 'mark' && fg.object.metadata.finalizers, ['foregroundDeletion']);
  const ns = decideDelete('namespaces', obj({}, { finalizers: ['kubernetes'] }, { phase: 'Active' }), bg);
  t.same(ns.action === 'mark' && ns.object.status, { phase: 'Terminating' });
  t.same(decideDelete('namespaces', obj({ deletionTimestamp: 'x' }, { finalizers: ['kubernetes'] }), bg), { action: 'none' });
  t.same(decideDelete('namespaces', obj({ deletionTimestamp: 'x' }, { finalizers: [] }), bg), { action: 'delete' });
  t.throws(() => decideDelete('pods', obj(), { ...bg, grace: -1 }), /grace_period_seconds must be >= 0/);

  t.equal(shouldDeleteDuringUpdate('configmaps', obj(), obj({ deletionTimestamp: 'x', deletionGracePeriodSeconds: 0, finalizers: ['a'] })), true);
  t.equal(shouldDeleteDuringUpdate('configmaps', obj({ finalizers: ['a'] }), obj({ deletionTimestamp: 'x', deletionGracePeriodSeconds: 0, finalizers: ['a', 'b'] })), false);
  t.equal(shouldDeleteDuringUpdate('pods', obj(), obj({ deletionTimestamp: 'x', deletionGracePeriodSeconds: 30, finalizers: ['a'] })), false, 'a pod in its grace period waits for the agent');
  t.equal(shouldDeleteDuringUpdate('configmaps', obj(), obj()), false, 'not being deleted');
  t.equal(shouldDeleteDuringUpdate('namespaces', obj({}, { finalizers: [] }), obj({ deletionTimestamp: 'x' }, { finalizers: ['kubernetes'] })), true);
});

t.test('apiserver - JSON merge patch (RFC 7386 examples)', async (t) => {
  t.same(mergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
  t.same(mergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
  t.same(mergePatch({ a: 'b' }, { a: null }), {});
  t.same(mergePatch({ a: 'b', b: 'c' }, { a: null }), { b: 'c' });
  t.same(mergePatch({ a: ['b'] }, { a: 'c' }), { a: 'c' });
  t.same(mergePatch({ a: 'c' }, { a: ['b'] }), { a: ['b'] });
  t.same(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } }), { a: { b: 'd' } });
  t.same(mergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  t.same(mergePatch(['a', 'b'], ['c', 'd']), ['c', 'd']);
  t.same(mergePatch({ a: 'b' }, ['c']), ['c']);
  t.same(mergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
  t.same(mergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
});

t.test('apiserver - continue tokens', async (t) => {
  const tok = encodeContinue({ rv: 42, start: '/registry/pods/default/b\0' });
  t.same(decodeContinue(tok, '/registry/pods/default/'), { rv: 42, start: '/registry/pods/default/b\0' });
  t.throws(() => decodeContinue(tok, '/registry/secrets/'), /belongs to another list/);
  t.throws(() => decodeContinue('!!!', '/registry/pods/'), /invalid continue token/);
  t.throws(() => decodeContinue(Buffer.from('{"v":1,"rv":-1,"start":"/registry/pods/"}').toString('base64url'), '/registry/pods/'), /invalid continue token/);
});

t.test('apiserver - --api-* flags', async (t) => {
  t.same(loadApiConfig(['--name', 'a']), { api: undefined, storeArgv: ['--name', 'a'] }, 'no API flags: a bare store');
  t.match(loadApiConfig(['--api-listen-address', '127.0.0.1:6443', '--name=a', '--api-http-listen-address=127.0.0.1:6444', '--api-store-endpoints', 'http://127.0.0.1:2379, http://127.0.0.1:22379']), {
    api: { listenAddress: '127.0.0.1:6443', httpListenAddress: '127.0.0.1:6444', storeEndpoints: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'], security: { anonymousAdmin: true, authorizationMode: 'AlwaysAllow', tls: undefined }, controlLoops: false, schedulerConfig: undefined, controllerManagerConfig: undefined, serviceAccountPrivateKeyFile: undefined },
    storeArgv: ['--name=a'],
  });
  t.equal(loadApiConfig(['--api-listen-address', '127.0.0.1:6443', '--control-loops=true']).api?.controlLoops, true, '--control-loops=true');
  t.match(
    loadApiConfig(['--api-listen-address', '127.0.0.1:6443', '--control-loops=true', '--scheduler-config', '/etc/shoal/scheduler.conf', '--controller-manager-config=/etc/shoal/cm.conf', '--service-account-private-key-file', '/etc/shoal/pki/sa.key']).api,
    { controlLoops: true, schedulerConfig: '/etc/shoal/scheduler.conf', controllerManagerConfig: '/etc/shoal/cm.conf', serviceAccountPrivateKeyFile: '/etc/shoal/pki/sa.key' },
    'the loops\' client configs and the service-account signing key',
  );
  t.same(loadApiConfig(['--api-listen-address', '[::1]:6443']).api?.listenAddress, '[::1]:6443');
  const bad: [string[], RegExp][] = [
    [['--api-listen-address', 'localhost'], /is not HOST:PORT/],
    [['--api-listen-address', '127.0.0.1:70000'], /out of range/],
    [['--api-listen-address'], /needs a value/],
    [['--api-http-listen-address', '127.0.0.1:6444'], /needs --api-listen-address/],
    [['--api-listen-address', '127.0.0.1:6443', '--api-store-endpoints', ''], /at least one URL/],
    [['--api-listen-address', '127.0.0.1:6443', '--api-store-endpoints', 'https://h:2379'], /needs --api-store-cafile/],
    [['--api-listen-address', '127.0.0.1:6443', '--api-http-listen-address', '127.0.0.1:6443'], /must differ/],
    [['--api-listen-address', '127.0.0.1:6443', '--control-loops', 'yes'], /--control-loops: expected true or false, got "yes"/],
    [['--control-loops=true'], /needs --api-listen-address/],
    [['--scheduler-config', 'f'], /--scheduler-config needs --api-listen-address/],
    [['--api-listen-address', '127.0.0.1:6443', '--scheduler-config', 'f'], /--scheduler-config needs --control-loops=true/],
    [['--api-listen-address', '127.0.0.1:6443', '--control-loops=false', '--service-account-private-key-file', 'k'], /--service-account-private-key-file needs --control-loops=true/],
    [['--api-listen-address', '127.0.0.1:6443', '--control-loops=true', '--controller-manager-config='], /--controller-manager-config: expected a file path/],
    [['--api-listen-address', '127.0.0.1:6443', '--control-loops=true', '--scheduler-config'], /--scheduler-config needs a value/],
  ];
  for (const [argv, message] of bad) t.throws(() => loadApiConfig(argv), message, argv.join(' '));
});

t.test('apiserver - security flags (C1)', async (t) => {
  const files = new Set(['/pki/api.crt', '/pki/api.key', '/pki/ca.crt', '/pki/sa.pub', '/pki/enc.yaml', '/pki/store.crt', '/pki/store.key']);
  const exists = (p: string): boolean => files.has(p);
  const base = ['--api-listen-address', '127.0.0.1:6443'];
  const tls = ['--api-tls-cert-file', '/pki/api.crt', '--api-tls-private-key-file', '/pki/api.key'];
  const load = (argv: string[]) => loadApiConfig([...base, ...argv], exists).api!.security;
  t.match(load([...tls, '--api-client-ca-file', '/pki/ca.crt']), { authorizationMode: 'Node,RBAC', anonymousAdmin: false, tls: { certFile: '/pki/api.crt', keyFile: '/pki/api.key' }, serviceAccountIssuer: 'shoal' }, 'a client CA turns on Node,RBAC');
  t.match(load(tls), { authorizationMode: 'AlwaysAllow', anonymousAdmin: false }, 'TLS alone: tokens, AlwaysAllow, no anonymous admin');
  t.match(load(['--api-audit-log-path', '/var/log/audit.log', '--api-audit-log-maxsize', '5']), { audit: { path: '/var/log/audit.log', maxSizeMb: 5, maxBackups: 3 } });
  t.match(load(['--api-anonymous-admin']), { anonymousAdmin: true }, 'a bare boolean flag means true');
  t.match(loadApiConfig([...base, '--api-store-endpoints', 'https://127.0.0.1:2379', '--api-store-cafile', '/pki/ca.crt', '--api-store-certfile', '/pki/store.crt', '--api-store-keyfile', '/pki/store.key'], exists).api, {
    storeEndpoints: ['https://127.0.0.1:2379'],
    security: { store: { caFile: '/pki/ca.crt', certFile: '/pki/store.crt', keyFile: '/pki/store.key' } },
  });
  const bad: [string[], RegExp][] = [
    [['--api-tls-cert-file', '/pki/api.crt'], /--api-tls-private-key-file is required with --api-tls-cert-file/],
    [['--api-tls-cert-file', '/pki/missing.crt', '--api-tls-private-key-file', '/pki/api.key'], /--api-tls-cert-file: file \/pki\/missing.crt not found/],
    [['--api-client-ca-file', '/pki/ca.crt'], /needs --api-tls-cert-file/],
    [[...tls, '--api-authorization-mode', 'RBAC'], /"RBAC" is not one of AlwaysAllow, Node,RBAC/],
    [[...tls, '--api-anonymous-admin=true'], /dev mode only/],
    [['--api-anonymous-admin', 'maybe'], /not true or false/],
    [['--api-audit-log-maxsize', '5'], /needs --api-audit-log-path/],
    [['--api-audit-log-path', '/a.log', '--api-audit-log-maxsize', '0'], /whole number >= 1/],
    [['--api-store-certfile', '/pki/store.crt'], /--api-store-keyfile is required/],
    [['--api-store-cafile', '/pki/ca.crt', '--api-store-endpoints', 'http://127.0.0.1:2379'], /is not https:\/\//],
    [['--api-cluster-signing-cert-file', '/pki/ca.crt'], /--api-cluster-signing-key-file is required/],
  ];
  for (const [argv, message] of bad) t.throws(() => loadApiConfig([...base, ...argv], exists), message, argv.join(' '));
  t.throws(() => loadApiConfig(['--api-tls-cert-file', '/pki/api.crt'], exists), /needs --api-listen-address/, 'security flags need the API');
});

t.test('apiserver - component health from leases', async (t) => {
  const lease = (renewTime: string, holder = 'sched-1'): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-scheduler' }, spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime } });
  t.same(leaseStatus('scheduler', undefined, now), { name: 'scheduler', healthy: false, message: '', error: 'no leader elected yet' });
  t.same(leaseStatus('scheduler', lease('2025-12-31T23:59:50.000000Z'), now), { name: 'scheduler', healthy: true, message: 'ok (leader sched-1)', error: '' });
  t.match(leaseStatus('scheduler', lease('2025-12-31T23:59:00Z'), now), { healthy: false, error: /last renewed its lease 60s ago/ });
  t.match(leaseStatus('scheduler', lease('2025-12-31T23:59:50Z', ''), now), { healthy: false, error: 'no leader elected yet' });
});
