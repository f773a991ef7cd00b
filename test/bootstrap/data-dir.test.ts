// bootstrap - what init writes into a data directory (without starting anything): keys 0600,
// certificates with the host's SANs, client configs in client/config.ts format, the state file;
// a second init keeps the CA and the flags.
import t from 'tap';
import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_FEATURES, dataDirLayout, parseInitOptions, prepareInit, readFlagsFile } from '../../control-plane/bootstrap/index.js';
import { loadConfig } from '../../client/config.js';

t.test('bootstrap - init sets up a data directory once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-init-dir-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const o = parseInitOptions(['--data-dir', join(dir, 'd'), '--name', 'cp1', '--advertise-address', '127.0.0.2', '--listen-address', '127.0.0.3', '--admin-config', join(dir, 'admin.conf')], undefined);
  const printed: string[] = [];
  const deps = { pki: { now: () => new Date(), randomBytes: (n: number) => randomBytes(n) }, features: ALL_FEATURES, print: (s: string) => void printed.push(s) };
  const first = await prepareInit(o, deps);
  const d = dataDirLayout(o.dataDir);
  t.ok(first.afterApi, 'publishing is still to do');
  t.same(printed, [], 'nothing printed before the API answers');
  for (const f of [d.pki.pairs.ca.key, d.pki.pairs.apiserver.key, d.serviceAccountKey, d.encryptionConfig, d.stateFile, o.adminConfig, d.schedulerConfig]) {
    t.equal(statSync(f).mode & 0o777, 0o600, `${f.slice(dir.length)} is 0600`);
  }
  t.equal(statSync(d.pki.dir).mode & 0o777, 0o700, 'pki dir 0700');
  const san = new X509Certificate(readFileSync(d.pki.pairs.apiserver.cert)).subjectAltName ?? '';
  for (const want of ['DNS:cp1', 'DNS:localhost', 'IP Address:127.0.0.2', 'IP Address:127.0.0.3', 'IP Address:127.0.0.1', 'DNS:kubernetes.default.svc']) t.match(san, want, `apiserver SAN ${want}`);
  const admin = (await loadConfig({ path: o.adminConfig })).config;
  t.same(admin.servers, ['127.0.0.2:6443']);
  t.equal(admin.credentials.cert, d.pki.pairs.admin.cert, 'admin config names the admin certificate');
  const sched = (await loadConfig({ path: d.schedulerConfig })).config;
  t.equal(sched.credentials.cert, d.pki.pairs.scheduler.cert, 'the scheduler has its own identity');
  const flags = await readFlagsFile(d.stateFile);
  t.equal(flags['api-tls-cert-file'], d.pki.pairs.apiserver.cert);
  t.equal(flags['client-cert-auth'], true);

  const ca = readFileSync(d.pki.pairs.ca.cert, 'utf8');
  const second = await prepareInit({ ...o, advertiseAddress: '127.0.0.9' }, deps);
  t.equal(readFileSync(d.pki.pairs.ca.cert, 'utf8'), ca, 'a second init keeps the CA');
  t.same(second.argv, first.argv, 'and runs with the recorded flags');
});
