// List+watch against a real 3-process control plane: resuming from a resourceVersion,
// bookmarks, "too old" after compaction (the client relists), and a watcher that loses and
// duplicates nothing while the store's leader is killed.
import t from 'tap';
import { ControlPlaneCluster } from './helpers/control-plane-cluster.js';
import { ApiConn, failure } from './helpers/api-conn.js';
import { configMap } from './helpers/samples.js';
import { sleep } from '../store/helpers/store-cluster.js';

const cp = await ControlPlaneCluster.start(t);
const [a, b, c] = cp.names.map((n) => new ApiConn(cp.apiEndpoint(n))) as [ApiConn, ApiConn, ApiConn];
t.teardown(() => [a, b, c].forEach((x) => x.close()));
await a.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });

t.test('apiserver - list, then watch from its resourceVersion, then resume', async (t) => {
  await a.create('configmaps', 'w', configMap('before'));
  const list = await b.list('configmaps', 'w');
  t.same(list.items.map((o) => o.metadata.name), ['before']);
  await a.create('configmaps', 'w', configMap('one'));
  const one = await a.get('configmaps', 'w', 'one');
  await a.update('configmaps', 'w', { ...one, data: { k: 'two' } });
  const w1 = c.watch('configmaps', 'w', { resourceVersion: list.resourceVersion });
  await w1.waitFor((es) => es.length >= 2, 'the two changes after the list');
  t.same(w1.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED one', 'MODIFIED one'], 'only changes after the list, none before');
  w1.close();
  const last = w1.events.at(-1)!.object.metadata.resourceVersion!;
  await b.delete('configmaps', 'w', 'one');
  const w2 = a.watch('configmaps', 'w', { resourceVersion: last });
  t.teardown(() => w2.close());
  await w2.waitFor((es) => es.length >= 1, 'the delete');
  await sleep(300);
  t.same(w2.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['DELETED one'], 'resuming replays nothing already seen');
  t.ok(Number(w2.events[0]!.object.metadata.resourceVersion) > Number(last), 'a DELETED event carries the revision of the delete');

  const w3 = b.watch('configmaps', 'w');
  t.teardown(() => w3.close());
  await w3.waitFor((es) => es.length >= 1, 'the current state');
  t.same(w3.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED before'], 'without a resourceVersion: the current state as ADDED');
});

t.test('apiserver - bookmarks carry a recent resourceVersion', async (t) => {
  const w = a.watch('configmaps', 'w', { allowBookmarks: true, labelSelector: 'never=matches' });
  t.teardown(() => w.close());
  await sleep(200);
  // A write to another resource moves the store's revision; the store's progress report
  // (asked for every bookmark interval) becomes a BOOKMARK.
  const other = await b.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
  await w.waitFor((es) => es.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) >= Number(other.metadata.resourceVersion)), 'a BOOKMARK at or after the unrelated write', 30_000);
  t.ok(w.events.every((e) => e.type === 'BOOKMARK'), 'nothing but bookmarks');
  const bm = w.events.find((e) => e.type === 'BOOKMARK')!;
  t.same(Object.keys(bm.object.metadata), ['resourceVersion'], 'a bookmark carries only the resourceVersion');
});

t.test('apiserver - too old resource versions: watch, list and continue tokens end with OUT_OF_RANGE; a relist works', async (t) => {
  const w = b.watch('configmaps', 'w', { resourceVersion: '2' });
  const ended = await w.waitEnd();
  t.equal(ended.code, 11, 'OUT_OF_RANGE');
  t.match(ended.details, /too old resource version/);

  for (let i = 0; i < 5; i++) await a.create('configmaps', 'w', configMap(`page-${i}`));
  const page = await a.list('configmaps', 'w', { limit: 2 });
  t.not(page.continue, '');
  for (let i = 0; i < 3; i++) await a.create('configmaps', 'w', configMap(`after-${i}`));
  const now = Number((await a.list('configmaps', 'w')).resourceVersion);
  await cp.ctl(['compact', String(now)]);
  const oldList = await failure(c.list('configmaps', 'w', { resourceVersion: page.resourceVersion }));
  t.equal(oldList.code, 11);
  t.match(oldList.details, /too old resource version/);
  const oldPage = await failure(c.list('configmaps', 'w', { limit: 2, continue: page.continue }));
  t.equal(oldPage.code, 11);
  t.equal(oldPage.details, 'too old resource version, the continue token has expired; relist');

  const relist = await c.list('configmaps', 'w');
  t.ok(relist.items.some((o) => o.metadata.name === 'after-2'), 'a fresh list works');
  const w2 = c.watch('configmaps', 'w', { resourceVersion: relist.resourceVersion });
  t.teardown(() => w2.close());
  await a.create('configmaps', 'w', configMap('after-relist'));
  await w2.waitFor((es) => es.some((e) => e.object.metadata.name === 'after-relist'), 'the next change');
  t.same(w2.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED after-relist']);
});

t.test('apiserver - a watcher loses and duplicates nothing while the store leader is killed', async (t) => {
  const leader = await cp.leaderName();
  const others = cp.names.filter((n) => n !== leader);
  const watchConn = new ApiConn(cp.apiEndpoint(others[0]!));
  const writeConn = new ApiConn(cp.apiEndpoint(others[1]!));
  t.teardown(() => {
    watchConn.close();
    writeConn.close();
  });
  await writeConn.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'failover' } });
  const start = await watchConn.list('configmaps', 'failover');
  const w = watchConn.watch('configmaps', 'failover', { resourceVersion: start.resourceVersion });
  t.teardown(() => w.close());

  const N = 60;
  const writeOne = async (i: number): Promise<void> => {
    const deadline = Date.now() + 60_000;
    for (let attempt = 1; ; attempt++) {
      try {
        await writeConn.create('configmaps', 'failover', configMap(`item-${i}`));
        return;
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === 6) return; // an earlier attempt was applied
        if (Date.now() > deadline) throw e;
        await sleep(Math.min(1000, 50 * attempt));
      }
    }
  };
  for (let i = 0; i < N; i++) {
    if (i === 20) await cp.kill(leader);
    await writeOne(i);
  }
  await w.waitFor((es) => new Set(es.map((e) => e.object.metadata.name)).size >= N, `all ${N} creates`, 60_000);
  await sleep(500);
  const names = w.events.map((e) => e.object.metadata.name);
  t.equal(w.ended, undefined, 'the watch did not end');
  t.equal(names.length, N, 'no duplicates');
  t.equal(new Set(names).size, N, 'every object once');
  t.ok(w.events.every((e) => e.type === 'ADDED'));
  const revs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
  t.ok(revs.every((r, i) => i === 0 || r > revs[i - 1]!), 'in revision order');

  await cp.restart(leader);
  const back = new ApiConn(cp.apiEndpoint(leader));
  t.teardown(() => back.close());
  t.equal((await back.list('configmaps', 'failover')).items.length, N, 'the restarted member\'s API server serves everything');
});
