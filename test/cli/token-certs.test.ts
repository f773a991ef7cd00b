// shoalctl token, certificate and certs. The API server runs in this process on 127.0.0.1 with
// TLS from a CA made by control-plane/pki, so the config's credentials.ca is the CA the join line
// pins; a second, insecure one covers the CA from ConfigMap kube-public/cluster-info. certs runs
// on a temp PKI dir made with control-plane/pki.
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import t from 'tap';
import { caCsrSigner } from '../../control-plane/apiserver/index.js';
import { authenticateBootstrapToken } from '../../control-plane/apiserver/security/index.js';
import type { SecretLike } from '../../control-plane/apiserver/security/index.js';
import { caCertHash, createCa, createCsr, issueControlPlaneCertificates, issueServing, pkiLayout, PKI_PAIRS, writeControlPlanePki } from '../../control-plane/pki/index.js';
import type { PkiDeps } from '../../control-plane/pki/index.js';
import { startInProcess } from '../apiserver/helpers/in-process-server.js';
import { shoalctl } from './helpers/shoalctl.js';

const deps: PkiDeps = { now: () => new Date(), randomBytes: (n) => randomBytes(n) };
const DAY = 86_400_000;
const JOIN = /^shoal-agent join (\S+) --token (([a-z0-9]{6})\.[a-z0-9]{16}) --ca-cert-hash (sha256:[0-9a-f]{64})\n$/;

