// WatchCache on MemoryStorage: fan-out, filters entering and leaving, resume and too-old,
// slow watchers, bookmarks, consistent lists, and recovery after the storage watch ends.
import t from 'tap';
import type { Test } from 'tap';
import { MemoryStorage, StorageErrorCode, WatchCache, WatchCacheErrorCode } from '../../../control-plane/apiserver/storage/index.js';
import type { WatchCacheOptions } from '../../../control-plane/apiserver/storage/index.js';
import { decoder, encodeObj, Recorder } from './watch-cache-helpers.js';
import type { Obj } from './watch-cache-helpers.js';
import { waitFor } from './watch-collector.js';

const P = '/registry/things/';

// The cache's retries sleep on this clock; a test can hold them to keep the storage watch down
// while it writes (and compacts) behind the cache's back.
let hold: Promise<void> | null = null;
let release = (): void => {};
function holdRetries(): void {
  hold = new Promise((r) => (release = () => {
    hold = null;
    r();
  }));
}
const heldClock = {
  now: () => Date.now(),
  sleep: async (ms: number): Promise<void> => {
    if (hold !== null) await hold;
    await new Promise((r) => setTimeout(r, ms));
  },
};

async function setup(t: Test, opts: Partial<WatchCacheOptions<Obj>> = {}): Promise<{ s: MemoryStorage; cache: WatchCache<Obj>; calls: () => number }> {
  const s = new MemoryStorage();
  const d = decoder();
  const cache = new WatchCache<Obj>({ storage: s, prefix: P, decode: d.decode, waitTimeoutMs: 5_000, clock: heldClock, ...opts });
  t.teardown(async () => {
    cache.close();
    await s.close();
  });
  return { s, cache, calls: d.calls };
}

/** Creates or updates name with labels; returns the revision. */
async function put(s: MemoryStorage, name: string, labels: Record<string, string> = {}): Promise<number> {
  const key = `${P}${name}`;
  const cur = await s.get(key);
  const gen = cur === undefined ? 1 : (JSON.parse(new TextDecoder().decode(cur.value)) as Obj).gen + 1;
  const v = encodeObj({ name, labels, gen });
  return cur === undefined ? (await s.create(key, v)).modRevision : (await s.update(key, v, cur.modRevision)).modRevision;
}

async function remove(s: MemoryStorage, name: string): Promise<number> {
  const cur = await s.get(`${P}${name}`);
  if (cur === undefined) throw new Error(`no ${name}`);
  return (await s.delete(`${P}${name}`, cur.modRevision)).revision;
}

t.test('watch cache - list serves the current state, consistently', async (t) => {
  const { s, cache } = await setup(t, { waitTimeoutMs: 1_000 });
  await put(s, 'a', { app: 'x' });
  await put(s, 'b', { app: 'y' });
  await cache.start();
  await put(s, 'c', { app: 'x' });
  const all = await cache.list();
  t.same(all.items.map((i) => i.object.name), ['a', 'b', 'c'], 'a consistent list sees the write made just before it');
  t.equal(all.revision, await s.currentRevision());
  const xs = await cache.list({ filter: (o) => o.labels.app === 'x' });
  t.same(xs.items.map((i) => i.object.name), ['a', 'c'], 'filtered');
  // A write elsewhere moves the store's revision without an event under the prefix:
  // the cache proves it is current through a progress request.
  await s.create('/registry/other/z', new Uint8Array([1]));
  const after = await cache.list();
  t.equal(after.revision, await s.currentRevision(), 'consistent list reaches the global revision through progress');
  await t.rejects(cache.list({ revision: after.revision + 100 }), { code: WatchCacheErrorCode.TooLarge }, 'a future revision times out as TooLarge');
});

t.test('watch cache - every watcher gets its changes once, in order; objects decoded once per change', async (t) => {
  const { s, cache, calls } = await setup(t);
  await cache.start();
  const recorders: { r: Recorder; app: string | undefined }[] = [];
  for (let i = 0; i < 150; i++) {
    const app = i % 3 === 0 ? undefined : i % 3 === 1 ? 'x' : 'y';
    recorders.push({ r: await Recorder.start(cache, { fromRevision: 0, filter: app === undefined ? undefined : (o) => o.labels.app === app }), app });
  }
  const decodesBefore = calls();
  let puts = 0;
  // Deterministic mix: creates, relabels (entering and leaving filters), deletes.
  for (let i = 0; i < 60; i++) {
    const name = `o${i % 12}`;
    const exists = (await s.get(`${P}${name}`)) !== undefined;
    if (exists && i % 5 === 4) await remove(s, name);
    else {
      await put(s, name, { app: i % 2 === 0 ? 'x' : 'y' });
      puts++;
    }
  }
  const final = await cache.list();
  t.equal(calls() - decodesBefore, puts, 'one decode per put, however many watchers');
  for (const { r, app } of recorders) {
    const want = final.items.filter((i) => app === undefined || i.object.labels.app === app).map((i) => i.object);
    await r.waitUntil('watcher converges', (x) => JSON.stringify([...x.state().values()].sort(byName)) === JSON.stringify([...want].sort(byName)));
  }
  for (const { r } of recorders) {
    const revs = r.changes().map((e) => e.revision);
    const ok = revs.every((rev, i) => i === 0 || rev > revs[i - 1]!);
    if (!ok) t.fail(`revisions not strictly increasing: ${revs.join(',')}`);
  }
  t.pass('every watcher converged to the filtered state with strictly increasing revisions');
  t.equal(s.watchCount, 1, 'one storage watch for all of them');
});

