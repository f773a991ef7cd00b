// shoal-agent join against an in-process API server with TLS, bootstrap tokens and a C4 CSR
// signer (test/agent/helpers/secure-api.ts): the files it writes, refusals that write nothing,
// re-joining, and certificate rotation at the threshold with an injected clock.
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import type { Test } from 'tap';
import { ShoalClient } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { CertificateRotator, certificateWindow, JoinError, joinCluster, loadAgentConfig, loadNodeCredentials, nodePaths, rotationDeadline } from '../../node-agent/join/index.js';
import type { CertificateSigningRequest, NodeCredentials } from '../../node-agent/join/index.js';
import { nodeCsrPolicy, signCsr } from '../../control-plane/pki/index.js';
import { realPkiDeps } from '../support/pki.js';
import { until } from './helpers/agent-rig.js';
import { ManualClock } from './helpers/manual-clock.js';
import { startSecureApi } from './helpers/secure-api.js';

const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

async function tempDir(t: Test): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'shoal-join-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

const mode = (p: string): number => statSync(p).mode & 0o777;

function checkNodeCert(t: Test, certPem: string, caPem: string, nodeName: string): X509Certificate {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  t.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'the node certificate chains to the cluster CA');
  t.match(cert.subject, new RegExp(`(^|\\n)CN=system:node:${nodeName.replace(/\./g, '\\.')}($|\\n)`), 'CN=system:node:<name>');
  t.match(cert.subject, /(^|\n)O=system:nodes($|\n)/, 'O=system:nodes');
  return cert;
}

/** A client with the node's own certificate: proves the files make a working mTLS identity. */
async function asNode(t: Test, address: string, c: NodeCredentials): Promise<ShoalClient> {
  const client = new ShoalClient({ servers: [address], credentials: { kind: 'tls', ca: Buffer.from(c.caPem), cert: Buffer.from(c.certPem), key: Buffer.from(c.keyPem) } });
  t.teardown(() => client.close());
  return client;
}