t.test('shoalctl token and certificate against a TLS API server', async (t) => {
  const ca = await createCa({}, deps);
  const serving = await issueServing(ca, { commonName: 'shoal-apiserver' }, {}, deps);
  const credentials = ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(serving.certPem), private_key: Buffer.from(await serving.key!.toPem()) }], false);
  const { address } = await startInProcess(t, { options: { csrSigner: caCsrSigner(ca, deps), credentials } });
  const ctl = shoalctl(t, [address]);
  writeFileSync(join(ctl.dir, 'ca.crt'), ca.certPem);
  writeFileSync(ctl.configPath, `servers: [${address}]\nnamespace: default\ncredentials: {ca: ca.crt}\n`);

  let id = '';
  await t.test('token create prints a join line whose token works and whose hash pins the CA', async (t) => {
    const created = await ctl.call(['token', 'create', '--ttl', '2h', '--description', 'pi fleet']);
    t.equal(created.code, 0, created.stderr);
    const m = JOIN.exec(created.stdout);
    if (m === null) throw new Error(`not a join line: ${created.stdout}`);
    t.equal(m[1], address, 'the first server of the config');
    t.equal(m[4], caCertHash(ca.certPem), 'the hash of the config CA');
    id = m[3]!;
    const got = await ctl.call(['get', 'secret', `bootstrap-token-${id}`, '-n', 'kube-system', '-o', 'json']);
    t.equal(got.code, 0, got.stderr);
    const secret = JSON.parse(got.stdout) as SecretLike;
    const auth = await authenticateBootstrapToken(m[2]!, { lookup: () => secret, now: new Date() });
    t.match(auth, { kind: 'authenticated', user: { name: `system:bootstrap:${id}`, groups: ['system:bootstrappers', 'system:bootstrappers:shoal:default-node-token', 'system:authenticated'] } });
    const later = await authenticateBootstrapToken(m[2]!, { lookup: () => secret, now: new Date(Date.now() + 3 * 3_600_000) });
    t.equal(later.kind, 'refused', 'expired after the ttl');
  });

  await t.test('token list shows ids, never secrets; delete revokes', async (t) => {
    const forever = await ctl.call(['token', 'create', '--ttl', '0', '--groups', 'system:bootstrappers:lab']);
    t.equal(forever.code, 0, forever.stderr);
    const [, , whole, foreverId] = JOIN.exec(forever.stdout) ?? [];
    const listed = await ctl.call(['token', 'list']);
    t.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split('\n');
    t.match(lines[0], /^ID +TTL +EXPIRES +USAGES +DESCRIPTION +EXTRA-GROUPS$/);
    t.match(listed.stdout, new RegExp(`\\n${id} +(1h\\d+m|2h|119m|120m) +\\S+Z +authentication,signing +pi fleet +system:bootstrappers:shoal:default-node-token\\n`));
    t.match(listed.stdout, new RegExp(`\\n${foreverId} +<forever> +<never> +authentication,signing +<none> +system:bootstrappers:lab\\n`));
    t.notMatch(listed.stdout, new RegExp(whole!.split('.')[1]!), 'the secret half is not listed');

    const deleted = await ctl.call(['token', 'delete', id, whole!]);
    t.equal(deleted.code, 0, deleted.stderr);
    t.equal(deleted.stdout, `bootstrap token "${id}" deleted\nbootstrap token "${foreverId}" deleted\n`);
    const after = await ctl.call(['token', 'list']);
    t.equal(after.stdout, '');
    t.match(after.stderr, /No bootstrap tokens/);
    const again = await ctl.call(['token', 'delete', id]);
    t.equal(again.code, 1);
    t.match(again.stderr, /not found/);
    const bad = await ctl.call(['token', 'delete', 'NOT-A-TOKEN']);
    t.equal(bad.code, 2);
    const badTtl = await ctl.call(['token', 'create', '--ttl', 'soon']);
    t.equal(badTtl.code, 2);
    t.match(badTtl.stderr, /--ttl "soon"/);
    const badGroup = await ctl.call(['token', 'create', '--groups', 'system:masters']);
    t.equal(badGroup.code, 2);
    t.match(badGroup.stderr, /must start with "system:bootstrappers:"/);
    t.equal((await ctl.call(['token', 'list'])).stdout, '', 'a refused create leaves nothing');
  });

  await t.test('certificate approve signs a pending request, deny refuses one', async (t) => {
    const csr = async (name: string, cn: string): Promise<string> => {
      const { csrPem } = await createCsr({ commonName: cn, organizations: ['dev'] });
      return `apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata: {name: ${name}}\nspec:\n  request: ${Buffer.from(csrPem).toString('base64')}\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [digital signature, client auth]\n`;
    };
    const applied = await ctl.call(['apply', '-f', ctl.file('csr.yaml', `${await csr('alice', 'alice')}---\n${await csr('bob', 'bob')}`)]);
    t.equal(applied.code, 0, applied.stderr);
    const pending = await ctl.call(['get', 'csr']);
    t.match(pending.stdout, /^NAME +AGE +SIGNERNAME +REQUESTOR +CONDITION\nalice +\S+ +kubernetes.io\/kube-apiserver-client +system:anonymous +Pending\nbob +/);
    const approved = await ctl.call(['certificate', 'approve', 'alice']);
    t.equal(approved.stdout, 'certificatesigningrequest.certificates.k8s.io/alice approved\n', approved.stderr);
    const denied = await ctl.call(['certificate', 'deny', 'bob', '--message', 'unknown person']);
    t.equal(denied.stdout, 'certificatesigningrequest.certificates.k8s.io/bob denied\n', denied.stderr);
    const decided = await ctl.call(['get', 'csr']);
    t.match(decided.stdout, /\nalice +.* Approved,Issued\nbob +.* Denied\n/);
    const alice = JSON.parse((await ctl.call(['get', 'csr', 'alice', '-o', 'json'])).stdout) as { status: { certificate: string } };
    const cert = new X509Certificate(Buffer.from(alice.status.certificate, 'base64'));
    t.equal(cert.subject, 'CN=alice\nO=dev');
    t.ok(cert.verify(new X509Certificate(ca.certPem).publicKey), 'signed by the cluster CA');
    const twice = await ctl.call(['certificate', 'approve', 'alice']);
    t.equal(twice.code, 0, 'approving again is a no-op');
    const flip = await ctl.call(['certificate', 'approve', 'bob']);
    t.equal(flip.code, 1);
    t.match(flip.stderr, /cannot be both Approved and Denied/);
    const missing = await ctl.call(['certificate', 'deny', 'nobody']);
    t.equal(missing.code, 1);
    t.match(missing.stderr, /not found/);
  });
});

