// Informers against real API servers in this process sharing one storage: sync, handlers,
// indexes, selector scope, resync, relist after "too old" with the deletes of the gap delivered,
// and failover to another server with no lost or duplicated events.
import t from 'tap';
import type { Test } from 'tap';
import type { KubeObject } from '../../api/kind.js';
import type { Pod } from '../../api/index.js';
import { ShoalClient, systemClock } from '../../client/index.js';
import type { Clock, Informer } from '../../client/index.js';
import { ApiServers } from './helpers/api-servers.js';

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}
const cm = (name: string, data: Record<string, string> = {}): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const pod = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) as unknown as Pod;

/** Waits (bounded) until cond holds; fails the test with `what` otherwise. */
async function until(t: Test, what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      t.fail(`timed out waiting for ${what}`);
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Records handler calls as readable lines. */
function record<T extends KubeObject>(inf: Informer<T>, show: (o: T) => string = (o) => o.metadata.name ?? ''): string[] {
  const log: string[] = [];
  inf.addHandlers({
    onAdd: (o, initial) => log.push(`add ${show(o)}${initial ? ' (initial)' : ''}`),
    onUpdate: (old, o) => log.push(old === o ? `resync ${show(o)}` : `update ${show(o)}`),
    onDelete: (o) => log.push(`delete ${show(o)}`),
  });
  return log;
}

async function setup(t: Test, servers = 1): Promise<{ servers: ApiServers; client: ShoalClient }> {
  const s = await ApiServers.start(t, servers);
  const client = new ShoalClient({ servers: s.addresses, namespace: 'default' });
  t.teardown(() => client.close());
  return { servers: s, client };
}

t.test('informer - syncs, then delivers adds, updates and deletes to handlers and the cache', async (t) => {
  const { client } = await setup(t);
  const cms = client.resource<ConfigMap>('configmaps');
  await cms.create(cm('a'));
  await cms.create(cm('b'));
  const inf = client.informer<ConfigMap>('configmaps');
  const log = record(inf);
  inf.start();
  t.teardown(() => inf.stop());
  t.equal(await inf.waitForSync({ timeoutMs: 20_000 }), true);
  t.ok(inf.hasSynced());
  t.same([...log].sort(), ['add a (initial)', 'add b (initial)']);
  const a = await cms.get('a');
  await cms.update({ ...a, data: { v: '1' } });
  await cms.delete('b');
  await cms.create(cm('c'));
  await until(t, 'three events', () => log.length >= 5);
  t.same(log.slice(2), ['update a', 'delete b', 'add c']);
  t.same(inf.cache.keys().sort(), ['default/a', 'default/c']);
  t.same(inf.cache.get('default/a')?.data, { v: '1' });
  t.same(inf.cache.byIndex('namespace', 'default').length, 2);
  // handlers added late see the current state first
  const late = record(inf);
  t.same(late.sort(), ['add a (initial)', 'add c (initial)']);
  await inf.stop();
  await cms.create(cm('after-stop'));
  t.notOk(inf.cache.get('default/after-stop'), 'a stopped informer no longer changes');
});

t.test('informer - selector-scoped (pods of one node) with a custom index', async (t) => {
  const { client } = await setup(t);
  const pods = client.resource<Pod>('pods');
  for (const n of ['p1', 'p2', 'p3']) await pods.create(pod(n));
  await pods.bind('p1', 'node-a');
  const inf = client.informer<Pod>('pods', {
    namespace: '',
    fieldSelector: 'spec.nodeName=node-a',
    indexers: { phase: (p) => [p.status?.phase ?? ''] },
  });
  const log = record(inf);
  inf.start();
  t.teardown(() => inf.stop());
  t.equal(await inf.waitForSync({ timeoutMs: 20_000 }), true);
  t.same(log, ['add p1 (initial)']);
  await pods.bind('p2', 'node-a'); // starts matching: an add
  await pods.bind('p3', 'node-b'); // never matches
  await pods.patchStatus('p1', { status: { phase: 'Running' } });
  await until(t, 'p2 added and p1 updated', () => log.length >= 3);
  t.same(log, ['add p1 (initial)', 'add p2', 'update p1']);
  t.same(inf.cache.byIndex('phase', 'Running').map((p) => p.metadata.name), ['p1']);
  t.same(inf.cache.byIndex('phase', 'Pending').map((p) => p.metadata.name), ['p2']);
  await pods.delete('p2', { gracePeriodSeconds: 0 });
  await until(t, 'p2 deleted', () => log.length >= 4);
  t.equal(log[3], 'delete p2');
  t.same(inf.cache.keys(), ['default/p1']);
});

t.test('informer - periodic resync re-delivers every cached object', async (t) => {
  const { client } = await setup(t);
  await client.resource<ConfigMap>('configmaps').create(cm('a'));
  const inf = client.informer<ConfigMap>('configmaps', { resyncPeriodMs: 100 });
  const log = record(inf);
  inf.start();
  t.teardown(() => inf.stop());
  await until(t, 'two resyncs', () => log.filter((l) => l === 'resync a').length >= 2);
  t.equal(log[0], 'add a (initial)');
});

/** A clock whose sleeps wait while the gate is shut: a test holds the informer in its gap. */
function gatedClock(): Clock & { shut(): void; open(): void; waiting(): number } {
  let shut = false;
  let waiters: (() => void)[] = [];
  return {
    now: () => systemClock.now(),
    sleep: async (ms, signal) => {
      while (shut && !signal?.aborted) {
        await new Promise<void>((r) => {
          waiters.push(r);
          signal?.addEventListener('abort', () => r(), { once: true });
        });
      }
      await systemClock.sleep(ms, signal);
    },
    shut: () => {
      shut = true;
    },
    open: () => {
      shut = false;
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    },
    waiting: () => waiters.length,
  };
}

t.test('informer - after "too old" it relists and delivers what happened in the gap, deletes included', async (t) => {
  const servers = await ApiServers.start(t, 2);
  const [a, b] = servers.addresses as [string, string];
  const clock = gatedClock();
  const watcher = new ShoalClient({ servers: [a, b], namespace: 'default', clock });
  const writer = new ShoalClient({ servers: [b], namespace: 'default' });
  t.teardown(() => watcher.close());
  t.teardown(() => writer.close());
  const cms = writer.resource<ConfigMap>('configmaps');
  for (const n of ['keep', 'change', 'remove']) await cms.create(cm(n, { v: '0' }));
  const inf = watcher.informer<ConfigMap>('configmaps');
  const log = record(inf, (o) => `${o.metadata.name}=${o.data?.['v'] ?? ''}`);
  inf.start();
  t.teardown(() => inf.stop());
  t.equal(await inf.waitForSync({ timeoutMs: 20_000 }), true);
  t.equal(inf.listCount, 1);

  // The informer's server dies; its watch waits (gate shut) before resuming on the other one.
  clock.shut();
  await servers.stop(a);
  await until(t, 'the watch to wait for its resume', () => clock.waiting() > 0);
  // Meanwhile: a delete, an update and a create, then more changes than the other server's watch
  // cache keeps (1000 events) and a compaction of the store: its revision is gone everywhere.
  const change = await cms.get('change');
  await cms.update({ ...change, data: { v: '1' } });
  await cms.delete('remove');
  await cms.create(cm('new', { v: '0' }));
  const fillers = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'];
  await Promise.all(fillers.map(async (f) => {
    await cms.create(cm(f, { v: '0' }));
    for (let i = 1; i <= 140; i++) await cms.patch(f, { data: { v: String(i) } });
  }));
  await servers.compactAll();
  clock.open();

  await until(t, 'the gap delivered', () => log.length >= 14);
  t.same(log.slice(0, 3).sort(), ['add change=0 (initial)', 'add keep=0 (initial)', 'add remove=0 (initial)']);
  t.same(log.slice(3), ['delete remove=0', 'update change=1', ...fillers.map((f) => `add ${f}=140`), 'add new=0'], 'the delete carries the last known state; nothing in between is replayed');
  t.equal(inf.listCount, 2, 'one relist, after "too old"');
  t.same(inf.cache.keys().sort(), ['default/change', ...fillers.map((f) => `default/${f}`), 'default/keep', 'default/new']);
  // and it keeps watching on the surviving server
  await cms.delete('keep');
  await until(t, 'a later delete', () => log.length >= 15);
  t.equal(log[14], 'delete keep=0');
});

t.test('informer - failover: reads and the informer continue on the other server, no lost or repeated event', async (t) => {
  const servers = await ApiServers.start(t, 2);
  const [a, b] = servers.addresses as [string, string];
  const watcher = new ShoalClient({ servers: [a, b], namespace: 'default' });
  const writer = new ShoalClient({ servers: [b], namespace: 'default' });
  t.teardown(() => watcher.close());
  t.teardown(() => writer.close());
  const cms = writer.resource<ConfigMap>('configmaps');
  await cms.create(cm('counter', { n: '0' }));
  const inf = watcher.informer<ConfigMap>('configmaps');
  const seen: number[] = [];
  inf.addHandlers({ onUpdate: (_old, o) => seen.push(Number(o.data?.['n'])) });
  inf.start();
  t.teardown(() => inf.stop());
  t.equal(await inf.waitForSync({ timeoutMs: 20_000 }), true);
  t.equal(watcher.connection.currentServer(), a);

  const total = 60;
  for (let i = 1; i <= total; i++) {
    const cur = await cms.get('counter');
    await cms.update({ ...cur, data: { n: String(i) } });
    if (i === 20) await servers.stop(a); // the informer's server dies mid-stream
    if (i === 30) t.equal((await watcher.resource<ConfigMap>('configmaps').get('counter')).data?.['n'], '30', 'reads fail over too');
  }
  await until(t, 'the last update', () => seen.at(-1) === total);
  t.same(seen, Array.from({ length: total }, (_, i) => i + 1), 'every update exactly once, in order');
  t.equal(inf.listCount, 1, 'resumed from its revision, no relist');
  t.equal(watcher.connection.currentServer(), b);
});
