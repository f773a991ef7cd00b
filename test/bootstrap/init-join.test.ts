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

// Every step starts processes (tsx compiles at start): on a loaded 2-core machine this file
// takes minutes, so it asks the runner for more than the default 300 s.
t.setTimeout(600_000);

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
  // A service range other than the default: the joins must follow it (they are not given it).
  const a = await c.init('a', 60_000, ['--service-cluster-ip-range', '10.100.0.0/16']);
  t.ok(c.join !== undefined, 'init printed the control-plane join line');
  t.equal(statSync(a.adminConfig).mode & 0o777, 0o600, 'admin config is 0600');
  t.equal(statSync(a.layout.pki.pairs.ca.key).mode & 0o777, 0o600, 'CA key is 0600');
  t.match(readFileSync(a.layout.stateFile, 'utf8'), /initial-cluster-state: new/, 'state file records the flags');

  // B joins while three joins with bad material are refused (in parallel: processes start slowly here).
  const refused = async (name: string, over: Parameters<SecureCluster['joinFails']>[1], message: RegExp): Promise<void> => {
    const r = await c.joinFails(name, over);
    t.ok(r.code !== null && r.code !== 0, `${name}: join exits non-zero (${r.code})`);
    t.match(r.stderr, message, `${name}: the error says what is wrong`);
    t.notOk(existsSync(r.host.dataDir), `${name}: no data directory`);
    t.notOk(existsSync(r.host.adminConfig), `${name}: no admin config`);
  };
  const bJoined = c.joinHost('b').then(() => c.waitJoined('b'));
  await Promise.all([
    refused('bad-hash', { caCertHash: ZERO_HASH }, /does not match --ca-cert-hash/),
    refused('bad-key', { certificateKey: 'f'.repeat(64) }, /certificate key/),
    // Without API security (C1 not parsed yet) the API server ignores tokens.
    ...(c.features.apiSecurity ? [refused('bad-token', { token: 'abcdef.0123456789abcdef' }, /token/)] : []),
    bJoined,
  ]);
  t.same((await c.members()).map((m) => m.name).sort(), ['a', 'b'], 'the refused joins added no store member');

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
  for (const h of c.hosts) t.match(readFileSync(h.layout.stateFile, 'utf8'), /service-cluster-ip-range: 10\.100\.0\.0\/16/, `${h.name} runs with the cluster's service range`);
  const kubernetes = (await writer.resource('services', 'default').get('kubernetes')) as { spec?: { clusterIP?: string } };
  t.equal(kubernetes.spec?.clusterIP, '10.100.0.1', 'the kubernetes Service has the first address of that range');

  const ctl = await c.shoalctl(['get', 'configmaps', 'w-0', '-o', 'json']);
  t.equal(ctl.code, 0, `shoalctl works with the admin config${ctl.code === 0 ? "" : `: ${ctl.stderr}`}`);
  t.match(ctl.stdout, /"name": "w-0"/);

  if (c.features.apiSecurity) {
    t.test('store and API refuse clients without credentials', async (t) => {
      const noCert = await c.etcdctl(['get', 'x'], { tls: ['--cacert', a.layout.pki.pairs.ca.cert], endpoints: a.clientUrl });
      t.not(noCert.code, 0, 'etcdctl without a client certificate is refused');
      const anon = new ShoalClient({ servers: [a.api], credentials: { kind: 'tls', ca: readFileSync(a.layout.pki.pairs.ca.cert) }, retry: { maxAttempts: 1, maxElapsedMs: 10_000, backoff: defaultBackoff } });
      t.teardown(() => anon.close());
      const outcome = await anon.resource('configmaps', 'default').get('w-0').then(
        () => 'answered',
        (e: unknown) => (isUnauthorized(e) ? 'UNAUTHENTICATED' : (e as Error).message),
      );
      t.equal(outcome, 'UNAUTHENTICATED', 'an API call without credentials is refused');
    });
  } else {
    t.comment('this build does not parse the API server security flags (C1) yet: TLS assertions skipped');
  }

  t.test('set-up hosts restart: --config-file, join again, init again', async (t) => {
    const caBefore = readFileSync(a.layout.pki.pairs.ca.cert, 'utf8');
    await Promise.all(['a', 'b', 'c'].map((n) => c.kill(n, 'SIGTERM')));
    c.rerun('a', ['init', ...c.hostArgs(a)]); // init on an initialised data directory: just starts
    c.restart('b'); // --config-file D/control-plane.yaml
    c.rerun('c', c.joinArgs(c.host('c'))); // join on a joined data directory: just starts
    await Promise.all(['a', 'b', 'c'].map((n) => c.waitJoined(n)));
    t.pass('all three hosts serve again');
    t.equal(readFileSync(a.layout.pki.pairs.ca.cert, 'utf8'), caBefore, 'init again kept the CA');
    t.equal((await c.members()).length, 3, 'still three members');
  });
});