const byName = (a: Obj, b: Obj): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

t.test('watch cache - filters: entering is ADDED, leaving is DELETED', async (t) => {
  const { s, cache } = await setup(t);
  await cache.start();
  const r = await Recorder.start(cache, { fromRevision: 0, filter: (o) => o.labels.tier === 'web' });
  await put(s, 'p', { tier: 'db' });
  const enter = await put(s, 'p', { tier: 'web' });
  const modify = await put(s, 'p', { tier: 'web', extra: '1' });
  const leave = await put(s, 'p', { tier: 'db' });
  await remove(s, 'p');
  await put(s, 'q', { tier: 'web' });
  const qDelete = await remove(s, 'q');
  await r.waitUntil('5 events', (x) => x.events.length >= 5);
  t.same(
    r.changes().map((e) => [e.type, e.key.slice(P.length), e.object.labels.tier, e.revision]),
    [
      ['ADDED', 'p', 'web', enter],
      ['MODIFIED', 'p', 'web', modify],
      ['DELETED', 'p', 'web', leave],
      ['ADDED', 'q', 'web', qDelete - 1],
      ['DELETED', 'q', 'web', qDelete],
    ],
    'the delete of p while not matching is not sent; DELETED carries the last matching object',
  );
});

t.test('watch cache - watch without a revision starts with the state as ADDED, then changes', async (t) => {
  const { s, cache } = await setup(t);
  await put(s, 'a');
  await cache.start();
  await put(s, 'b');
  const r = await Recorder.start(cache, {});
  const c = await put(s, 'c');
  await r.waitUntil('3 events', (x) => x.events.length >= 3);
  t.same(r.changes().map((e) => [e.type, e.object.name]), [['ADDED', 'a'], ['ADDED', 'b'], ['ADDED', 'c']]);
  t.equal(r.events[2]!.revision, c);
});

t.test('watch cache - resume from a revision in the window; older is TooOld', async (t) => {
  const { s, cache } = await setup(t, { windowSize: 5 });
  await cache.start();
  const revs: number[] = [];
  for (let i = 0; i < 12; i++) revs.push(await put(s, `n${i}`));
  await cache.list();
  t.equal(cache.oldestRevision, revs[6], 'the window holds the last 5 revisions');
  const r = await Recorder.start(cache, { fromRevision: revs[8] });
  await r.waitUntil('3 replayed events', (x) => x.events.length >= 3);
  t.same(r.events.map((e) => e.revision), revs.slice(9), 'replays only what follows the revision, exclusive');
  const live = await put(s, 'late');
  await r.waitUntil('live event', (x) => x.events.length >= 4);
  t.equal(r.events[3]!.revision, live);
  await t.rejects(cache.watch({ fromRevision: revs[2] }, new Recorder().handlers), { code: WatchCacheErrorCode.TooOld }, 'older than the window');
  t.equal(cache.oldestRevision, revs[7], 'the window moved on');
  const edge = await Recorder.start(cache, { fromRevision: cache.oldestRevision });
  await edge.waitUntil('window replay', (x) => x.events.length >= 5);
  t.same(edge.events.map((e) => e.revision), [...revs.slice(8), live], 'the oldest revision itself can be resumed from');
});

t.test('watch cache - a slow watcher is cut off, the others continue', async (t) => {
  const { s, cache } = await setup(t, { maxPending: 10 });
  await cache.start();
  const slow = await Recorder.start(cache, { fromRevision: 0 });
  const fast = await Recorder.start(cache, { fromRevision: 0 });
  slow.paused = true; // its first event pauses it: the stream is "full"
  for (let i = 0; i < 30; i++) await put(s, `s${i}`);
  await fast.waitUntil('fast sees all', (x) => x.events.length >= 30);
  await slow.waitUntil('slow ended', (x) => x.error !== null);
  t.equal(slow.error?.code, WatchCacheErrorCode.Slow, 'ended as Slow');
  t.ok(slow.events.length < 30, 'slow got only part');
  t.equal(cache.watcherCount, 1, 'removed from the cache');

  // A paused watcher under the limit resumes and gets everything in order.
  const paused = await Recorder.start(cache, { fromRevision: 0 });
  paused.paused = true;
  for (let i = 0; i < 5; i++) await put(s, `s${i}`);
  await paused.waitUntil('first', (x) => x.events.length >= 1);
  paused.paused = false;
  paused.watch!.resume();
  await paused.waitUntil('all 35', (x) => x.events.length >= 35);
  t.equal(paused.error, null);
});

