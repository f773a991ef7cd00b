// CA and leaf issuance, checked with Node's own X.509 (OpenSSL), not with the library that made them.
import t from 'tap';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as x509 from '../../control-plane/pki/x509.js';
import type { PkiDeps } from '../../control-plane/pki/index.js';
import { createCa, issueClient, issueLeaf, issueServing, loadCa, PkiError, renewCertificate } from '../../control-plane/pki/index.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const deps: PkiDeps = { now: () => NOW, randomBytes: (n) => randomBytes(n) };
const date = (s: string): number => new Date(s).getTime();

t.test('pki - the CA is a self-signed 10-year P-256 CA, backdated an hour', async (t) => {
  const ca = await createCa({}, deps);
  const x = new X509Certificate(ca.certPem);
  t.equal(x.subject, 'CN=shoal-ca');
  t.ok(x.ca, 'basicConstraints CA:TRUE');
  t.ok(x.checkIssued(x) && x.verify(x.publicKey), 'self-signed');
  t.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  t.equal(date(x.validFrom), NOW.getTime() - HOUR, 'notBefore = now - 1 h');
  t.equal(date(x.validTo), NOW.getTime() + 3650 * DAY, 'notAfter = now + 10 years');
  const ku = new x509.X509Certificate(ca.certPem).getExtension(x509.KeyUsagesExtension)!;
  t.ok(ku.usages & x509.KeyUsageFlags.keyCertSign, 'keyCertSign');
  t.ok(ku.critical, 'key usage is critical');
});

