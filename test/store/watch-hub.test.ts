// The watch hub against a real MVCC store: live events, history catch-up, ranges, filters,
// prev_kv, compaction, slow watchers, cancel, restore. The central claim: every watcher sees
// exactly the revisions that concern it, in order, each once, however it is pulled.
import t from 'tap';
import { MvccStore, prefixEnd } from '../../control-plane/store/mvcc/index.js';
import type { Event } from '../../control-plane/store/mvcc/index.js';
import { mvccWatchSource, WatchBug, WatchHub } from '../../control-plane/store/watch/index.js';
import type { WatchDelivery, Watcher, WatchSpec } from '../../control-plane/store/watch/index.js';
import { b, str, unwrap } from './helpers/mvcc.js';
import { deliveryText, drain, Notified, seeded } from './watch-helpers.js';

const ZERO = new Uint8Array([0]);

function mustWatch(hub: WatchHub, spec: WatchSpec, onReady: () => void = () => {}): Watcher {
  const r = hub.watch(spec, onReady);
  if (!r.ok) throw new Error(`watch refused: ${r.error.message}`);
  return r.watcher;
}

const texts = (ds: WatchDelivery[]): string[] => ds.map(deliveryText);

t.test('watch hub - live events of the watched key from the next revision', async (t) => {
  const n = new Notified();
  n.put('a', '0');
  let ready = 0;
  const w = mustWatch(n.hub, { key: b('a') }, () => ready++);
  t.equal(w.startRevision, 3, 'start 0 = hub revision + 1');
  t.same(drain(w), [], 'a new watcher with nothing to deliver');
  n.put('a', '1');
  n.put('b', '1');
  n.put('a', '2');
  t.equal(ready, 1, 'onReady once: when the empty queue got its first delivery');
  t.same(texts(drain(w)), ['rev 3: PUT a=1@2/3/v2 prev -', 'rev 5: PUT a=2@2/5/v3 prev -']);
  t.equal(w.status, 'synced');
  t.equal(w.progressRevision, 5);
  n.del('a');
  t.same(texts(drain(w)), ['rev 6: DELETE a deleted@6 prev -']);
  t.equal(ready, 2);
});

t.test('watch hub - events of one revision come in one delivery, in order', async (t) => {
  const n = new Notified();
  const w = mustWatch(n.hub, { key: b('k/'), rangeEnd: prefixEnd(b('k/')) });
  n.puts([['k/2', 'x'], ['other', 'y'], ['k/1', 'z']]);
  t.same(texts(drain(w)), ['rev 2: PUT k/2=x@2/2/v1 prev -; PUT k/1=z@2/2/v1 prev -']);
});

t.test('watch hub - ranges: single key, prefix, from key on, every key, [a, c)', async (t) => {
  const n = new Notified();
  const specs: Record<string, WatchSpec> = {
    single: { key: b('ab') },
    prefix: { key: b('a'), rangeEnd: prefixEnd(b('a')) },
    fromB: { key: b('b'), rangeEnd: ZERO },
    every: { key: new Uint8Array(0), rangeEnd: ZERO },
    aToC: { key: b('a'), rangeEnd: b('c') },
    emptyKey: { key: new Uint8Array(0) },
  };
  const ws = Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, mustWatch(n.hub, s)]));
  for (const k of ['a', 'ab', 'b', 'c', 'zz', '\u0000']) n.put(k, '1');
  const keys = (w: Watcher): string[] => drain(w).flatMap((d) => (d.type === 'events' ? d.events.map((e) => str(e.kv.key)) : []));
  t.same(keys(ws.single!), ['ab']);
  t.same(keys(ws.prefix!), ['a', 'ab']);
  t.same(keys(ws.fromB!), ['b', 'c', 'zz']);
  t.same(keys(ws.every!), ['a', 'ab', 'b', 'c', 'zz', '\u0000']);
  t.same(keys(ws.aToC!), ['a', 'ab', 'b']);
  t.same(keys(ws.emptyKey!), ['\u0000'], 'an empty key means "\\0"');
});

