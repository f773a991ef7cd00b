// Watch fan-out: a thousand API watchers of one resource cost one store watch (the resource's
// watch cache), and every one of them sees the change. In-process over the in-memory storage.
import t from 'tap';
import { MemoryStorage } from '../../control-plane/apiserver/storage/index.js';
import type { Storage } from '../../control-plane/apiserver/storage/index.js';
import { startInProcess } from './helpers/in-process-server.js';
import { configMap } from './helpers/samples.js';

/** The storage with its watch() calls counted per prefix. */
function counting(s: Storage): { storage: Storage; watches: Map<string, number> } {
  const watches = new Map<string, number>();
  const storage: Storage = {
    get: (k) => s.get(k),
    list: (p, o) => s.list(p, o),
    create: (k, v) => s.create(k, v),
    update: (k, v, r) => s.update(k, v, r),
    delete: (k, r) => s.delete(k, r),
    watch: (p, f, h) => {
      watches.set(p, (watches.get(p) ?? 0) + 1);
      return s.watch(p, f, h);
    },
    currentRevision: () => s.currentRevision(),
    compactedRevision: () => s.compactedRevision(),
    close: () => s.close(),
  };
  return { storage, watches };
}

t.test('apiserver - 1000 watchers of one resource cost one store watch', async (t) => {
  const { storage, watches } = counting(new MemoryStorage());
  const { conn, server } = await startInProcess(t, { storage });
  t.equal(watches.get('/registry/configmaps/'), 1, 'one store watch for configmaps after start');
  const watchers = Array.from({ length: 1000 }, () => conn.watch('configmaps', 'default', { resourceVersion: '0' }));
  t.teardown(() => watchers.forEach((w) => w.close()));
  const deadline = Date.now() + 60_000;
  while ((await server.metrics.watchers.get()).values.reduce((n, v) => n + v.value, 0) < 1000) {
    if (Date.now() > deadline) throw new Error('the 1000 watches did not open within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  await conn.create('configmaps', 'default', configMap('fanned-out'));
  for (const w of watchers) await w.waitFor((es) => es.some((e) => e.object.metadata.name === 'fanned-out'), 'the create', 60_000);
  t.ok(watchers.every((w) => w.events.length === 1 && w.events[0]!.type === 'ADDED'), 'every watcher saw the create once');
  t.equal(watches.get('/registry/configmaps/'), 1, 'still one store watch for configmaps');
  t.ok([...watches.values()].every((n) => n === 1), 'one store watch per resource');
});
