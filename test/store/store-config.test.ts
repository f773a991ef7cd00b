// Configuration (etcd's flag names, the YAML config file), member ids and the leader's lease
// clock: pure parts, tested alone.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_QUOTA_BYTES, loadConfig, parseRetentionMs } from '../../control-plane/store/config.js';
import { clusterIdOf, memberIdOf } from '../../control-plane/store/member-id.js';
import { LeaseClock } from '../../control-plane/store/server/lease-clock.js';

t.test('config - etcd defaults', async (t) => {
  const c = loadConfig([]);
  t.equal(c.name, 'default');
  t.same(c.listenClientUrls, ['http://127.0.0.1:2379']);
  t.same(c.initialAdvertisePeerUrls, ['http://127.0.0.1:2380']);
  t.same([...c.initialCluster], [['default', ['http://127.0.0.1:2380']]]);
  t.equal(c.initialClusterState, 'new');
  t.equal(c.initialClusterToken, 'etcd-cluster');
  t.equal(c.quotaBackendBytes, DEFAULT_QUOTA_BYTES);
  t.equal(c.maxRequestBytes, 1572864);
  t.equal(c.heartbeatIntervalMs, 100);
  t.equal(c.electionTimeoutMs, 1000);
  t.equal(c.autoCompactionRetention, 0);
  t.equal(c.fsync, true);
});

t.test('config - flags, --flag=value, and a YAML file that flags override', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'store.yaml');
  writeFileSync(
    file,
    [
      'name: infra2',
      'data-dir: /var/lib/shoal/infra2',
      'listen-peer-urls: http://127.0.0.1:22380',
      'initial-advertise-peer-urls: http://127.0.0.1:22380',
      'initial-cluster: infra1=http://127.0.0.1:2380,infra2=http://127.0.0.1:22380',
      'initial-cluster-state: existing',
      'quota-backend-bytes: 1048576',
      'auto-compaction-mode: revision',
      'auto-compaction-retention: 1000',
      'election-timeout: 2000',
    ].join('\n'),
  );
  const c = loadConfig(['--config-file', file, '--data-dir=/tmp/override', '--listen-client-urls', 'http://127.0.0.1:22379']);
  t.equal(c.name, 'infra2');
  t.equal(c.dataDir, '/tmp/override', 'flags win');
  t.same(c.listenClientUrls, ['http://127.0.0.1:22379']);
  t.same(c.advertiseClientUrls, ['http://127.0.0.1:22379'], 'advertised = listened by default');
  t.equal(c.initialClusterState, 'existing');
  t.equal(c.quotaBackendBytes, 1048576);
  t.equal(c.autoCompactionMode, 'revision');
  t.equal(c.autoCompactionRetention, 1000);
  t.equal(c.electionTimeoutMs, 2000);
  writeFileSync(file, 'nmae: typo\n');
  t.throws(() => loadConfig(['--config-file', file]), /unknown key "nmae"/);
});

t.test('config - bad values are refused before anything starts', async (t) => {
  const bad: [string[], RegExp][] = [
    [['--nope'], /unknown flag --nope/],
    [['--name'], /needs a value/],
    [['--initial-cluster-state', 'maybe'], /new or existing/],
    [['--listen-client-urls', 'https://127.0.0.1:2379'], /--cert-file and --key-file are required/],
    [['--listen-client-urls', 'ftp://127.0.0.1:2379'], /only http:\/\/ and https/],
    [['--listen-client-urls', 'http://127.0.0.1'], /port is required/],
    [['--name', 'a', '--initial-cluster', 'b=http://127.0.0.1:2380'], /no member named "a"/],
    [['--initial-cluster', 'default=http://127.0.0.1:9999'], /but --initial-advertise-peer-urls/],
    [['--heartbeat-interval', '500'], /at least 5 times/],
    [['--quota-backend-bytes', '-1'], /integer >= 0/],
    [['--auto-compaction-retention', '1x'], /not a duration/],
  ];
  for (const [argv, re] of bad) t.throws(() => loadConfig(argv), { name: 'ConfigError', message: re }, argv.join(' '));
  t.ok(new ConfigError('x') instanceof Error);
});

