// Signing certificate signing requests under a policy (the node CSR rule of Kubernetes).
import t from 'tap';
import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import type { PkiDeps } from '../../control-plane/pki/index.js';
import { createCa, createCsr, nodeCsrPolicy, PrivateKey, signCsr } from '../../control-plane/pki/index.js';
import * as x509 from '../../control-plane/pki/x509.js';
import { crypto, SIGNING_ALGORITHM } from '../../control-plane/pki/algorithm.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const deps: PkiDeps = { now: () => NOW, randomBytes: (n) => randomBytes(n) };

t.test('csr - a node request is signed as a client certificate for that node', async (t) => {
  const ca = await createCa({}, deps);
  const { csrPem, key } = await createCsr({ commonName: 'system:node:pi-7', organizations: ['system:nodes'] });
  const out = await signCsr(ca, csrPem, nodeCsrPolicy(), {}, deps);
  if (!out.ok) throw new Error(out.reason);
  const x = new X509Certificate(out.issued.certPem);
  t.equal(x.subject, 'CN=system:node:pi-7\nO=system:nodes');
  t.same(x.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'clientAuth only');
  t.ok(x.checkIssued(new X509Certificate(ca.certPem)) && x.verify(new X509Certificate(ca.certPem).publicKey), 'chains to the CA');
  t.ok(x.publicKey.equals(createPublicKey(await key.toPem())), 'the certificate carries the requester\'s key');
  t.equal(out.issued.key, undefined, 'no key is generated for a CSR');
  t.same(out.subject, { commonName: 'system:node:pi-7', organizations: ['system:nodes'], others: [] });
  const pinned = await signCsr(ca, csrPem, nodeCsrPolicy('pi-7'), {}, deps);
  t.ok(pinned.ok, 'a policy pinned to the same node allows it');
});

t.test('csr - the node policy refuses every other subject', async (t) => {
  const ca = await createCa({}, deps);
  const cases: [string, Parameters<typeof createCsr>[0], RegExp, string?][] = [
    ['another user', { commonName: 'admin', organizations: ['system:nodes'] }, /does not start with "system:node:"/],
    ['admin group', { commonName: 'system:node:a', organizations: ['system:masters'] }, /O must be exactly "system:nodes"/],
    ['an extra group', { commonName: 'system:node:a', organizations: ['system:nodes', 'system:masters'] }, /O must be exactly/],
    ['no group', { commonName: 'system:node:a' }, /O must be exactly/],
    ['a bad node name', { commonName: 'system:node:Bad_Name', organizations: ['system:nodes'] }, /not a valid node name/],
    ['an empty node name', { commonName: 'system:node:', organizations: ['system:nodes'] }, /not a valid node name/],
    ['another node than the pinned one', { commonName: 'system:node:b', organizations: ['system:nodes'] }, /not "a"/, 'a'],
  ];
  for (const [what, subject, reason, pin] of cases) {
    const { csrPem } = await createCsr(subject);
    const out = await signCsr(ca, csrPem, nodeCsrPolicy(pin), {}, deps);
    t.match(out, { ok: false, code: 'csr-refused', reason }, what);
  }
  // other subject attributes (OU) are refused too
  const k = await PrivateKey.generate();
  const ou = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: [{ CN: ['system:node:a'] }, { O: ['system:nodes'] }, { OU: ['x'] }], keys: { privateKey: k.privateKey, publicKey: k.publicKey }, signingAlgorithm: SIGNING_ALGORITHM },
    crypto,
  );
  t.match(await signCsr(ca, ou.toString('pem'), nodeCsrPolicy(), {}, deps), { ok: false, code: 'csr-refused', reason: /OU=x/ });
});

t.test('csr - malformed or forged requests are refused; requested extensions are ignored', async (t) => {
  const ca = await createCa({}, deps);
  t.match(await signCsr(ca, 'hello', nodeCsrPolicy(), {}, deps), { ok: false, code: 'bad-csr' });
  const { csrPem } = await createCsr({ commonName: 'system:node:a', organizations: ['system:nodes'] });
  // flip a byte inside the signed part: the signature no longer verifies
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  const i = der.indexOf(Buffer.from('system:node:a'));
  der[i + 12] = 'b'.charCodeAt(0);
  const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  t.match(await signCsr(ca, forged, nodeCsrPolicy(), {}, deps), { ok: false, code: 'bad-csr', reason: /signature/ });

  const k = await PrivateKey.generate();
  const greedy = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: [{ CN: ['system:node:a'] }, { O: ['system:nodes'] }],
      keys: { privateKey: k.privateKey, publicKey: k.publicKey },
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'kubernetes' }])],
    },
    crypto,
  );
  const out = await signCsr(ca, greedy.toString('pem'), nodeCsrPolicy(), {}, deps);
  if (!out.ok) throw new Error(out.reason);
  const x = new X509Certificate(out.issued.certPem);
  t.notOk(x.ca, 'CA:TRUE is not granted');
  t.equal(x.subjectAltName, undefined, 'requested SANs are not granted');
  t.same(x.keyUsage, ['1.3.6.1.5.5.7.3.2']);
});

t.test('csr - the policy is a parameter', async (t) => {
  const ca = await createCa({}, deps);
  const { csrPem } = await createCsr({ commonName: 'deploy-bot', organizations: ['ci'] });
  t.match(await signCsr(ca, csrPem, () => ({ allowed: false, reason: 'closed' }), {}, deps), { ok: false, reason: 'closed' });
  const out = await signCsr(ca, csrPem, (s) => (s.organizations.includes('ci') ? { allowed: true } : { allowed: false, reason: 'no' }), {}, deps);
  t.ok(out.ok);
});