t.test('watch hub - an empty range is refused with etcd\'s reason', async (t) => {
  const n = new Notified();
  for (const [key, end] of [['b', 'a'], ['a', 'a']] as const) {
    const r = n.hub.watch({ key: b(key), rangeEnd: b(end) }, () => {});
    t.equal(r.ok, false);
    if (!r.ok) t.same([r.error.name, r.error.code, r.error.message], ['EmptyWatcherRangeError', 'empty-watcher-range', 'mvcc: watcher range is empty']);
  }
  t.equal(n.hub.stats().watchers, 0, 'nothing registered');
});

t.test('watch hub - filters NOPUT and NODELETE; a revision filtered to nothing is not delivered', async (t) => {
  const n = new Notified();
  const all = { key: b('k'), rangeEnd: ZERO };
  const noPut = mustWatch(n.hub, { ...all, noPut: true });
  const noDelete = mustWatch(n.hub, { ...all, noDelete: true });
  const neither = mustWatch(n.hub, { ...all, noPut: true, noDelete: true });
  n.put('k1', 'a');
  n.del('k1');
  n.put('k2', 'b');
  t.same(texts(drain(noPut)), ['rev 3: DELETE k1 deleted@3 prev -']);
  t.same(texts(drain(noDelete)), ['rev 2: PUT k1=a@2/2/v1 prev -', 'rev 4: PUT k2=b@4/4/v1 prev -']);
  t.same(drain(neither), []);
  t.equal(neither.progressRevision, 4, 'filtered revisions still count as seen');
});

t.test('watch hub - prev_kv only for watchers that ask, live and from history', async (t) => {
  const n = new Notified();
  n.put('k', '1');
  const withPrev = mustWatch(n.hub, { key: b('k'), prevKv: true, startRevision: 2 });
  const without = mustWatch(n.hub, { key: b('k'), startRevision: 2 });
  n.put('k', '2');
  n.del('k');
  t.same(texts(drain(withPrev)), [
    'rev 2: PUT k=1@2/2/v1 prev -',
    'rev 3: PUT k=2@2/3/v2 prev k=1@2/2/v1',
    'rev 4: DELETE k deleted@4 prev k=2@2/3/v2',
  ]);
  t.same(texts(drain(without)), ['rev 2: PUT k=1@2/2/v1 prev -', 'rev 3: PUT k=2@2/3/v2 prev -', 'rev 4: DELETE k deleted@4 prev -']);
});

t.test('watch hub - a past start replays history, then goes live with no gap or duplicate', async (t) => {
  const n = new Notified({ historyBatchEvents: 3 });
  for (let i = 0; i < 20; i++) n.put(`k${i % 4}`, `${i}`); // revisions 2..21
  const w = mustWatch(n.hub, { key: b('k'), rangeEnd: prefixEnd(b('k')), startRevision: 5 });
  t.equal(w.status, 'unsynced');
  const got: number[] = [];
  // Writes keep coming while the watcher catches up: one write between every two pulls.
  for (let i = 0; i < 100; i++) {
    const d = w.next();
    if (d === undefined) break;
    if (d.type === 'events') got.push(d.revision);
    n.put(`k${i % 4}`, `live${i}`);
  }
  got.push(...drain(w).flatMap((d) => (d.type === 'events' ? [d.revision] : [])));
  t.equal(w.status, 'synced', 'caught up');
  const want = n.log.filter((l) => l.revision >= 5).map((l) => l.revision);
  t.same(got, want, 'every revision from the start, in order, once');
  n.put('k9', 'after');
  t.same(drain(w).map((d) => (d.type === 'events' ? d.revision : -1)), [n.hub.revision], 'and then live');
});

t.test('watch hub - a future start revision skips the revisions below it', async (t) => {
  const n = new Notified();
  const w = mustWatch(n.hub, { key: b('k'), startRevision: 4 });
  t.equal(w.status, 'synced');
  n.put('k', '1'); // 2
  n.put('k', '2'); // 3
  n.put('k', '3'); // 4
  t.same(drain(w).map((d) => (d.type === 'events' ? d.revision : -1)), [4]);
});

