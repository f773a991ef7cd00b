// Everything a control-plane host needs, issued and written into <data-dir>/pki.
import t from 'tap';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueControlPlaneCertificates, PKI_PAIRS, pkiLayout, writeControlPlanePki } from '../../control-plane/pki/index.js';

const deps = { now: () => new Date(), randomBytes: (n: number) => randomBytes(n) };

t.test('control-plane pki - one host: every pair written, chained to the CA, with its usage', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'shoal-cp-pki-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const ca = await createCa({}, deps);
  const certs = await issueControlPlaneCertificates(ca, { name: 'cp1', dnsNames: ['cp1.lan'], ipAddresses: ['10.0.0.11'] }, {}, deps);
  const layout = pkiLayout(data);
  await writeControlPlanePki(layout, ca, certs);
  t.same(readdirSync(layout.dir).sort(), PKI_PAIRS.flatMap((p) => [`${p}.crt`, `${p}.key`]).sort());
  const caX = new X509Certificate(readFileSync(layout.pairs.ca.cert));
  const x = (p: (typeof PKI_PAIRS)[number]): X509Certificate => new X509Certificate(readFileSync(layout.pairs[p].cert));
  for (const p of PKI_PAIRS) {
    t.equal(statSync(layout.pairs[p].key).mode & 0o777, 0o600, `${p}.key is 0600`);
    t.ok(x(p).verify(caX.publicKey), `${p} chains to the CA`);
  }
  t.match(x('apiserver').subjectAltName, /DNS:cp1, DNS:cp1\.lan, .*DNS:kubernetes\.default\.svc.*IP Address:10\.0\.0\.11, IP Address:127\.0\.0\.1/);
  t.same(x('store-server').keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'store-server serves and dials the leader');
  t.same(x('store-peer').keyUsage?.sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  t.equal(x('store-peer').checkIP('10.0.0.11'), '10.0.0.11');
  t.equal(x('admin').subject, 'CN=shoal-admin\nO=system:masters');
  t.equal(x('scheduler').subject, 'CN=system:kube-scheduler');
  t.same(x('controller-manager').keyUsage, ['1.3.6.1.5.5.7.3.2']);
});
