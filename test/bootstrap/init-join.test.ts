// bootstrap - init on host A, join B and C (three "hosts" on 127.0.0.1, each its own data dir
// and ports): the store has three started voters, a join with a wrong CA hash or certificate key
// is refused with nothing written, the cluster keeps taking writes while C catches up, cluster-
// info lists every API server, and set-up hosts restart from their state file or by re-running
// init/join. With the API server's security flags (C1) parsed by this build, also: etcdctl
// without a client certificate is refused, shoalctl works with the admin config over TLS, and an
// API call without credentials is refused.
import t from 'tap';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { defaultBackoff, ShoalClient } from '../../client/index.js';
import { isUnauthorized } from '../../client/errors.js';
import { SecureCluster } from './helpers/secure-cluster.js';

const ZERO_HASH = `sha256:${'0'.repeat(64)}`;

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('bootstrap - init and two joins make a 3-host control plane', async (t) => {
  const c = await SecureCluster.create(t);
  const a = await c.init('a');
  t.ok(c.join !== undefined, 'init printed the control-plane join line');
  t.equal(statSync(a.adminConfig).mode & 0o777, 0o600, 'admin config is 0600');
  t.equal(statSync(a.layout.pki.pairs.ca.key).mode & 0o777, 0o600, 'CA key is 0600');
  t.match(readFileSync(a.layout.stateFile, 'utf8'), /initial-cluster-state: new/, 'state file records the flags');

  t.test('a wrong --ca-cert-hash is refused and nothing is written', async (t) => {
    const r = await c.joinFails('bad-hash', { caCertHash: ZERO_HASH });
    t.not(r.code, 0, 'join exits non-zero');
    t.match(r.stderr, /does not match --ca-cert-hash/, 'the error names the CA hash');
    t.notOk(existsSync(r.host.dataDir), 'no data directory');
    t.notOk(existsSync(r.host.adminConfig), 'no admin config');
  });
  t.test('a wrong --certificate-key is refused and nothing is written', async (t) => {
    const r = await c.joinFails('bad-key', { certificateKey: 'f'.repeat(64) });
    t.not(r.code, 0);
    t.match(r.stderr, /certificate key/);
    t.notOk(existsSync(r.host.dataDir), 'no data directory');
  });
  if (c.features.apiSecurity) {
    t.test('an unknown token is refused and nothing is written', async (t) => {
      const r = await c.joinFails('bad-token', { token: 'abcdef.0123456789abcdef' });
      t.not(r.code, 0);
      t.match(r.stderr, /token/);
      t.notOk(existsSync(r.host.dataDir), 'no data directory');
    });
  }
  t.equal((await c.members()).length, 1, 'the refused joins added no store member');

  await c.joinHost('b');
  await c.waitJoined('b');

  // C joins while a client keeps writing through A's API server.
  const writer = await c.client('a');
  t.teardown(() => writer.close());
  let writes = 0;
  const failures: string[] = [];
  let writing = true;
  const loop = (async () => {
    for (let i = 0; writing && i < 10_000; i++) {
      try {
        await writer.resource('configmaps', 'default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w-${i}` }, data: { i: String(i) } });
        writes++;
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
  })();
  await c.joinHost('c');
  await c.waitJoined('c');
  const whileJoining = writes;
  writing = false;
  await loop;
  t.ok(whileJoining > 0, `writes went on while c joined (${whileJoining})`);
  t.same(failures, [], 'no write failed while c joined');

  const members = await c.members();
  t.equal(members.length, 3, 'three store members');
  t.same(members.map((m) => m.name).sort(), ['a', 'b', 'c'], 'all started');
  t.ok(members.every((m) => m.isLearner !== true), 'all voters');

  await waitFor('cluster-info to list every API server', async () => {
    const cm = (await writer.resource('configmaps', 'kube-public').get('cluster-info')) as { data?: Record<string, string> };
    return c.hosts.every((h) => (cm.data?.['servers'] ?? '').split(',').includes(h.api));
  });
  t.pass('cluster-info lists a, b and c');

  const ctl = await c.shoalctl(['get', 'configmaps', 'w-0', '-o', 'json']);
  t.equal(ctl.code, 0, `shoalctl works with the admin config: ${ctl.stderr}`);
  t.match(ctl.stdout, /"name": "w-0"/);

  if (c.features.apiSecurity) {
    t.test('store and API refuse clients without credentials', async (t) => {
      const noCert = await c.etcdctl(['get', 'x'], { tls: ['--cacert', a.layout.pki.pairs.ca.cert], endpoints: a.clientUrl });
      t.not(noCert.code, 0, 'etcdctl without a client certificate is refused');
      const anon = new ShoalClient({ servers: [a.api], credentials: { kind: 'tls', ca: readFileSync(a.layout.pki.pairs.ca.cert) }, retry: { maxAttempts: 1, maxElapsedMs: 10_000, backoff: defaultBackoff } });
      t.teardown(() => anon.close());
      await t.rejects(anon.resource('configmaps', 'default').get('w-0'), (e: unknown) => isUnauthorized(e), 'no credentials: UNAUTHENTICATED');
    });
  } else {
    t.comment('this build does not parse the API server security flags (C1) yet: TLS assertions skipped');
  }

  t.test('set-up hosts restart: --config-file, join again, init again', async (t) => {
    const caBefore = readFileSync(a.layout.pki.pairs.ca.cert, 'utf8');
    await c.kill('b', 'SIGTERM');
    c.restart('b');
    await c.waitJoined('b');
    t.pass('b restarted from --config-file D/control-plane.yaml');
    await c.kill('a', 'SIGTERM');
    // init on an initialised data directory: just starts.
    c.rerun('a', ['init', ...c.hostArgs(a)]);
    await c.waitJoined('a');
    t.equal(readFileSync(a.layout.pki.pairs.ca.cert, 'utf8'), caBefore, 'init again kept the CA');
    await c.kill('c', 'SIGTERM');
    c.rerun('c', c.joinArgs(c.host('c')));
    await c.waitJoined('c');
    t.pass('join again on a joined data directory just starts');
    t.equal((await c.members()).length, 3, 'still three members');
  });
});