t.test('shoalctl token create takes the CA from cluster-info when the config has none', async (t) => {
  const { address, conn } = await startInProcess(t);
  const ctl = shoalctl(t, [address]);
  const none = await ctl.call(['token', 'create']);
  t.equal(none.code, 1);
  t.match(none.stderr, /no cluster CA for the join line/);
  t.equal((await ctl.call(['token', 'list'])).stdout, '', 'no token was created');
  const ca = await createCa({}, deps);
  await conn.create('configmaps', 'kube-public', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info' }, data: { 'ca.crt': ca.certPem, servers: address } });
  const created = await ctl.call(['token', 'create']);
  t.equal(created.code, 0, created.stderr);
  t.equal(JOIN.exec(created.stdout)?.[4], caCertHash(ca.certPem));
});

t.test('shoalctl certs check-expiration and renew on a control plane PKI dir', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const layout = pkiLayout(dir);
  const ca = await createCa({}, deps);
  const certs = await issueControlPlaneCertificates(ca, { name: 'cp-1', dnsNames: [], ipAddresses: ['127.0.0.1'] }, { validityMs: 30 * DAY }, deps);
  await writeControlPlanePki(layout, ca, certs);
  const ctl = shoalctl(t, ['127.0.0.1:1']);
  const notAfter = (pair: (typeof PKI_PAIRS)[number]): number => Date.parse(new X509Certificate(readFileSync(layout.pairs[pair].cert)).validTo);

  const check = await ctl.call(['certs', 'check-expiration', '--pki-dir', dir]);
  t.equal(check.code, 0, check.stderr);
  const rows = check.stdout.trim().split('\n');
  t.match(rows[0], /^CERTIFICATE +EXPIRES +RESIDUAL-TIME +CA$/);
  t.equal(rows.length, 1 + PKI_PAIRS.length, 'one row per certificate');
  t.match(check.stdout, /\nca +[A-Z][a-z]{2} \d\d, \d{4} \d\d:\d\d UTC +(9y|\d+y\d+d) +-\n/);
  t.match(check.stdout, /\napiserver +[A-Z][a-z]{2} \d\d, \d{4} \d\d:\d\d UTC +(29d|30d) +ca\n/);
  const viaPki = await ctl.call(['certs', 'check-expiration', '--pki-dir', layout.dir]);
  t.equal(viaPki.stdout, check.stdout, 'the pki folder itself works too');

  const keyBefore = readFileSync(layout.pairs.apiserver.key, 'utf8');
  const before = notAfter('apiserver');
  const renewed = await ctl.call(['certs', 'renew', 'apiserver', '--pki-dir', dir]);
  t.equal(renewed.code, 0, renewed.stderr);
  t.match(renewed.stdout, /^certificate apiserver renewed: expires .* UTC\n\nRestart shoal-control-plane/);
  t.ok(notAfter('apiserver') > before + 300 * DAY, 'notAfter moved out by the default year');
  t.equal(readFileSync(layout.pairs.apiserver.key, 'utf8'), keyBefore, 'the key is kept');
  const cert = new X509Certificate(readFileSync(layout.pairs.apiserver.cert));
  t.ok(cert.checkPrivateKey(createPrivateKey(keyBefore)), 'the certificate matches the kept key');
  t.ok(cert.verify(new X509Certificate(ca.certPem).publicKey), 'issued by the same CA');
  t.match(cert.subjectAltName, /IP Address:127\.0\.0\.1/, 'same names');

  const adminKey = readFileSync(layout.pairs.admin.key, 'utf8');
  const all = await ctl.call(['certs', 'renew', 'all', '--pki-dir', dir, '--new-key']);
  t.equal(all.code, 0, all.stderr);
  t.equal(all.stdout.split('\n').filter((l) => / renewed with a new key: /.test(l)).length, PKI_PAIRS.length - 1, 'every leaf');
  t.not(readFileSync(layout.pairs.admin.key, 'utf8'), adminKey, '--new-key replaced the key');
  t.equal(new X509Certificate(readFileSync(layout.pairs.admin.cert)).subject, 'CN=shoal-admin\nO=system:masters');

  const caRenew = await ctl.call(['certs', 'renew', 'ca', '--pki-dir', dir]);
  t.equal(caRenew.code, 2);
  const unknown = await ctl.call(['certs', 'renew', 'kubelet', '--pki-dir', dir]);
  t.equal(unknown.code, 2);
  const nowhere = await ctl.call(['certs', 'check-expiration', '--pki-dir', join(dir, 'missing')]);
  t.equal(nowhere.code, 1);
  t.match(nowhere.stderr, /no .*ca\.crt/);
});