t.test('watch hub - a compacted start revision gets etcd\'s compacted answer', async (t) => {
  const n = new Notified();
  for (let i = 0; i < 6; i++) n.put('k', `${i}`); // 2..7
  unwrap(n.store.compact(5));
  const old = mustWatch(n.hub, { key: b('k'), startRevision: 3, prevKv: true });
  t.same(texts(drain(old)), ['compacted at 5']);
  t.equal(old.status, 'closed');
  n.put('k', 'x');
  t.same(drain(old), [], 'a compacted watcher delivers nothing more');
  const atCompact = mustWatch(n.hub, { key: b('k'), startRevision: 5, prevKv: true });
  t.same(texts(drain(atCompact)), [
    'rev 5: PUT k=3@2/5/v4 prev -',
    'rev 6: PUT k=4@2/6/v5 prev k=3@2/5/v4',
    'rev 7: PUT k=5@2/7/v6 prev k=4@2/6/v5',
    'rev 8: PUT k=x@2/8/v7 prev k=5@2/7/v6',
  ], 'the compact revision itself is still available (without its prev_kv)');
  t.equal(n.hub.stats().watchers, 1);
});

t.test('watch hub - a slow watcher (tiny buffer) falls back to history and still sees every revision in order', async (t) => {
  const n = new Notified({ maxBufferedEvents: 2, historyBatchEvents: 3 });
  const w = mustWatch(n.hub, { key: b('k'), rangeEnd: ZERO, prevKv: true });
  let maxQueued = 0;
  for (let i = 0; i < 50; i++) {
    if (i % 3 === 0) n.puts([[`k${i}`, 'a'], [`k${i}b`, 'b']]);
    else n.put(`k${i % 5}`, `${i}`);
    maxQueued = Math.max(maxQueued, w.queuedEvents);
  }
  t.equal(w.status, 'unsynced', 'fell behind instead of buffering without bound');
  t.ok(maxQueued <= 2 + 2, `queue stayed bounded (max ${maxQueued} events)`);
  const got = drain(w);
  t.same(
    got.map((d) => (d.type === 'events' ? `${d.revision}:${d.events.length}` : '?')),
    n.log.map((l) => `${l.revision}:${l.events.length}`),
    'every revision, whole, in order, once',
  );
  t.same(
    got.flatMap((d) => (d.type === 'events' ? d.events : [])),
    n.log.flatMap((l) => l.events),
    'the same events as the store produced, prev_kv included',
  );
  t.equal(w.status, 'synced');
});

t.test('watch hub - a slow watcher whose next revision is compacted meanwhile is told so', async (t) => {
  const n = new Notified({ maxBufferedEvents: 1 });
  const w = mustWatch(n.hub, { key: b('k') });
  for (let i = 0; i < 5; i++) n.put('k', `${i}`); // 2..6
  t.equal(w.status, 'unsynced');
  unwrap(n.store.compact(5));
  t.same(texts(drain(w)), ['rev 2: PUT k=0@2/2/v1 prev -', 'compacted at 5'], 'what was queued, then the compacted answer');
});

t.test('watch hub - cancel stops deliveries and drops the queue', async (t) => {
  const n = new Notified();
  const w = mustWatch(n.hub, { key: b('k') });
  const other = mustWatch(n.hub, { key: b('k'), startRevision: 1 });
  n.put('k', '1');
  w.cancel();
  other.cancel();
  w.cancel();
  n.put('k', '2');
  t.same(drain(w), []);
  t.same(drain(other), []);
  t.equal(w.status, 'closed');
  t.same(n.hub.stats(), { revision: 3, watchers: 0, synced: 0, unsynced: 0 });
});

t.test('watch hub - notify must come in revision order, each revision once', async (t) => {
  const store = new MvccStore();
  const hub = new WatchHub({ source: mvccWatchSource(store) });
  const r = unwrap(store.put({ key: b('k'), value: b('v') }));
  hub.notify(r.revision, r.events);
  hub.notify(r.revision, []); // a command that took no revision (e.g. a lease grant)
  t.throws(() => hub.notify(r.revision, r.events), WatchBug, 'a revision twice');
  t.throws(() => hub.notify(r.revision + 2, r.events), WatchBug, 'a gap');
  t.throws(() => new WatchHub({ source: mvccWatchSource(store), maxBufferedEvents: 0 }), RangeError, 'config is validated');
});

