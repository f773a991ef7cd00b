// The pure steps of joining: argument checks, cluster-info, CSR answers, agent.yaml, run config,
// the rotation schedule, and finishing an interrupted key swap.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createCsr, issueClient } from '../../control-plane/pki/index.js';
import {
  csrOutcome,
  loadNodeCredentials,
  nodeCsrObject,
  nodePaths,
  nodeSubject,
  parseAgentConfig,
  parseClusterInfo,
  parseJoinArgs,
  resolveRunConfig,
  retryDelay,
  rotationDeadline,
  serializeAgentConfig,
  writeNodeCredentials,
} from '../../node-agent/join/index.js';
import type { CertificateSigningRequest } from '../../node-agent/join/index.js';
import { createTestPki, realPkiDeps } from '../support/pki.js';

const HASH = `sha256:${'ab'.repeat(32)}`;
const TOKEN = 'abcdef.0123456789abcdef';

t.test('join steps - arguments', async (t) => {
  const o = parseJoinArgs({ token: TOKEN, 'ca-cert-hash': HASH.toUpperCase().replace('SHA256', 'sha256'), 'node-name': 'Pi-1' }, ['10.0.0.1:6443']);
  t.same(o, { server: '10.0.0.1:6443', token: TOKEN, caCertHash: HASH, dataDir: '/var/lib/shoal', nodeName: 'pi-1' });
  t.throws(() => parseJoinArgs({ token: TOKEN, 'ca-cert-hash': HASH }, []), { code: 'bad-args', message: /exactly one API server address/ });
  t.throws(() => parseJoinArgs({ token: TOKEN, 'ca-cert-hash': HASH }, ['nope']), /API server address: "nope" is not host:port/);
  t.throws(() => parseJoinArgs({ 'ca-cert-hash': HASH }, ['a:1']), /--token is required/);
  const bad = (() => {
    try {
      parseJoinArgs({ token: 'abcdef.secretsecretXXXX', 'ca-cert-hash': HASH }, ['a:1']);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  })();
  t.match(bad, /--token: want/);
  t.notMatch(bad, /secretsecret/, 'a malformed token is not echoed');
  t.throws(() => parseJoinArgs({ token: TOKEN }, ['a:1']), /--ca-cert-hash is required/);
  t.throws(() => parseJoinArgs({ token: TOKEN, 'ca-cert-hash': 'sha256:12' }, ['a:1']), /--ca-cert-hash: want "sha256:" and 64 hex digits/);
  t.throws(() => parseJoinArgs({ token: TOKEN, 'ca-cert-hash': HASH, 'node-name': 'bad_name' }, ['a:1']), /--node-name: "bad_name" is not a valid node name/);
});

t.test('join steps - cluster-info', async (t) => {
  const pki = await createTestPki(t, 'ci');
  const cm = (data: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info' }, data });
  t.same(parseClusterInfo(cm({ 'ca.crt': pki.ca.certPem, servers: 'h1:6443, h2:6443,' })), { caPem: pki.ca.certPem, servers: ['h1:6443', 'h2:6443'] });
  t.throws(() => parseClusterInfo(cm({ servers: 'h1:6443' })), { code: 'bad-cluster-info', message: /data\["ca.crt"\] is missing/ });
  t.throws(() => parseClusterInfo(cm({ 'ca.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', servers: 'h:1' })), /does not parse/);
  t.throws(() => parseClusterInfo(cm({ 'ca.crt': pki.ca.certPem })), /data\["servers"\] is missing/);
  t.throws(() => parseClusterInfo(cm({ 'ca.crt': pki.ca.certPem, servers: ' , ' })), /lists no API server/);
  t.throws(() => parseClusterInfo(cm({ 'ca.crt': pki.ca.certPem, servers: 'h1' })), /"h1" is not host:port/);
});

t.test('join steps - the CSR and its answers', async (t) => {
  const { csrPem } = await createCsr(nodeSubject('edge-1'));
  const o = nodeCsrObject(csrPem);
  t.equal(o.apiVersion, 'certificates.k8s.io/v1');
  t.equal(o.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
  t.equal(Buffer.from(o.spec.request, 'base64').toString(), csrPem);
  t.same(nodeSubject('edge-1'), { commonName: 'system:node:edge-1', organizations: ['system:nodes'] });
  const csr = (status: CertificateSigningRequest['status']): CertificateSigningRequest => ({ ...o, metadata: { name: 'x' }, ...(status === undefined ? {} : { status }) });
  t.same(csrOutcome(csr(undefined)), { kind: 'pending' });
  t.same(csrOutcome(csr({ conditions: [{ type: 'Approved', status: 'True' }] })), { kind: 'pending' }, 'approved but not yet signed');
  t.same(csrOutcome(csr({ conditions: [{ type: 'Approved', status: 'True' }], certificate: Buffer.from('PEM').toString('base64') })), { kind: 'issued', certPem: 'PEM' });
  t.same(csrOutcome(csr({ conditions: [{ type: 'Denied', status: 'True', reason: 'NotMine', message: 'no' }], certificate: 'eA==' })), { kind: 'refused', reason: 'Denied (NotMine): no' }, 'a denial wins');
});

t.test('join steps - agent.yaml and the run config', async (t) => {
  const cfg = { servers: ['h1:6443', 'h2:6443'], nodeName: 'edge-1', ca: '/d/pki/ca.crt', cert: '/d/pki/node.crt', key: '/d/pki/node.key' };
  t.same(parseAgentConfig(serializeAgentConfig(cfg), '/d/agent.yaml'), cfg, 'round trip');
  t.same(parseAgentConfig('servers: [h:1]\nnodeName: n\nca: pki/ca.crt\ncert: pki/node.crt\nkey: pki/node.key\n', '/d/agent.yaml').ca, '/d/pki/ca.crt', 'relative to the file');
  t.throws(() => parseAgentConfig('servers: []\n', '/d/agent.yaml'), { code: 'bad-config', message: '/d/agent.yaml: servers: must be a non-empty list of host:port' });
  t.throws(() => parseAgentConfig('servers: [h:1]\nnodeName: n\nca: a\ncert: b\nkey: c\nextra: 1\n', '/f'), /\/f: extra: unknown field/);
  t.throws(() => parseAgentConfig('servers: [h:1]\nnodeName: N_1\nca: a\ncert: b\nkey: c\n', '/f'), /nodeName: "N_1" is not a valid node name/);
  t.throws(() => parseAgentConfig('servers: [h:1\n', '/f'), /not valid YAML/);

  t.throws(() => resolveRunConfig({ servers: [], dataDir: '/d' }, undefined, '/d/agent.yaml', 'host'), /--server: at least one API server address is required \(or run "shoal-agent join" first, which writes \/d\/agent.yaml\)/);
  t.same(resolveRunConfig({ servers: ['x:1'], dataDir: '/d' }, undefined, '/d/agent.yaml', 'Host'), { servers: ['x:1'], nodeName: 'host', identity: undefined }, 'no agent.yaml: dev mode, insecure');
  const r = resolveRunConfig({ servers: [], dataDir: '/d' }, cfg, '/d/agent.yaml', 'host');
  t.same([r.servers, r.nodeName, r.identity?.cert, r.identity?.nextKey], [cfg.servers, 'edge-1', '/d/pki/node.crt', '/d/pki/node.key.next'], 'agent.yaml fills in');
  const f = resolveRunConfig({ servers: ['o:1'], nodeName: 'EDGE-1', dataDir: '/d' }, cfg, '/d/agent.yaml', 'host');
  t.same([f.servers, f.nodeName], [['o:1'], 'edge-1'], 'flags override');
  t.throws(() => resolveRunConfig({ servers: [], nodeName: 'other', dataDir: '/d' }, cfg, '/d/agent.yaml', 'host'), { code: 'bad-args', message: /--node-name other: this node joined as "edge-1"/ }, 'a name the certificate is not for');
});

t.test('join steps - rotation schedule', async (t) => {
  t.equal(rotationDeadline(1000, 11_000, () => 0), 8000, '70% at the low end');
  t.equal(rotationDeadline(1000, 11_000, () => 0.999999), 1000 + 10_000 * (0.7 + 0.2 * 0.999999), 'below 90% at the high end');
  t.equal(retryDelay(0, 100_000_000), 300_000, 'at most 5 min');
  t.equal(retryDelay(0, 50_000), 5000, 'a tenth of what is left');
  t.equal(retryDelay(10, 5), 1000, 'at least 1 s, even past expiry');
});

t.test('join steps - an interrupted key swap is finished on load; a foreign key is refused', async (t) => {
  const pki = await createTestPki(t, 'swap');
  const dir = await mkdtemp(join(tmpdir(), 'shoal-swap-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const p = nodePaths(dir);
  const issue = async (): Promise<{ certPem: string; keyPem: string }> => {
    const c = await issueClient(pki.ca, 'system:node:n', ['system:nodes'], {}, realPkiDeps);
    return { certPem: c.certPem, keyPem: await c.key!.toPem() };
  };
  const a = await issue();
  await writeNodeCredentials(p, { caPem: pki.ca.certPem, ...a });
  t.same(await loadNodeCredentials(p), { caPem: pki.ca.certPem, ...a });
  // Crash after the new certificate was written, before the key rename.
  const b = await issue();
  await writeFile(p.nextKey, b.keyPem, { mode: 0o600 });
  await writeFile(p.cert, b.certPem, { mode: 0o600 });
  t.same(await loadNodeCredentials(p), { caPem: pki.ca.certPem, ...b }, 'the next key matches the new certificate: swap finished');
  t.equal(await readFile(p.key, 'utf8'), b.keyPem);
  t.notOk(existsSync(p.nextKey));
  // Crash before the certificate was written: the old pair stands, the stray key goes.
  const c = await issue();
  await writeFile(p.nextKey, c.keyPem, { mode: 0o600 });
  t.same((await loadNodeCredentials(p)).certPem, b.certPem);
  t.notOk(existsSync(p.nextKey), 'stray next key removed');
  await writeFile(p.key, c.keyPem);
  await t.rejects(loadNodeCredentials(p), { code: 'bad-config', message: /does not belong to/ });
  await t.rejects(loadNodeCredentials(nodePaths(join(dir, 'none'))), { code: 'bad-config', message: /run "shoal-agent join" first/ });
});
