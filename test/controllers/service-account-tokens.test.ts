// ServiceAccount token Secrets (--service-account-private-key-file): the pure decision table, the
// signer built on the API server's token functions (what it signs, the API server's authenticator
// accepts), the loops' settings read from files, and the controller against an in-process API
// server: every account gets "<name>-token", re-made when deleted, re-issued when the account is
// recreated.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Secret, ServiceAccount } from '../../api/index.js';
import { systemClock } from '../../client/index.js';
import { authenticateServiceAccountToken } from '../../control-plane/apiserver/security/index.js';
import { loadApiConfig } from '../../control-plane/apiserver/config.js';
import { loadControlLoopsSettings } from '../../control-plane/control-loops.js';
import { ControllerManager, SERVICE_ACCOUNT_TOKEN_TYPE, tokenSecret, tokenSecretAction } from '../../control-plane/controllers/index.js';
import { algorithmFor, LEGACY_TOKEN_LIFETIME_SECONDS, serviceAccountSigner } from '../../control-plane/service-account-tokens.js';
import { log, startCluster, until } from './helpers/cluster.js';

const ecKey = (curve = 'prime256v1'): string => generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const clockAt = (ms: number) => ({ ...systemClock, now: () => ms });
const T0 = Date.parse('2026-12-04T00:00:00Z');
const sa = { namespace: 'ns1', name: 'robot', uid: 'uid-1' };
const decode = (s: Secret, k: string): string => Buffer.from(s.data?.[k] ?? '', 'base64').toString('utf8');

t.test('service account tokens - what to do with the Secret that is there', async (t) => {
  const ours = tokenSecret(sa, 'tok', 'CA');
  t.same(tokenSecretAction(sa, undefined, 'CA'), { kind: 'create' });
  t.same(tokenSecretAction(sa, ours, 'CA'), { kind: 'check', token: 'tok' });
  t.same(tokenSecretAction({ ...sa, uid: 'uid-2' }, ours, 'CA'), { kind: 'replace' }, 'the account was recreated');
  t.same(tokenSecretAction(sa, ours, 'OTHER CA'), { kind: 'replace' }, 'the CA changed');
  t.match(tokenSecretAction(sa, { ...ours, type: 'Opaque' }, 'CA'), { kind: 'foreign', reason: /type Opaque/ }, 'a user Secret of that name is left alone');
  t.match(tokenSecretAction({ ...sa, name: 'other' }, ours, 'CA'), { kind: 'foreign', reason: /service account "robot"/ });
  t.equal(ours.metadata.name, 'robot-token');
  t.same(ours.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'robot', uid: 'uid-1' }], 'owned by the account (GC removes it with the account)');
});

t.test('service account tokens - the signer issues what the authenticator accepts, for a year', async (t) => {
  const signer = serviceAccountSigner({ privateKeyPem: ecKey(), source: 'k.pem', issuer: 'shoal', caPem: 'CA', clock: clockAt(T0) });
  const token = await signer.issue(sa);
  const [, body] = token.split('.');
  const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as { exp: number; iat: number; iss: string; aud: string[] };
  t.equal(claims.exp - claims.iat, LEGACY_TOKEN_LIFETIME_SECONDS, 'expires after a year');
  t.same([claims.iss, claims.aud], ['shoal', ['shoal']]);
  t.equal(await signer.isCurrent(token, sa), true);
  t.equal(await signer.isCurrent(token, { ...sa, uid: 'uid-2' }), false, 'not for a recreated account');
  const later = serviceAccountSigner({ privateKeyPem: ecKey(), source: 'k.pem', issuer: 'shoal', caPem: 'CA', clock: clockAt(T0) });
  t.equal(await later.isCurrent(token, sa), false, 'not after the key changed');
  t.throws(() => serviceAccountSigner({ privateKeyPem: 'nope', source: 'k.pem', issuer: 'shoal', caPem: '', clock: systemClock }), /k\.pem: not a PEM private key/);
  t.equal(algorithmFor(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), 'ES384');
  t.equal(algorithmFor(generateKeyPairSync('ed25519').privateKey), 'EdDSA');
  t.throws(() => algorithmFor(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey), /curve secp256k1 is not supported/);

  // Near expiry: judged as of 30 days ahead, a token issued 340 days ago is re-issued.
  const pem = ecKey();
  const old = await serviceAccountSigner({ privateKeyPem: pem, source: 'k', issuer: 'shoal', caPem: '', clock: clockAt(T0) }).issue(sa);
  t.equal(await serviceAccountSigner({ privateKeyPem: pem, source: 'k', issuer: 'shoal', caPem: '', clock: clockAt(T0 + 300 * 86_400_000) }).isCurrent(old, sa), true, '300 days old: still current');
  t.equal(await serviceAccountSigner({ privateKeyPem: pem, source: 'k', issuer: 'shoal', caPem: '', clock: clockAt(T0 + 340 * 86_400_000) }).isCurrent(old, sa), false, '340 days old: re-issued');
});