t.test('watch hub - after a snapshot restore, synced watchers catch up on the skipped revisions from history', async (t) => {
  const leader = new MvccStore();
  const follower = new MvccStore();
  const hub = new WatchHub({ source: mvccWatchSource(follower) });
  const both = (k: string, v: string): void => {
    unwrap(leader.put({ key: b(k), value: b(v) }));
    const r = unwrap(follower.put({ key: b(k), value: b(v) }));
    hub.notify(r.revision, r.events);
  };
  both('k', '1'); // 2
  let ready = 0;
  const w = mustWatch(hub, { key: b('k') }, () => ready++);
  for (let i = 2; i <= 5; i++) unwrap(leader.put({ key: b('k'), value: b(`${i}`) })); // 3..6, not seen by the follower
  follower.restore(leader.snapshot());
  hub.restored();
  t.equal(ready, 1, 'the watcher is told to pull');
  t.equal(hub.revision, 6);
  t.same(drain(w).map((d) => (d.type === 'events' ? d.revision : -1)), [3, 4, 5, 6]);
  const r = unwrap(follower.put({ key: b('k'), value: b('7') }));
  hub.notify(r.revision, r.events);
  t.same(drain(w).map((d) => (d.type === 'events' ? d.revision : -1)), [7]);
});

t.test('watch hub - seeded random workload: every watcher sees exactly its events, however it is pulled', async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rnd = seeded(seed);
    const n = new Notified({ maxBufferedEvents: 1 + Math.floor(rnd() * 4), historyBatchEvents: 1 + Math.floor(rnd() * 5) });
    const keys = ['a', 'ab', 'b', 'ba', 'c'];
    const pick = (): string => keys[Math.floor(rnd() * keys.length)]!;
    interface Tracked {
      spec: WatchSpec;
      w: Watcher;
      got: Event[];
      revs: number[];
    }
    const tracked: Tracked[] = [];
    const specs = (): WatchSpec => {
      const k = pick();
      const kind = rnd();
      const range = kind < 0.3 ? {} : kind < 0.6 ? { rangeEnd: prefixEnd(b(k)) } : { rangeEnd: ZERO };
      return { key: b(k), ...range, prevKv: rnd() < 0.5, noPut: rnd() < 0.15, noDelete: rnd() < 0.15 };
    };
    for (let step = 0; step < 600; step++) {
      const x = rnd();
      if (x < 0.45) n.put(pick(), `${step}`);
      else if (x < 0.55) n.del(pick());
      else if (x < 0.6) n.puts([[pick() + 'x', `${step}`], [pick() + 'y', `${step}`]]);
      else if (x < 0.65 && tracked.length < 8) {
        const spec = { ...specs(), startRevision: rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * (n.hub.revision + 2)) };
        const w = mustWatch(n.hub, spec);
        tracked.push({ spec: { ...spec, startRevision: w.startRevision }, w, got: [], revs: [] });
      } else {
        // Pull a few deliveries from a random watcher.
        const tr = tracked[Math.floor(rnd() * Math.max(1, tracked.length))];
        if (tr === undefined) continue;
        const pulls = Math.floor(rnd() * 4);
        for (let p = 0; p < pulls; p++) {
          const d = tr.w.next();
          if (d === undefined) break;
          if (d.type !== 'events') throw new Error('nothing is compacted here');
          tr.revs.push(d.revision);
          tr.got.push(...d.events);
        }
      }
    }
    for (const tr of tracked) {
      for (const d of drain(tr.w)) {
        if (d.type !== 'events') throw new Error('nothing is compacted here');
        tr.revs.push(d.revision);
        tr.got.push(...d.events);
      }
      const s = tr.spec;
      const want = n.log
        .filter((l) => l.revision >= s.startRevision!)
        .flatMap((l) =>
          l.events
            .filter((e) => inSpec(s, e))
            .map((e) => (s.prevKv === true ? e : { ...e, prevKv: undefined })),
        );
      t.same(tr.got, want, `seed ${seed}: watcher on ${str(s.key)} from ${s.startRevision} saw exactly its events`);
      t.same(tr.revs, [...new Set(tr.revs)].sort((a, b) => a - b), `seed ${seed}: revisions strictly increasing`);
      t.equal(tr.w.status, 'synced');
    }
  }
});

function inSpec(s: WatchSpec, e: Event): boolean {
  if (s.noPut === true && e.type === 0) return false;
  if (s.noDelete === true && e.type === 1) return false;
  const k = str(e.kv.key);
  const key = str(s.key);
  const end = s.rangeEnd === undefined ? '' : str(s.rangeEnd);
  if (end === '') return k === key;
  if (end === '\u0000') return k >= key;
  return k >= key && k < end;
}
