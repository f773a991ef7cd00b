// The secured API server end to end, in process over the in-memory store, TLS on a loopback
// port with certificates from control-plane/pki: who is refused (no credentials, wrong CA,
// expired certificate, expired/deleted bootstrap token, SA token of a deleted SA), the RBAC
// matrix over users, groups and service accounts, the node authorizer, escalation prevention,
// SelfSubjectAccessReview with impersonation, audit lines and secrets encrypted at rest.
import t from 'tap';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { credentials } from '@grpc/grpc-js';
import type { PairPaths } from '../../../control-plane/pki/index.js';
import { AuditWriter, bootstrapTokenSecret, EncryptingStorage, encryptedPrefixes, ENCRYPTED_PREFIX, issueServiceAccountToken, newEncryptionConfig } from '../../../control-plane/apiserver/security/index.js';
import { auditSink } from '../../../control-plane/apiserver/pipeline/audit.js';
import { kindLookup } from '../../../control-plane/apiserver/kinds.js';
import { pemCertificates } from '../../../control-plane/apiserver/security-setup.js';
import { tlsServerCredentials } from '../../../control-plane/apiserver/tls-credentials.js';
import { MemoryStorage } from '../../../control-plane/apiserver/storage/index.js';
import { registry } from '../../../api/index.js';
import pino from 'pino';
import { ApiConn, failure } from '../helpers/api-conn.js';
import type { Obj } from '../helpers/api-conn.js';
import { startInProcess } from '../helpers/in-process-server.js';
import { createTestPki, realPkiDeps } from '../../support/pki.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { realContext } from '../../../cli/real-context.js';
import { runShoalctl } from '../../../cli/run.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;
const RBAC = 'rbac.authorization.k8s.io';
const DAY = 24 * 3600 * 1000;