t.test('config - retention durations as etcd reads them', async (t) => {
  t.equal(parseRetentionMs('1'), 3_600_000, 'a bare number is hours');
  t.equal(parseRetentionMs('1h30m'), 5_400_000);
  t.equal(parseRetentionMs('10s'), 10_000);
  t.equal(parseRetentionMs('250ms'), 250);
});

t.test('member id - from peer URLs and token, stable, below 2^53', async (t) => {
  const a = memberIdOf(['http://127.0.0.1:2380'], 'etcd-cluster');
  t.equal(a, memberIdOf(['http://127.0.0.1:2380'], 'etcd-cluster'));
  t.equal(memberIdOf(['http://b:1', 'http://a:1'], 'x'), memberIdOf(['http://a:1', 'http://b:1'], 'x'), 'URL order does not matter');
  t.not(a, memberIdOf(['http://127.0.0.1:2380'], 'other'));
  t.ok(a > 0 && a < 2 ** 53 && Number.isSafeInteger(a));
  t.ok(Number.isSafeInteger(clusterIdOf('etcd-cluster')));
});

t.test('lease clock - promotion extends remaining TTLs, keepalive renews, expiry in order', async (t) => {
  const c = new LeaseClock();
  c.grant(1, 10, 0);
  t.equal(c.remainingSec(1, 0), undefined, 'followers keep no clock');
  c.promote([{ id: 1, ttl: 10, remainingTtl: 0 }, { id: 2, ttl: 60, remainingTtl: 5 }], 1000, 1000);
  t.equal(c.remainingSec(1, 1000), 11, 'full TTL + one election timeout');
  t.equal(c.remainingSec(2, 1000), 6, 'the checkpointed remaining TTL + one election timeout');
  t.same(c.expired(7000, 10), [2]);
  t.equal(c.renew(2, 7000), undefined, 'an expired lease cannot be renewed');
  t.equal(c.renew(1, 7000), 10);
  t.same(c.expired(16_999, 10), [2]);
  t.same(c.expired(17_000, 10), [2, 1], 'soonest first');
  c.grant(3, 5, 17_000);
  t.same(c.checkpoints(19_000), [{ id: 3, remainingSec: 3 }]);
  c.revoke(2);
  c.demote();
  t.same(c.expired(1e9, 10), []);
});

t.test('auto compaction - revision and periodic retention, leader only', async (t) => {
  const { AutoCompactor } = await import('../../control-plane/store/server/auto-compactor.js');
  const { StoreStateMachine } = await import('../../control-plane/store/apply/store-state-machine.js');
  const sm = new StoreStateMachine({ memberId: 1 });
  for (let i = 0; i < 20; i++) sm.mvcc.put({ key: Buffer.from(`k${i % 3}`), value: Buffer.from(String(i)) });
  const proposed: number[] = [];
  const proposer = {
    propose: async (b: { compaction?: { revision: number } }) => {
      proposed.push(b.compaction!.revision);
      const r = sm.mvcc.compact(b.compaction!.revision);
      return { ok: r.ok, revision: sm.mvcc.revision } as never;
    },
  };
  const node = { isLeader: false };
  const quiet = { info: () => {}, warn: () => {} };
  const rev = new AutoCompactor({ node: node as never, sm, proposer: proposer as never, mode: 'revision', retention: 5, pollMs: 1e9, logger: quiet });
  t.teardown(() => rev.stop());
  rev.tick();
  t.same(proposed, [], 'followers do not compact');
  node.isLeader = true;
  rev.tick();
  await new Promise((r) => setImmediate(r));
  t.same(proposed, [sm.mvcc.revision - 5]);
  t.equal(sm.mvcc.compactRevision, sm.mvcc.revision - 5);

  let now = 0;
  const per = new AutoCompactor({ node: node as never, sm, proposer: proposer as never, mode: 'periodic', retention: 60_000, now: () => now, logger: quiet });
  t.teardown(() => per.stop());
  proposed.length = 0;
  per.tick(); // sample at t=0, nothing old enough
  const sampled = sm.mvcc.revision;
  sm.mvcc.put({ key: Buffer.from('later'), value: Buffer.from('x') });
  now = 30_000;
  per.tick();
  t.same(proposed, [], 'no sample is a minute old yet');
  now = 61_000;
  per.tick();
  await new Promise((r) => setImmediate(r));
  t.same(proposed, [sampled], 'compacts to the revision of a minute ago');
});