t.test('watch cache - bookmarks report progress to watchers that asked', async (t) => {
  const { s, cache } = await setup(t);
  await cache.start();
  const b = await Recorder.start(cache, { fromRevision: 0, bookmarks: true });
  const plain = await Recorder.start(cache, { fromRevision: 0 });
  await s.create('/registry/other/x', new Uint8Array([1]));
  s.notifyProgress();
  const rev = await s.currentRevision();
  await b.waitUntil('bookmark', (x) => x.events.some((e) => e.type === 'BOOKMARK' && e.revision === rev));
  await put(s, 'after');
  await plain.waitUntil('event', (x) => x.events.length >= 1);
  t.same(plain.events.map((e) => e.type), ['ADDED'], 'no bookmarks for a watcher that did not ask');
  t.same(b.events.map((e) => e.type), ['BOOKMARK', 'ADDED']);
});

t.test('watch cache - storage watch Unavailable: re-watch from the cache revision, nothing lost', async (t) => {
  const { s, cache } = await setup(t);
  await cache.start();
  const r = await Recorder.start(cache, { fromRevision: 0 });
  const a = await put(s, 'a');
  await r.waitUntil('a', (x) => x.events.length >= 1);
  holdRetries();
  s.breakWatches(StorageErrorCode.Unavailable);
  const b = await put(s, 'b');
  const c = await put(s, 'c');
  t.equal(s.watchCount, 0, 'the storage watch is down while b and c are written');
  release();
  await r.waitUntil('b and c', (x) => x.events.length >= 3);
  t.same(r.events.map((e) => e.revision), [a, b, c], 'every change once, in order');
  t.equal(r.error, null, 'the watcher did not notice');
  t.equal(s.watchCount, 1, 'one storage watch again');
});

t.test('watch cache - history compacted: relist, end watchers that cannot be served', async (t) => {
  const { s, cache } = await setup(t);
  await put(s, 'a');
  await cache.start();
  const r = await Recorder.start(cache, { fromRevision: 0 });
  await r.waitUntil('a', (x) => x.events.length >= 1);
  // The storage watch breaks; meanwhile writes happen and history is compacted away.
  holdRetries();
  s.breakWatches(StorageErrorCode.Unavailable);
  await put(s, 'b');
  const d = await remove(s, 'a');
  s.compact(d);
  release();
  await r.waitUntil('reset', (x) => x.error !== null);
  t.equal(r.error?.code, WatchCacheErrorCode.Reset, 'the watcher must relist');
  const l = await cache.list();
  t.same(l.items.map((i) => i.object.name), ['b'], 'relisted state');
  t.ok(cache.oldestRevision >= d, 'the window restarts at the relist');
  await t.rejects(cache.watch({ fromRevision: d - 2 }, new Recorder().handlers), { code: WatchCacheErrorCode.TooOld });
  const r2 = await Recorder.start(cache, { fromRevision: l.revision });
  const e = await put(s, 'e');
  await r2.waitUntil('e', (x) => x.events.length >= 1);
  t.same(r2.events.map((x) => x.revision), [e], 'watching resumes normally after the relist');
});

t.test('watch cache - close ends watchers and refuses calls', async (t) => {
  const { cache } = await setup(t);
  await cache.start();
  const r = await Recorder.start(cache, { fromRevision: 0 });
  cache.close();
  await waitFor('closed', () => r.error !== null);
  t.equal(r.error?.code, WatchCacheErrorCode.Closed);
  await t.rejects(cache.list({ revision: 0 }), { code: WatchCacheErrorCode.Closed });
});

t.test('watch cache - an event after a progress that claimed its revision: relist, watchers reset', async (t) => {
  const mem = new MemoryStorage();
  t.teardown(() => mem.close());
  let progress: ((rev: number) => void) | undefined;
  // Storage whose watch lets the test send a false progress notification (etcd < 3.4.25).
  const storage = Object.assign(Object.create(mem) as MemoryStorage, {
    watch: (prefix: string, from: number, h: Parameters<MemoryStorage['watch']>[2]) => {
      progress = (rev) => h.onProgress?.(rev);
      return mem.watch(prefix, from, h);
    },
  });
  const d = decoder();
  const cache = new WatchCache<Obj>({ storage, prefix: P, decode: d.decode, clock: heldClock });
  t.teardown(() => cache.close());
  await cache.start();
  const r = await Recorder.start(cache, { fromRevision: 0, bookmarks: true });
  const next = (await mem.currentRevision()) + 1;
  progress!(next); // "everything up to next is sent" — but next's event is still to come
  await r.waitUntil('bookmark', (x) => x.events.length >= 1);
  await put(mem, 'late');
  await r.waitUntil('reset', (x) => x.error !== null);
  t.equal(r.error?.code, WatchCacheErrorCode.Reset, 'the watcher that got the false bookmark must relist');
  const l = await cache.list();
  t.same(l.items.map((i) => i.object.name), ['late'], 'the cache relisted and has the event');
});