/** Polls `check` until it returns true (bounded: ~15 s); RBAC and node state follow watch events. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

const allowed = async (p: Promise<unknown>): Promise<boolean> => {
  try {
    await p;
    return true;
  } catch (e) {
    if ((e as { code?: number }).code === PERMISSION_DENIED || (e as { code?: number }).code === UNAUTHENTICATED) return false;
    throw e;
  }
};

t.test('secured API server', async (t) => {
  const pki = await createTestPki(t);
  const other = await createTestPki(t, 'other');
  const serving = await pki.serving('apiserver', { ipAddresses: ['127.0.0.1'] });
  const dir = mkdtempSync(join(tmpdir(), 'shoal-secure-api-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const auditPath = join(dir, 'audit.log');
  const writer = await AuditWriter.open({ path: auditPath, maxBytes: 10 * 1024 * 1024, maxBackups: 1 });
  t.teardown(() => writer.close());
  const sa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const raw = new MemoryStorage();
  const storage = new EncryptingStorage(raw, encryptedPrefixes(newEncryptionConfig('key1')));
  const log = pino({ level: 'silent' });
  const caPem = readFileSync(pki.caPaths.cert);
  const srv = await startInProcess(t, {
    storage,
    options: {
      credentials: tlsServerCredentials({ cert: readFileSync(serving.cert), key: readFileSync(serving.key), clientCa: caPem }),
      security: { clientCas: pemCertificates(caPem.toString()), authorizationMode: 'Node,RBAC', serviceAccount: { publicKeys: [sa.publicKey], issuer: 'shoal' } },
      audit: auditSink((e) => writer.record(e), { kinds: kindLookup(registry.kinds), now: () => new Date(), uuid: randomUUID, log }),
    },
  });
  const conns: ApiConn[] = [];
  t.teardown(() => conns.forEach((c) => c.close()));
  const connect = (pair?: PairPaths, metadata: Record<string, string> = {}, ca = caPem): ApiConn => {
    const creds = credentials.createSsl(ca, pair === undefined ? null : readFileSync(pair.key), pair === undefined ? null : readFileSync(pair.cert));
    const c = new ApiConn(srv.address, creds, metadata);
    conns.push(c);
    return c;
  };
  const asUser = async (name: string, groups: string[] = []): Promise<ApiConn> => connect(await pki.client(name.replace(/[^a-z0-9-]/g, '-'), name, groups));
  const admin = await asUser('admin', ['system:masters']);
  const anonymous = connect();

  await t.test('authentication', async (t) => {
    t.equal((await failure(anonymous.get('pods', 'default', 'x'))).code, UNAUTHENTICATED, 'no credentials: UNAUTHENTICATED');
    t.equal((await failure(anonymous.list('configmaps', 'kube-public'))).code, UNAUTHENTICATED, 'anonymous list of kube-public: UNAUTHENTICATED');
    await admin.create('configmaps', 'kube-public', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info' }, data: { 'ca.crt': caPem.toString(), servers: srv.address } });
    await eventually('anonymous get of cluster-info', () => allowed(anonymous.get('configmaps', 'kube-public', 'cluster-info')));
    t.equal((await anonymous.get('configmaps', 'kube-public', 'cluster-info')).data !== undefined, true, 'cluster-info is readable without credentials');
    const wrongCa = connect(await other.client('mallory', 'mallory', ['system:masters']));
    t.equal((await failure(wrongCa.get('pods', 'default', 'x'))).code, UNAUTHENTICATED, 'a certificate from another CA: UNAUTHENTICATED');
    const past = { now: () => new Date(Date.now() - 10 * DAY), randomBytes: realPkiDeps.randomBytes };
    const expired = connect(await pki.client('expired', 'admin2', ['system:masters'], { deps: past, validity: { validityMs: DAY } }));
    t.equal((await failure(expired.get('pods', 'default', 'x'))).code, UNAUTHENTICATED, 'an expired certificate: UNAUTHENTICATED');
    const badToken = connect(undefined, { authorization: 'Bearer abcdef.0123456789abcdef' });
    t.equal((await failure(badToken.get('pods', 'default', 'x'))).code, UNAUTHENTICATED, 'an unknown bootstrap token: UNAUTHENTICATED');
  });

  await t.test('the Cluster service needs credentials too', async (t) => {
    const version = (c: ApiConn): Promise<number> =>
      new Promise((resolve) => c.cluster.version({}, (e) => resolve(e === null ? 0 : e.code)));
    const members = (c: ApiConn): Promise<number> =>
      new Promise((resolve) => c.cluster.members({}, (e) => resolve(e === null ? 0 : e.code)));
    t.equal(await version(anonymous), UNAUTHENTICATED, 'Version without credentials: UNAUTHENTICATED');
    t.equal(await version(admin), 0, 'Version for an authenticated user');
    const nobody = await asUser('nobody');
    t.equal(await version(nobody), 0, 'any authenticated user may read the version (system:discovery)');
    t.equal(await members(nobody), PERMISSION_DENIED, 'Members needs more than being authenticated');
    t.equal(await members(admin), 0, 'Members for an admin');
  });

  await t.test('RBAC allow/deny matrix', async (t) => {
    for (const ns of ['team-a', 'team-b']) await admin.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const binding = (ns: string, name: string, role: string, subject: Record<string, string>): Obj => ({
      apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects: [subject],
    }) as Obj;
    await admin.create('rolebindings', 'team-a', binding('team-a', 'alice-view', 'view', { kind: 'User', name: 'alice', apiGroup: RBAC }));
    await admin.create('rolebindings', 'team-b', binding('team-b', 'devs-edit', 'edit', { kind: 'Group', name: 'devs', apiGroup: RBAC }));
    await admin.create('rolebindings', 'team-a', binding('team-a', 'robot-edit', 'edit', { kind: 'ServiceAccount', name: 'robot', namespace: 'team-a' }));
    const robotSa = await admin.create('serviceaccounts', 'team-a', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
    const token = await issueServiceAccountToken(
      { namespace: 'team-a', name: 'robot', uid: String(robotSa.metadata.uid) },
      { privateKey: sa.privateKey, publicKey: sa.publicKey, algorithm: 'ES256', issuer: 'shoal', audiences: ['shoal'], now: new Date(), expirationSeconds: 3600, jti: randomUUID() },
    );
    const alice = await asUser('alice');
    const bob = await asUser('bob', ['devs']);
    const robot = connect(undefined, { authorization: `Bearer ${token}` });
    const cm = (name: string): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } }) as Obj;
    await eventually('alice may list pods in team-a', () => allowed(alice.list('pods', 'team-a')));
    await eventually('robot may create configmaps in team-a', () => allowed(robot.create('configmaps', 'team-a', cm('by-robot'))));
    await eventually('bob may create configmaps in team-b', () => allowed(bob.create('configmaps', 'team-b', cm('by-bob'))));
    const rows: [string, () => Promise<unknown>, boolean][] = [
      ['user alice (view in team-a) lists pods in team-a', () => alice.list('pods', 'team-a'), true],
      ['user alice lists pods in team-b (binding is in team-a only)', () => alice.list('pods', 'team-b'), false],
      ['user alice creates a configmap in team-a (view is read-only)', () => alice.create('configmaps', 'team-a', cm('by-alice')), false],
      ['user alice reads secrets in team-a (view excludes secrets)', () => alice.list('secrets', 'team-a'), false],
      ['user alice lists nodes (cluster scope)', () => alice.list('nodes', ''), false],
      ['group devs (bob) lists configmaps in team-b', () => bob.list('configmaps', 'team-b'), true],
      ['group devs (bob) creates a configmap in team-a', () => bob.create('configmaps', 'team-a', cm('by-bob')), false],
      ['service account team-a/robot lists configmaps in team-a', () => robot.list('configmaps', 'team-a'), true],
      ['service account team-a/robot lists configmaps in team-b', () => robot.list('configmaps', 'team-b'), false],
      ['admin (system:masters) lists nodes', () => admin.list('nodes', ''), true],
    ];
    for (const [what, p, expect] of rows) t.equal(await allowed(p()), expect, what);
    const denied = await failure(alice.list('pods', 'team-b'));
    t.match(denied.details, /pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-b"/, 'the denial names user, verb and resource');

    // Escalation: an admin of team-b may write RoleBindings there but not bind cluster-admin.
    await admin.create('rolebindings', 'team-b', binding('team-b', 'carol-admin', 'admin', { kind: 'User', name: 'carol', apiGroup: RBAC }));
    const carol = await asUser('carol');
    await eventually('carol may create rolebindings in team-b', () => allowed(carol.create('rolebindings', 'team-b', binding('team-b', 'dave-view', 'view', { kind: 'User', name: 'dave', apiGroup: RBAC }))));
    const esc = await failure(carol.create('rolebindings', 'team-b', binding('team-b', 'carol-root', 'cluster-admin', { kind: 'User', name: 'carol', apiGroup: RBAC })));
    t.equal(esc.code, PERMISSION_DENIED, 'binding cluster-admin without holding it is refused');
    t.match(esc.details, /attempting to grant RBAC permissions not currently held/);

    // The service account's token stops working once the account is deleted.
    await admin.delete('serviceaccounts', 'team-a', 'robot');
    await eventually('robot token refused after its SA is deleted', async () => (await failure(robot.list('configmaps', 'team-a')).catch(() => ({ code: 0 }))).code === UNAUTHENTICATED);
    t.pass('a deleted service account revokes its tokens');

    // can-i: SelfSubjectAccessReview, for oneself and (admin) impersonating alice.
    const review = (verb: string, resource: string, namespace: string): Obj => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { verb, resource, namespace } } }) as Obj;
    t.match((await alice.create('selfsubjectaccessreviews', '', review('list', 'pods', 'team-a'))).status, { allowed: true, user: 'alice' });
    t.match((await alice.create('selfsubjectaccessreviews', '', review('delete', 'pods', 'team-a'))).status, { allowed: false });
    const asAlice = connect(await pki.client('admin-imp', 'admin', ['system:masters']), { 'impersonate-user': 'alice' });
    t.match((await asAlice.create('selfsubjectaccessreviews', '', review('list', 'pods', 'team-b'))).status, { allowed: false, user: 'alice' }, 'admin impersonating alice');
    // shoalctl auth can-i with the admin's ~/.shoal/config (TLS, client certificate), as alice.
    const adminPair = await pki.client('admin-cli', 'admin', ['system:masters']);
    const configFile = join(dir, 'config');
    writeFileSync(configFile, `servers: ["${srv.address}"]\nnamespace: default\ncredentials:\n  ca: ${pki.caPaths.cert}\n  cert: ${adminPair.cert}\n  key: ${adminPair.key}\n`);
    const shoalctl = async (argv: string[]): Promise<{ code: number; out: string }> => {
      let out = '';
      const ctx = realContext({ stdout: (s) => (out += s), stderr: () => {}, readStdin: () => '', env: { SHOAL_CONFIG: configFile }, homeDir: dir, interrupted: new AbortController().signal });
      return { code: await runShoalctl(argv, ctx), out };
    };
    t.same(await shoalctl(['auth', 'can-i', 'list', 'pods', '-n', 'team-a', '--as', 'alice']), { code: 0, out: 'yes\n' }, 'shoalctl auth can-i --as alice: yes in team-a');
    const no = await shoalctl(['auth', 'can-i', 'list', 'pods', '-n', 'team-b', '--as', 'alice']);
    t.equal(no.code, 1, 'shoalctl auth can-i: no in team-b exits 1');
    t.match(no.out, /^no/);
    t.same(await shoalctl(['auth', 'can-i', 'create', 'clusterroles.rbac.authorization.k8s.io']), { code: 0, out: 'yes\n' }, 'the admin may');
    const aliceAsAdmin = connect(await pki.client('alice-imp', 'alice'), { 'impersonate-user': 'admin' });
    t.equal((await failure(aliceAsAdmin.list('pods', 'team-a'))).code, PERMISSION_DENIED, 'alice may not impersonate');
  });

  await t.test('node authorizer', async (t) => {
    const secret = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', data: { k: Buffer.from(name).toString('base64') } }) as Obj;
    await admin.create('secrets', 'default', secret('for-a'));
    await admin.create('secrets', 'default', secret('for-b'));
    const pod = (name: string, node: string, sec: string): Obj => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox:1.36' }], volumes: [{ name: 's', secret: { secretName: sec } }] },
    }) as Obj;
    await admin.create('pods', 'default', pod('pod-a', 'node-a', 'for-a'));
    await admin.create('pods', 'default', pod('pod-b', 'node-b', 'for-b'));
    const nodeA = await asUser('system:node:node-a', ['system:nodes']);
    await eventually('node-a reads the secret of its pod', () => allowed(nodeA.get('secrets', 'default', 'for-a')));
    t.equal(await allowed(nodeA.get('secrets', 'default', 'for-b')), false, "node-a cannot read a secret used only by node-b's pod");
    const podA = await nodeA.get('pods', 'default', 'pod-a');
    t.equal(await allowed(nodeA.update('pods', 'default', { ...podA, status: { phase: 'Running' } }, { subresource: 'status' })), true, 'node-a updates the status of its own pod');
    const podB = await admin.get('pods', 'default', 'pod-b');
    t.equal(await allowed(nodeA.update('pods', 'default', { ...podB, status: { phase: 'Running' } }, { subresource: 'status' })), false, "node-a cannot update node-b's pod status");
    t.equal(await allowed(nodeA.list('pods', '', { fieldSelector: 'spec.nodeName=node-a' })), true, 'node-a lists its own pods with the field selector');
    t.equal(await allowed(nodeA.list('pods', '')), false, 'node-a cannot list all pods');
    await admin.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } });
    const lease = (name: string): Obj => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } }) as Obj;
    t.equal(await allowed(nodeA.create('leases', 'kube-node-lease', lease('node-a'))), true, 'node-a creates its own Lease');
    t.equal(await allowed(nodeA.create('leases', 'kube-node-lease', lease('node-b'))), false, "node-a cannot create node-b's Lease");
    t.equal(await allowed(nodeA.create('nodes', '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-b' } })), false, 'node-a cannot create node-b');
    // NodeRestriction: its own Node yes, reserved labels no.
    await nodeA.create('nodes', '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
    const labelled = await failure(nodeA.patch('nodes', '', 'node-a', { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } }));
    t.equal(labelled.code, PERMISSION_DENIED, 'a node cannot label itself into another role');
  });

  await t.test('bootstrap tokens', async (t) => {
    const valid = bootstrapTokenSecret({ token: 'abcdef.0123456789abcdef', expiration: new Date(Date.now() + DAY).toISOString() });
    const old = bootstrapTokenSecret({ token: 'zyxwvu.0123456789abcdef', expiration: new Date(Date.now() - DAY).toISOString() });
    await admin.create('secrets', 'kube-system', valid);
    await admin.create('secrets', 'kube-system', old);
    const review: Obj = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { verb: 'create', group: 'certificates.k8s.io', resource: 'certificatesigningrequests' } } } as Obj;
    const good = connect(undefined, { authorization: 'Bearer abcdef.0123456789abcdef' });
    await eventually('a valid bootstrap token authenticates', () => allowed(good.create('selfsubjectaccessreviews', '', review)));
    t.match((await good.create('selfsubjectaccessreviews', '', review)).status, { allowed: true, user: 'system:bootstrap:abcdef' }, 'bootstrappers may create CSRs');
    const expired = connect(undefined, { authorization: 'Bearer zyxwvu.0123456789abcdef' });
    t.equal((await failure(expired.create('selfsubjectaccessreviews', '', review))).code, UNAUTHENTICATED, 'an expired bootstrap token: UNAUTHENTICATED');
    await admin.delete('secrets', 'kube-system', 'bootstrap-token-abcdef');
    await eventually('a deleted bootstrap token is refused', async () => !(await allowed(good.create('selfsubjectaccessreviews', '', review))));
    t.equal((await failure(good.create('selfsubjectaccessreviews', '', review))).code, UNAUTHENTICATED, 'a deleted bootstrap token: UNAUTHENTICATED');
  });

  await t.test('secrets at rest and the audit log', async (t) => {
    await admin.create('secrets', 'default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', data: { password: Buffer.from('hunter2-plaintext').toString('base64') } });
    const stored = await raw.get('/registry/secrets/default/db');
    const text = Buffer.from(stored!.value).toString('latin1');
    t.ok(text.startsWith(ENCRYPTED_PREFIX), 'the stored value is ciphertext with the encryption prefix');
    t.notOk(text.includes(Buffer.from('hunter2-plaintext').toString('base64')), 'the stored bytes do not hold the secret');
    t.equal(Buffer.from(String((await admin.get('secrets', 'default', 'db')).data?.['password' as never] ?? ''), 'base64').toString(), 'hunter2-plaintext', 'the API serves it decrypted');
    await writer.flush();
    await eventually('audit lines written', async () => readFileSync(auditPath, 'utf8').includes('"code":7'));
    const lines = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    t.ok(lines.some((l) => l.user === 'admin' && l.allowed === true && l.verb === 'create' && l.resource === 'secrets'), 'an allowed request is audited');
    t.ok(lines.some((l) => l.user === 'alice' && l.allowed === false && l.code === PERMISSION_DENIED), 'a denied request is audited with its user');
    t.ok(lines.some((l) => l.user === '' && l.allowed === false && l.code === UNAUTHENTICATED), 'an unauthenticated request is audited');
    t.notOk(lines.some((l) => JSON.stringify(l).includes('hunter2')), 'no secret in the audit log');
  });
});
