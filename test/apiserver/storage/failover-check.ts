// One failover test body for any etcd v3 store: writers keep writing through EtcdStorage while
// the member it talks to is killed; every write must succeed, and a watch must deliver every
// written revision exactly once, in order.
import type { Test } from 'tap';
import { EtcdStorage, StorageError } from '../../../control-plane/apiserver/storage/index.js';
import type { FailoverInfo } from '../../../control-plane/apiserver/storage/index.js';
import { waitFor, WatchCollector } from './watch-collector.js';

/** endpoints[0] is the member that kill() kills. */
export async function failoverCheck(t: Test, endpoints: readonly string[], kill: () => Promise<void>): Promise<void> {
  const failovers: FailoverInfo[] = [];
  const storage = new EtcdStorage({ endpoints, retryTimeoutMs: 15_000, onFailover: (f) => failovers.push(f) });
  t.teardown(() => storage.close());
  const P = `/failover-${process.pid}-${Date.now()}/`;
  const start = await storage.currentRevision();
  const watch = new WatchCollector(storage, P, start);
  t.teardown(() => watch.close());

  const written: number[] = [];
  let failures = 0;
  let stop = false;
  const writer = async (id: number): Promise<void> => {
    let rev = 0;
    for (let i = 0; !stop && i < 5_000; i++) {
      const key = `${P}w${id}`;
      const v = new TextEncoder().encode(`${id}-${i}`);
      try {
        const r = rev === 0 ? await storage.create(key, v) : await storage.update(key, v, rev);
        rev = r.modRevision;
        written.push(rev);
      } catch (e) {
        if (!(e instanceof StorageError)) throw e;
        failures++;
        t.comment(`writer ${id}: ${e.code}: ${e.message}`);
        rev = (await storage.get(key))?.modRevision ?? 0;
      }
    }
  };
  const writers = [0, 1, 2, 3].map((id) => writer(id));
  await waitFor('writes before the kill', () => written.length >= 100, 60_000);
  await kill();
  const atKill = written.length;
  await waitFor('writes after the kill', () => written.length >= atKill + 200 || failures > 20, 90_000);
  stop = true;
  await Promise.all(writers);
  t.equal(failures, 0, 'no write failed');
  t.ok(failovers.some((f) => f.from === endpoints[0]), `calls and the watch left the killed member (${failovers.length} failovers)`);
  t.comment(failovers.map((f) => `${f.what}: ${f.from} -> ${f.to}: ${f.error}`).slice(0, 10).join('\n'));

  const events = await watch.waitEvents(written.length, 60_000);
  const seen = events.map((e) => e.modRevision);
  t.ok(seen.every((r, i) => i === 0 || r > seen[i - 1]!), 'the watch delivered revisions strictly in order (no duplicate)');
  t.same([...seen].sort((a, b) => a - b), [...written].sort((a, b) => a - b), 'every written revision exactly once, nothing else');
  t.equal(watch.error, null, 'the watch did not end');

  const list = await storage.list(P);
  t.equal(list.items.length, 4, 'reads work after the kill');
  for (const item of list.items) {
    t.equal(events.filter((e) => e.key === item.key).at(-1)?.modRevision, item.modRevision, `${item.key}: the last event is the stored state`);
  }
}