t.test('service account tokens - the loops read their client configs and key from files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-loops-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
  writeFileSync(join(dir, 'cm.conf'), 'servers: [127.0.0.1:6443, 127.0.0.1:16443]\ncredentials:\n  ca: ca.pem\n  token: abc\n');
  writeFileSync(join(dir, 'sched.conf'), 'servers: [127.0.0.1:6443]\n');
  writeFileSync(join(dir, 'sa.key'), ecKey());
  writeFileSync(join(dir, 'bad.conf'), 'servers: nope\n');
  const flags = (...more: string[]) => loadApiConfig(['--api-listen-address', '127.0.0.1:6443', '--control-loops=true', ...more]).api!;
  const none = await loadControlLoopsSettings(flags());
  t.same(
    none,
    { scheduler: undefined, controllerManager: undefined, serviceAccountTokens: undefined, nodeIpam: { allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 }, nodeLifecycle: { nodeMonitorGracePeriodMs: 40_000, nodeMonitorPeriodMs: 5_000, defaultNotReadyTolerationSeconds: 300, defaultUnreachableTolerationSeconds: 300 } },
    'defaults: this host, no credentials, no tokens, node IPAM on 10.244.0.0/16 with /24 blocks',
  );
  const s = await loadControlLoopsSettings(flags('--scheduler-config', join(dir, 'sched.conf'), '--controller-manager-config', join(dir, 'cm.conf'), '--service-account-private-key-file', join(dir, 'sa.key')));
  t.same(s.scheduler?.servers, ['127.0.0.1:6443']);
  t.same(s.controllerManager?.servers, ['127.0.0.1:6443', '127.0.0.1:16443']);
  t.match(s.controllerManager?.credentials, { kind: 'tls', token: 'abc' });
  t.equal(s.serviceAccountTokens?.caPem, 'CA PEM', 'token Secrets carry the CA the controller manager trusts');
  await t.rejects(loadControlLoopsSettings(flags('--scheduler-config', join(dir, 'bad.conf'))), /--scheduler-config: .*bad\.conf: servers: must be a list/);
  await t.rejects(loadControlLoopsSettings(flags('--service-account-private-key-file', join(dir, 'missing.key'))), /--service-account-private-key-file: cannot read .*missing\.key/);
});

t.test('service account tokens - every account gets a verifiable token Secret, kept in step with the account', async (t) => {
  const { client } = await startCluster(t);
  const pem = ecKey();
  const signer = serviceAccountSigner({ privateKeyPem: pem, source: 'sa.key', issuer: 'shoal', caPem: 'THE CA', clock: systemClock });
  const m = new ControllerManager({ client, clock: systemClock, log, config: { identity: 'test', leaderElection: false, controllers: ['serviceaccount', 'garbage-collector'], resyncPeriodMs: 60_000 }, serviceAccountTokens: signer });
  m.start();
  t.teardown(() => m.stop());
  const secrets = client.resource<Secret>('secrets', 'default');
  const accounts = client.resource<ServiceAccount>('serviceaccounts', 'default');
  const secretOf = async (name: string): Promise<Secret | undefined> => secrets.get(`${name}-token`).catch(() => undefined);
  const lookup = async (namespace: string, name: string) => {
    const a = await client.resource<ServiceAccount>('serviceaccounts', namespace).get(name).catch(() => undefined);
    return a === undefined ? undefined : { uid: a.metadata.uid ?? '' };
  };
  // The API server's authenticator with the public half of the signing key.
  const authenticate = async (s: Secret) => authenticateServiceAccountToken(decode(s, 'token'), { publicKeys: [createPublicKey(pem)], issuer: 'shoal', audiences: ['shoal'], now: new Date(), lookup });

  await until(t, 'the default account token Secret', async () => (await secretOf('default')) !== undefined);
  const def = (await secretOf('default'))!;
  const defaultSa = await accounts.get('default');
  t.equal(def.type, SERVICE_ACCOUNT_TOKEN_TYPE);
  t.same(def.metadata.annotations, { 'kubernetes.io/service-account.name': 'default', 'kubernetes.io/service-account.uid': defaultSa.metadata.uid });
  t.same([decode(def, 'ca.crt'), decode(def, 'namespace')], ['THE CA', 'default']);
  t.match(await authenticate(def), { kind: 'authenticated', user: { name: 'system:serviceaccount:default:default', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] } }, 'the API server authenticates the token as the account');
  await until(t, 'kube-system/default-token too', async () => (await client.resource<Secret>('secrets', 'kube-system').get('default-token').catch(() => undefined)) !== undefined);

  await accounts.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } } as ServiceAccount);
  await until(t, 'robot-token', async () => (await secretOf('robot')) !== undefined);
  await secrets.delete('robot-token');
  await until(t, 'robot-token made again after a delete', async () => (await secretOf('robot')) !== undefined);

  // Recreated account (new uid): the old token no longer authenticates; the Secret is re-issued.
  const before = (await secretOf('robot'))!;
  await accounts.delete('robot');
  const again = await accounts.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } } as ServiceAccount);
  await until(t, 'robot-token re-issued for the new uid', async () => (await secretOf('robot'))?.metadata.annotations?.['kubernetes.io/service-account.uid'] === again.metadata.uid);
  t.match(await authenticate(before), { kind: 'refused', reason: /was recreated/ }, 'the old token is refused');
  t.match(await authenticate((await secretOf('robot'))!), { kind: 'authenticated', user: { name: 'system:serviceaccount:default:robot', uid: again.metadata.uid } }, 'the new one is accepted');

  // A user's Secret that happens to have the name is left alone.
  await secrets.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mine-token', namespace: 'default' }, type: 'Opaque', data: { x: 'eA==' } } as Secret);
  await accounts.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'mine', namespace: 'default' } } as ServiceAccount);
  const events = client.resource('events', 'default');
  await until(t, 'a warning event about the taken name', async () => (await events.list({})).items.some((e) => (e as { reason?: string }).reason === 'TokenSecretNameTaken'));
  t.equal((await secretOf('mine'))?.type, 'Opaque', 'the user Secret is unchanged');
});
