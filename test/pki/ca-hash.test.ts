// The CA pin must equal what kubeadm prints, i.e. what this openssl pipeline computes.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caCertHash, checkCaCertHash, createCa } from '../../control-plane/pki/index.js';
import { run } from '../store/helpers/store-cluster.js';

const deps = { now: () => new Date(), randomBytes: (n: number) => randomBytes(n) };

t.test('ca hash - sha256 of the DER SubjectPublicKeyInfo, as openssl computes it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-ca-hash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createCa({}, deps);
  const file = join(dir, 'ca.crt');
  writeFileSync(file, ca.certPem);
  const r = await run('bash', ['-c', `openssl x509 -pubkey -noout -in '${file}' | openssl pkey -pubin -outform der | sha256sum`]);
  t.equal(r.code, 0, r.stderr);
  const hex = r.stdout.split(/\s/)[0]!;
  t.match(hex, /^[0-9a-f]{64}$/);
  t.equal(caCertHash(ca.certPem), `sha256:${hex}`);
});

t.test('ca hash - the check accepts the pin and refuses anything else', async (t) => {
  const ca = await createCa({}, deps);
  const other = await createCa({}, deps);
  const pin = caCertHash(ca.certPem);
  t.doesNotThrow(() => checkCaCertHash(ca.certPem, pin));
  t.doesNotThrow(() => checkCaCertHash(ca.certPem, pin.toUpperCase().replace('SHA256', 'sha256')), 'hex case does not matter');
  t.throws(() => checkCaCertHash(other.certPem, pin), { code: 'ca-hash-mismatch' });
  t.throws(() => checkCaCertHash(ca.certPem, pin.slice(0, -1)), { code: 'bad-ca-hash' });
  t.throws(() => checkCaCertHash(ca.certPem, pin.replace('sha256:', 'md5:')), { code: 'bad-ca-hash' });
  t.throws(() => checkCaCertHash('nope', pin), { code: 'bad-pem' });
});
