// EtcdStorage and WatchCache on a real 3-member Shoal store: the watch cache serving many
// watchers, then failover — the member the storage talks to (the leader) is killed with
// SIGKILL while writers keep writing, and a watcher must see every written revision exactly once.
import t from 'tap';
import { StoreCluster } from '../../store/helpers/store-cluster.js';
import { EtcdStorage, WatchCache } from '../../../control-plane/apiserver/storage/index.js';
import { failoverCheck } from './failover-check.js';
import { decoder, encodeObj, Recorder } from './watch-cache-helpers.js';
import type { Obj } from './watch-cache-helpers.js';

const cluster = await StoreCluster.start(t);
const url = (name: string): string => `http://127.0.0.1:${cluster.member(name).clientPort}`;

t.test('watch cache on a Shoal store - watchers converge, consistent lists', async (t) => {
  const storage = new EtcdStorage({ endpoints: cluster.members.map((m) => url(m.name)) });
  t.teardown(() => storage.close());
  const P = `/registry/pods-${process.pid}/`;
  const d = decoder();
  const cache = new WatchCache<Obj>({ storage, prefix: P, decode: d.decode, waitTimeoutMs: 10_000 });
  t.teardown(() => cache.close());
  await storage.create(`${P}pre`, encodeObj({ name: 'pre', labels: { node: 'n1' }, gen: 1 }));
  await cache.start();
  const rs: Recorder[] = [];
  for (let i = 0; i < 50; i++) rs.push(await Recorder.start(cache, { fromRevision: i === 0 ? undefined : 0, filter: i % 2 === 0 ? (o) => o.labels.node === 'n1' : undefined }));
  const revs = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const name = `p${i % 10}`;
    const node = i % 3 === 0 ? 'n1' : 'n2';
    const v = encodeObj({ name, labels: { node }, gen: i });
    const prev = revs.get(name);
    const r = prev === undefined ? await storage.create(`${P}${name}`, v) : await storage.update(`${P}${name}`, v, prev);
    revs.set(name, r.modRevision);
  }
  await storage.create(`/registry/elsewhere-${process.pid}`, new Uint8Array([1]));
  const now = await storage.currentRevision();
  const l = await cache.list();
  t.ok(l.revision >= now, 'a consistent list reaches the store revision (progress through the Shoal store)');
  t.equal(l.items.length, 11);
  for (const [i, r] of rs.entries()) {
    const want = l.items.filter((x) => i % 2 !== 0 || x.object.labels.node === 'n1').map((x) => x.object.name).sort();
    await r.waitUntil(`watcher ${i} converges`, (x) => JSON.stringify([...x.state().values()].map((o) => o.name).sort()) === JSON.stringify(want));
  }
  t.pass('50 watchers converged on one storage watch');
  t.equal(d.calls(), 41, 'each stored value decoded once (1 listed + 40 changes)');
});

t.test('etcd storage failover on a Shoal store - the connected member (the leader) is killed', async (t) => {
  const leader = await cluster.leaderName();
  const endpoints = [url(leader), ...cluster.members.filter((m) => m.name !== leader).map((m) => url(m.name))];
  await failoverCheck(t, endpoints, () => cluster.kill(leader));
});
