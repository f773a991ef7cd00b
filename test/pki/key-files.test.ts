// Key files are 0600 from their first byte, certificates 0644, the directory 0700; writes are
// atomic (no temp file left, an existing file replaced whole); keys never show in logs.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createCa, inspectCertificate, issueClient, loadCa, pkiLayout, writeIssued, writeSecretFile } from '../../control-plane/pki/index.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const deps = { now: () => NOW, randomBytes: (n: number) => randomBytes(n) };
const mode = (p: string): number => statSync(p).mode & 0o777;

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-key-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('key files - the control-plane layout with 0600 keys and 0644 certificates', async (t) => {
  const data = tempDir(t);
  const layout = pkiLayout(data);
  t.equal(layout.dir, join(data, 'pki'));
  t.equal(layout.pairs.ca.cert, join(data, 'pki', 'ca.crt'));
  t.equal(layout.pairs['store-peer'].key, join(data, 'pki', 'store-peer.key'));
  const ca = await createCa({}, deps);
  await writeIssued(layout.pairs.ca, ca);
  await writeIssued(layout.pairs.admin, await issueClient(ca, 'kubernetes-admin', ['system:masters'], {}, deps));
  t.equal(mode(layout.dir), 0o700, 'pki dir 0700');
  for (const p of ['ca', 'admin'] as const) {
    t.equal(mode(layout.pairs[p].key), 0o600, `${p}.key 0600`);
    t.equal(mode(layout.pairs[p].cert), 0o644, `${p}.crt 0644`);
  }
  t.same(readdirSync(layout.dir).sort(), ['admin.crt', 'admin.key', 'ca.crt', 'ca.key'], 'no temp files left behind');
  const back = await loadCa(readFileSync(layout.pairs.ca.cert, 'utf8'), readFileSync(layout.pairs.ca.key, 'utf8'));
  t.equal(back.certPem, ca.certPem, 'the files read back');
});

t.test('key files - replacing a world-readable file leaves a 0600 file, whatever the umask', async (t) => {
  const dir = tempDir(t);
  const p = join(dir, 'x.key');
  writeFileSync(p, 'old', { mode: 0o644 });
  const old = process.umask(0);
  try {
    await writeSecretFile(p, 'new secret');
  } finally {
    process.umask(old);
  }
  t.equal(mode(p), 0o600);
  t.equal(readFileSync(p, 'utf8'), 'new secret');
  await t.rejects(writeSecretFile(join(dir, 'missing', 'y.key'), 'z'), { code: 'file-failed' });
  t.same(readdirSync(dir), ['x.key'], 'a failed write leaves nothing');
});

t.test('key files - a private key is redacted in JSON and inspect', async (t) => {
  const ca = await createCa({}, deps);
  const pem = await ca.key.toPem();
  t.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
  const body = pem.split('\n')[1]!;
  t.notMatch(JSON.stringify({ ca }), body);
  t.notMatch(inspect(ca, { depth: 10 }), body);
  t.match(JSON.stringify({ key: ca.key }), /redacted/);
});

t.test('expiry - subject, issuer, notAfter and days left', async (t) => {
  const ca = await createCa({}, deps);
  const c = await issueClient(ca, 'alice', ['dev'], { validityMs: 30 * 86_400_000 }, deps);
  const e = inspectCertificate(c.certPem, new Date(NOW.getTime() + 10 * 86_400_000));
  t.match(e, { subject: 'CN=alice, O=dev', issuer: 'CN=shoal-ca', daysLeft: 20, expired: false, notYetValid: false, isCa: false });
  t.same(e.notAfter, new Date(NOW.getTime() + 30 * 86_400_000));
  t.match(inspectCertificate(c.certPem, new Date(NOW.getTime() + 31 * 86_400_000)), { expired: true, daysLeft: -1 });
  t.match(inspectCertificate(c.certPem, new Date(NOW.getTime() - 2 * 3_600_000)), { notYetValid: true });
  t.match(inspectCertificate(ca.certPem, NOW), { isCa: true, daysLeft: 3650 });
});
