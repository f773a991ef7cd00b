// etcdctl's own performance check (`check perf --load=s`: 50 clients, 150 writes/s for 60 s;
// it passes when throughput is at least 90% of that, the slowest write takes under 500 ms and
// the standard deviation stays under 100 ms) against a 3-member store.
import t from 'tap';
import { StoreCluster } from './helpers/store-cluster.js';

t.test('check perf - etcdctl check perf --load=s passes', async (t) => {
  const c = await StoreCluster.start(t);
  const r = await c.etcdctl(['check', 'perf', '--load=s'], { timeoutMs: 150_000 });
  const verdict = r.stdout.split('\n').filter((l) => /PASS|FAIL|Slowest|Stddev|Throughput/.test(l));
  t.comment(verdict.join('\n'));
  t.equal(r.code, 0, `etcdctl check perf exit code (${r.stderr.slice(-500)})`);
  t.match(r.stdout, /PASS: Throughput is \d+ writes\/s/);
  t.match(r.stdout, /PASS: Slowest request took/);
  t.match(r.stdout, /PASS: Stddev is/);
  t.notMatch(r.stdout, /FAIL/);
});