t.test('pki - serving certificates carry every name and address plus localhost/127.0.0.1', async (t) => {
  const ca = await createCa({}, deps);
  const caX = new X509Certificate(ca.certPem);
  const s = await issueServing(ca, { commonName: 'apiserver', dnsNames: ['cp1', 'cp1.edge.example'], ipAddresses: ['10.1.2.3', 'fd00::1'] }, {}, deps);
  const x = new X509Certificate(s.certPem);
  t.ok(x.checkIssued(caX), 'issued by the CA');
  t.ok(x.verify(caX.publicKey), 'signature verifies with the CA key');
  t.notOk(x.ca);
  t.same(
    x.subjectAltName!.split(', ').sort(),
    ['DNS:cp1', 'DNS:cp1.edge.example', 'DNS:localhost', 'IP Address:10.1.2.3', 'IP Address:127.0.0.1', 'IP Address:FD00:0:0:0:0:0:0:1'].sort(),
  );
  t.same(x.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: serverAuth only');
  t.equal(x.checkHost('cp1.edge.example'), 'cp1.edge.example');
  t.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
  t.equal(date(x.validFrom), NOW.getTime() - HOUR, 'backdated 1 h by default');
  t.equal(date(x.validTo), NOW.getTime() + 365 * DAY, 'one year by default');
  t.ok(s.key, 'a key was generated');
  t.ok(x.checkPrivateKey((await import('node:crypto')).createPrivateKey(await s.key!.toPem())), 'the key is the certificate key');
  const ku = new x509.X509Certificate(s.certPem).getExtension(x509.KeyUsagesExtension)!;
  t.equal(ku.usages, x509.KeyUsageFlags.digitalSignature, 'key usage: digitalSignature');
});

t.test('pki - client certificates: CN = user, O = groups, clientAuth', async (t) => {
  const ca = await createCa({}, deps);
  const c = await issueClient(ca, 'alice', ['dev', 'system:masters'], {}, deps);
  const x = new X509Certificate(c.certPem);
  t.equal(x.subject, 'CN=alice\nO=dev\nO=system:masters');
  t.same(x.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  t.equal(x.subjectAltName, undefined, 'no SANs');
  t.ok(x.verify(new X509Certificate(ca.certPem).publicKey));
  const p = await issueLeaf(ca, { commonName: 'store-peer', usage: 'peer', ipAddresses: ['127.0.0.1'] }, {}, deps);
  t.same(new X509Certificate(p.certPem).keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'peer: serverAuth and clientAuth');
  // a subject string cannot smuggle attributes in: it is one CN value, not parsed
  const sneaky = new X509Certificate((await issueClient(ca, 'bob,O=system:masters', [], {}, deps)).certPem);
  t.equal(sneaky.subject, 'CN=bob\\,O=system:masters', 'a single CN (the comma is escaped)');
});

t.test('pki - backdate and validity are configurable; a leaf never outlives its CA', async (t) => {
  const ca = await createCa({ validityMs: 30 * DAY, backdateMs: 0 }, deps);
  t.equal(date(new X509Certificate(ca.certPem).validFrom), NOW.getTime());
  const c = await issueClient(ca, 'u', [], { backdateMs: 6 * HOUR, validityMs: 2 * DAY }, deps);
  const x = new X509Certificate(c.certPem);
  t.equal(date(x.validFrom), NOW.getTime() - 6 * HOUR);
  t.equal(date(x.validTo), NOW.getTime() + 2 * DAY);
  const long = new X509Certificate((await issueClient(ca, 'u', [], {}, deps)).certPem);
  t.equal(date(long.validTo), NOW.getTime() + 30 * DAY, 'capped at the CA notAfter');
  await t.rejects(issueClient(ca, 'u', [], { validityMs: -1 }, deps), /validityMs/);
  const later: PkiDeps = { ...deps, now: () => new Date(NOW.getTime() + 31 * DAY) };
  await t.rejects(issueClient(ca, 'u', [], {}, later), { code: 'bad-validity' });
});

t.test('pki - bad names are refused', async (t) => {
  const ca = await createCa({}, deps);
  await t.rejects(issueServing(ca, { commonName: 's', dnsNames: ['bad name'] }, {}, deps), { code: 'bad-san', message: /"bad name" is not a DNS name/ });
  await t.rejects(issueServing(ca, { commonName: 's', ipAddresses: ['10.0.0.300'] }, {}, deps), { code: 'bad-san' });
  await t.rejects(issueLeaf(ca, { commonName: 's', usage: 'server' }, {}, deps), { code: 'bad-san', message: /needs at least one/ });
  await t.rejects(issueClient(ca, '', [], {}, deps), { code: 'bad-subject' });
});

t.test('pki - loadCa reads the PEM files back and checks them', async (t) => {
  const ca = await createCa({}, deps);
  const again = await loadCa(ca.certPem, await ca.key.toPem());
  const c = await issueClient(again, 'u', [], {}, deps);
  t.ok(new X509Certificate(c.certPem).verify(new X509Certificate(ca.certPem).publicKey), 'the loaded CA signs');
  const other = await createCa({}, deps);
  await t.rejects(loadCa(ca.certPem, await other.key.toPem()), { code: 'key-mismatch' });
  await t.rejects(loadCa(c.certPem, await ca.key.toPem()), { code: 'not-a-ca' });
  await t.rejects(loadCa('junk', await ca.key.toPem()), { code: 'bad-pem' });
  const err = await loadCa(ca.certPem, 'not a key').catch((e: unknown) => e);
  t.ok(err instanceof PkiError && err.code === 'bad-key' && !err.message.includes('not a key'), 'a bad key is refused without echoing it');
});

t.test('pki - renew issues a new certificate for the same subject, names and usage', async (t) => {
  const ca = await createCa({}, deps);
  const old = await issueServing(ca, { commonName: 'store-peer', ipAddresses: ['10.0.0.7'], usage: 'peer' }, {}, deps);
  const later: PkiDeps = { ...deps, now: () => new Date(NOW.getTime() + 300 * DAY) };
  const renewed = await renewCertificate(ca, old.certPem, {}, later);
  const a = new X509Certificate(old.certPem);
  const b = new X509Certificate(renewed.certPem);
  t.equal(b.subject, a.subject);
  t.equal(b.subjectAltName, a.subjectAltName);
  t.same(b.keyUsage, a.keyUsage);
  t.not(b.serialNumber, a.serialNumber);
  t.equal(date(b.validTo), NOW.getTime() + 665 * DAY);
  t.ok(renewed.key, 'a new key by default');
  const sameKey = await renewCertificate(ca, old.certPem, { publicKey: old.key!.publicKey }, later);
  t.ok(new X509Certificate(sameKey.certPem).publicKey.equals(a.publicKey), 'or the given key');
  const stranger = await issueClient(await createCa({}, deps), 'x', [], {}, deps);
  await t.rejects(renewCertificate(ca, stranger.certPem, {}, deps), /was not issued by the CA/);
});