t.test('agent join - writes CA, key, certificate and agent.yaml with private modes; re-join works with a fresh token', async (t) => {
  const api = await startSecureApi(t);
  const dataDir = join(await tempDir(t), 'shoal');
  const token = await api.createToken();
  const r = await joinCluster({ server: api.address, token, caCertHash: api.pki.caHash, dataDir, nodeName: 'edge-1' }, { clock });
  const p = nodePaths(dataDir);
  t.same((await readdir(p.pkiDir)).sort(), ['ca.crt', 'node.crt', 'node.key'], 'pki holds exactly the three files');
  t.equal(mode(p.pkiDir), 0o700, 'pki dir 0700');
  for (const f of [p.ca, p.cert, p.key, p.config]) t.equal(mode(f), 0o600, `${f} is 0600`);
  t.equal(await readFile(p.ca, 'utf8'), api.pki.ca.certPem, 'ca.crt is the cluster CA');
  const creds = await loadNodeCredentials(p);
  const first = checkNodeCert(t, creds.certPem, creds.caPem, 'edge-1');
  const cfg = await loadAgentConfig(p.config);
  t.same(cfg, { servers: [api.address], nodeName: 'edge-1', ca: p.ca, cert: p.cert, key: p.key }, 'agent.yaml: servers from cluster-info, node name, paths');
  t.same(r.config, cfg);
  t.equal(api.signed[0]?.spec.username, `system:bootstrap:${token.split('.')[0]}`, 'the CSR was made by the bootstrap token');
  t.equal(api.signed[0]?.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');

  const node = await asNode(t, api.address, creds);
  const info = await node.resource('configmaps', 'kube-public').get('cluster-info');
  t.equal(info.metadata.name, 'cluster-info', 'the node certificate authenticates over mTLS');

  // A re-imaged machine with the same hostname: a new token, the same node name.
  const again = await joinCluster({ server: api.address, token: await api.createToken(), caCertHash: api.pki.caHash, dataDir, nodeName: 'edge-1' }, { clock });
  const second = checkNodeCert(t, (await loadNodeCredentials(p)).certPem, api.pki.ca.certPem, 'edge-1');
  t.not(second.serialNumber, first.serialNumber, 're-join: a new certificate');
  t.not(again.csrName, r.csrName);
});

t.test('agent join - a wrong CA hash is refused and nothing is written', async (t) => {
  const api = await startSecureApi(t);
  const other = await (await import('../support/pki.js')).createTestPki(t, 'other');
  const root = await tempDir(t);
  const fresh = join(root, 'fresh');
  const token = await api.createToken();
  const e = await joinCluster({ server: api.address, token, caCertHash: other.caHash, dataDir: fresh, nodeName: 'edge-2' }, { clock }).then(() => undefined, (x: unknown) => x);
  t.ok(e instanceof JoinError, 'a JoinError');
  t.equal((e as JoinError).code, 'ca-hash-mismatch');
  t.match((e as Error).message, /does not match --ca-cert-hash sha256:[0-9a-f]{64}.*Nothing was written/s);
  t.notOk(existsSync(fresh), 'the data dir was not created');
  t.equal(api.signed.length, 0, 'no CSR was sent');

  // An existing data dir keeps exactly what it had.
  const existing = join(root, 'existing');
  await (await import('node:fs/promises')).mkdir(existing);
  await writeFile(join(existing, 'keep'), 'x');
  await t.rejects(joinCluster({ server: api.address, token, caCertHash: other.caHash, dataDir: existing, nodeName: 'edge-2' }, { clock }), { code: 'ca-hash-mismatch' });
  t.same(await readdir(existing), ['keep'], 'untouched');
});

t.test('agent join - a wrong token gets UNAUTHENTICATED as a clear error and nothing is written', async (t) => {
  const api = await startSecureApi(t);
  const dataDir = join(await tempDir(t), 'shoal');
  const e = await joinCluster({ server: api.address, token: 'abcdef.0123456789abcdef', caCertHash: api.pki.caHash, dataDir, nodeName: 'edge-3' }, { clock }).then(() => undefined, (x: unknown) => x);
  t.equal((e as JoinError).code, 'unauthorized');
  t.match((e as Error).message, /refused the bootstrap token \(UNAUTHENTICATED\)/);
  t.notMatch((e as Error).message, /0123456789abcdef/, 'the token secret is not echoed');
  t.notOk(existsSync(dataDir), 'nothing written');
});

t.test('agent join - a CSR left pending is waited for (watch) and times out cleanly', async (t) => {
  const api = await startSecureApi(t, { autoApprove: false });
  const dataDir = join(await tempDir(t), 'shoal');
  const csrs = api.admin.resource<CertificateSigningRequest>('certificatesigningrequests', '');
  const joining = joinCluster({ server: api.address, token: await api.createToken(), caCertHash: api.pki.caHash, dataDir, nodeName: 'edge-5' }, { clock });
  let pending: CertificateSigningRequest | undefined;
  await until(t, 'the pending CSR', async () => {
    pending = (await csrs.list()).items[0];
    return pending !== undefined;
  });
  t.notOk(existsSync(dataDir), 'nothing written while pending');
  // What an approver does: sign the request and set status.certificate.
  const outcome = await signCsr(api.pki.ca, Buffer.from(pending!.spec.request, 'base64').toString(), nodeCsrPolicy('edge-5'), {}, realPkiDeps);
  if (!outcome.ok) throw new Error(outcome.reason);
  await csrs.patchStatus(pending!.metadata.name ?? '', { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Test' }], certificate: Buffer.from(outcome.issued.certPem).toString('base64') } });
  const r = await joining;
  t.equal(r.csrName, pending!.metadata.name);
  checkNodeCert(t, (await loadNodeCredentials(r.paths)).certPem, api.pki.ca.certPem, 'edge-5');

  const other = join(await tempDir(t), 'shoal');
  await t.rejects(joinCluster({ server: api.address, token: await api.createToken(), caCertHash: api.pki.caHash, dataDir: other, nodeName: 'edge-6', csrTimeoutMs: 1500 }, { clock }), { code: 'csr-timeout', message: /was not signed within 2 s/ });
  t.notOk(existsSync(other), 'nothing written after a timeout');
});

t.test('agent join - the node certificate is rotated at the jittered threshold, authenticated by the current one', async (t) => {
  const api = await startSecureApi(t, { leafValidityMs: 3_600_000 });
  const dataDir = join(await tempDir(t), 'shoal');
  await joinCluster({ server: api.address, token: await api.createToken(), caCertHash: api.pki.caHash, dataDir, nodeName: 'edge-4' }, { clock });
  const paths = nodePaths(dataDir);
  const before = await loadNodeCredentials(paths);
  const { notBefore, notAfter } = certificateWindow(before.certPem);
  const rng = (): number => 0.5;
  const deadline = rotationDeadline(notBefore, notAfter, rng);
  t.equal(deadline, notBefore + 0.8 * (notAfter - notBefore), 'rng 0.5: at 80% of the lifetime');

  class RecordingClock extends ManualClock {
    readonly wakes: number[] = [];
    override sleep(ms: number, signal?: AbortSignal): Promise<void> {
      this.wakes.push(this.now() + ms);
      return super.sleep(ms, signal);
    }
  }
  const mc = new RecordingClock(notBefore + 0.5 * (notAfter - notBefore));
  const rotated: NodeCredentials[] = [];
  const rotator = new CertificateRotator({ paths, servers: [api.address], nodeName: 'edge-4', clock: mc, rng, log: pino({ level: 'silent' }), onRotated: (c) => void rotated.push(c) }).start();
  t.teardown(() => rotator.stop());
  await until(t, 'the rotator to schedule its renewal', () => mc.wakes.length > 0);
  t.equal(mc.wakes[0], deadline, 'the renewal sleeps until the deadline');
  mc.advance(deadline - mc.now() - 1000);
  t.equal(rotator.rotations, 0, 'not before the deadline');
  mc.advance(1000);
  await until(t, 'the renewal', () => rotated.length === 1);
  const after = await loadNodeCredentials(paths);
  t.same(rotated[0], after, 'onRotated got what is on disk');
  const cert = checkNodeCert(t, after.certPem, api.pki.ca.certPem, 'edge-4');
  t.not(cert.serialNumber, new X509Certificate(before.certPem).serialNumber, 'a new certificate');
  t.not(after.keyPem, before.keyPem, 'a new key');
  for (const f of [paths.cert, paths.key]) t.equal(mode(f), 0o600, `${f} still 0600`);
  t.notOk(existsSync(paths.nextKey), 'no half-done swap left');
  t.equal(api.signed[1]?.spec.username, 'system:node:edge-4', 'the renewal CSR was authenticated by the node certificate');
  t.ok(api.signed[1]?.spec.groups?.includes('system:nodes'));
  await until(t, 'the next renewal to be scheduled', () => mc.wakes.length > 1);
  const next = certificateWindow(after.certPem);
  t.equal(mc.wakes.at(-1), rotationDeadline(next.notBefore, next.notAfter, rng), 'the next renewal is scheduled from the new certificate');
  const node = await asNode(t, api.address, after);
  t.ok(await node.resource('configmaps', 'kube-public').get('cluster-info'), 'the renewed certificate authenticates');
});
