// The Storage contract (control-plane/apiserver/storage/storage.ts) as one test body, run against
// MemoryStorage, a real etcd and a real Shoal store. Each subtest works under its own prefix, so
// one store serves them all; compaction (global) runs last.
import type { Test } from 'tap';
import { StorageError, StorageErrorCode } from '../../../control-plane/apiserver/storage/index.js';
import type { Storage } from '../../../control-plane/apiserver/storage/index.js';
import { WatchCollector } from './watch-collector.js';

export interface ContractFixture {
  readonly storage: Storage;
  /** Compacts the whole store at rev (etcd's Compact, physical). */
  compact(rev: number): Promise<void>;
  /** Puts every entry in one revision (one txn); returns the revision. */
  putAll(entries: readonly (readonly [string, Uint8Array])[]): Promise<number>;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function rejectsWith(t: Test, p: Promise<unknown>, code: StorageErrorCode, what: string): Promise<StorageError | undefined> {
  try {
    await p;
    t.fail(`${what}: expected ${code}, it succeeded`);
    return undefined;
  } catch (e) {
    t.ok(e instanceof StorageError, `${what}: a StorageError`);
    t.equal((e as StorageError).code, code, `${what}: ${code}`);
    return e as StorageError;
  }
}

export function storageContract(t: Test, fixture: () => ContractFixture): void {
  let n = 0;
  const prefix = (): string => `/contract/${process.pid}-${Date.now()}-${n++}/`;

  t.test('storage - create, get, update, delete', async (t) => {
    const s = fixture().storage;
    const p = prefix();
    const c = await s.create(`${p}a`, enc('one'));
    t.equal(c.createRevision, c.modRevision, 'created at one revision');
    t.equal(c.key, `${p}a`);
    const g = await s.get(`${p}a`);
    t.same({ ...g, value: dec(g!.value) }, { ...c, value: 'one' }, 'get returns what create stored');
    const u = await s.update(`${p}a`, enc('two'), c.modRevision);
    t.ok(u.modRevision > c.modRevision, 'update takes a newer revision');
    t.equal(u.createRevision, c.createRevision, 'update keeps the create revision');
    t.equal(dec((await s.get(`${p}a`))!.value), 'two');
    const d = await s.delete(`${p}a`, u.modRevision);
    t.ok(d.revision > u.modRevision, 'delete takes a newer revision');
    t.equal(dec(d.prev.value), 'two', 'delete returns the deleted value');
    t.equal(d.prev.modRevision, u.modRevision);
    t.equal(await s.get(`${p}a`), undefined, 'gone after delete');
    t.equal(await s.currentRevision(), d.revision, 'currentRevision is the last write (nothing else writes)');
    const again = await s.create(`${p}a`, enc('three'));
    t.equal(again.createRevision, again.modRevision, 'recreated with a fresh create revision');
  });

  t.test('storage - compare-and-swap failures write nothing', async (t) => {
    const s = fixture().storage;
    const p = prefix();
    const c = await s.create(`${p}k`, enc('v1'));
    await rejectsWith(t, s.create(`${p}k`, enc('other')), StorageErrorCode.AlreadyExists, 'create of an existing key');
    const u = await s.update(`${p}k`, enc('v2'), c.modRevision);
    const before = await s.currentRevision();
    await rejectsWith(t, s.update(`${p}k`, enc('stale'), c.modRevision), StorageErrorCode.Conflict, 'update at a stale revision');
    await rejectsWith(t, s.delete(`${p}k`, c.modRevision), StorageErrorCode.Conflict, 'delete at a stale revision');
    await rejectsWith(t, s.update(`${p}missing`, enc('x'), u.modRevision), StorageErrorCode.NotFound, 'update of a missing key');
    await rejectsWith(t, s.delete(`${p}missing`, u.modRevision), StorageErrorCode.NotFound, 'delete of a missing key');
    t.equal(await s.currentRevision(), before, 'no revision was taken by the failures');
    t.equal(dec((await s.get(`${p}k`))!.value), 'v2', 'value unchanged');
    t.equal(await s.get(`${p}missing`), undefined, 'nothing created');
    await t.rejects(s.update(`${p}missing`, enc('x'), 0), TypeError, 'expected revision 0 is refused (it would create)');
    await t.rejects(s.create('', enc('x')), TypeError, 'empty key refused');
    await t.rejects(s.list(p, { startKey: '/elsewhere' }), TypeError, 'startKey outside the prefix refused');
  });

  t.test('storage - list with limit, startKey, revision and remaining counts', async (t) => {
    const s = fixture().storage;
    const p = prefix();
    const names = ['a', 'b', 'c', 'd', 'e'];
    const created = [];
    for (const x of names) created.push(await s.create(`${p}${x}`, enc(x)));
    await s.create(`${p.slice(0, -1)}x`, enc('sibling outside the prefix'));
    const all = await s.list(p);
    t.same(all.items.map((i) => dec(i.value)), names, 'every key in key order, nothing outside the prefix');
    t.equal(all.more, false);
    t.equal(all.remaining, 0);
    t.ok(all.revision >= created[4]!.modRevision, 'list revision covers the writes');

    const page1 = await s.list(p, { limit: 2 });
    t.same(page1.items.map((i) => dec(i.value)), ['a', 'b']);
    t.equal(page1.more, true);
    t.equal(page1.remaining, 3, 'three keys left out');
    const page2 = await s.list(p, { limit: 2, startKey: `${page1.items[1]!.key}\0`, revision: page1.revision });
    t.same(page2.items.map((i) => dec(i.value)), ['c', 'd'], 'next page from startKey at the same revision');
    t.equal(page2.remaining, 1);
    t.equal(page2.revision, page1.revision, 'read at the requested revision');
    const page3 = await s.list(p, { limit: 2, startKey: `${page2.items[1]!.key}\0`, revision: page1.revision });
    t.same(page3.items.map((i) => dec(i.value)), ['e']);
    t.equal(page3.more, false);
    t.equal(page3.remaining, 0);

    // The past stays readable: changes after page1.revision do not show at it.
    await s.delete(`${p}a`, created[0]!.modRevision);
    await s.update(`${p}b`, enc('B'), created[1]!.modRevision);
    await s.create(`${p}f`, enc('f'));
    const old = await s.list(p, { revision: page1.revision });
    t.same(old.items.map((i) => dec(i.value)), names, 'list at an old revision shows the old state');
    const now = await s.list(p);
    t.same(now.items.map((i) => dec(i.value)), ['B', 'c', 'd', 'e', 'f'], 'latest list shows the changes');
    await t.rejects(s.list(p, { revision: now.revision + 1000 }), StorageError, 'a future revision is refused');
  });

  t.test('storage - watch from a past revision delivers every change in order, then live ones', async (t) => {
    const s = fixture().storage;
    const p = prefix();
    const start = await s.currentRevision();
    const a = await s.create(`${p}a`, enc('a1'));
    await s.create(`${p}other-key`, enc('x'));
    const a2 = await s.update(`${p}a`, enc('a2'), a.modRevision);
    const d = await s.delete(`${p}a`, a2.modRevision);
    const outside = await s.create(`/contract-outside/${process.pid}-${n}`, enc('no'));
    const w = new WatchCollector(s, p, start);
    t.teardown(() => w.close());
    const evs = await w.waitEvents(4);
    t.same(
      evs.map((e) => [e.type, e.key.slice(p.length), dec(e.value), e.prevValue === undefined ? null : dec(e.prevValue), e.modRevision]),
      [
        ['put', 'a', 'a1', null, a.modRevision],
        ['put', 'other-key', 'x', null, a.modRevision + 1],
        ['put', 'a', 'a2', 'a1', a2.modRevision],
        ['delete', 'a', '', 'a2', d.revision],
      ],
      'history replayed in order with previous values',
    );
    t.equal(evs[0]!.createRevision, a.modRevision, 'put carries the create revision');
    t.equal(evs[3]!.createRevision, 0, 'delete has create revision 0');
    t.ok(evs.every((e) => e.modRevision !== outside.modRevision), 'nothing from outside the prefix');
    const live = await s.create(`${p}b`, enc('b'));
    const all = await w.waitEvents(5);
    t.equal(all[4]!.modRevision, live.modRevision, 'then live changes');
    t.same(w.batches.map((b) => b.revision), all.map((e) => e.modRevision), 'one batch per revision, each its own revision');
    t.equal(w.error, null, 'no error');

    // A watch from the newest revision sees only what follows.
    const w2 = new WatchCollector(s, p, live.modRevision);
    t.teardown(() => w2.close());
    const c = await s.create(`${p}c`, enc('c'));
    const e2 = await w2.waitEvents(1);
    t.same(e2.map((e) => e.modRevision), [c.modRevision], 'exclusive start');
  });

  t.test('storage - all events of one revision arrive in one call', async (t) => {
    const f = fixture();
    const p = prefix();
    const start = await f.storage.currentRevision();
    const w = new WatchCollector(f.storage, p, start);
    t.teardown(() => w.close());
    const rev = await f.putAll([[`${p}x`, enc('1')], [`${p}y`, enc('2')], [`${p}z`, enc('3')]]);
    const single = await f.storage.create(`${p}w`, enc('4'));
    await w.waitEvents(4);
    t.same(w.batches.map((b) => [b.revision, b.events.map((e) => e.key.slice(p.length))]), [
      [rev, ['x', 'y', 'z']],
      [single.modRevision, ['w']],
    ]);
  });

  t.test('storage - progress on request', async (t) => {
    const s = fixture().storage;
    const p = prefix();
    await s.create(`${p}a`, enc('a'));
    const w = new WatchCollector(s, p, await s.currentRevision());
    t.teardown(() => w.close());
    await s.create(`/contract-outside/${process.pid}-progress-${n}`, enc('moves the revision, not the prefix'));
    const rev = await s.currentRevision();
    // Best effort by contract: ask until an answer covers rev (bounded).
    const deadline = Date.now() + 20_000;
    while (!w.progress.some((r) => r >= rev) && Date.now() < deadline) {
      w.watch.requestProgress();
      await new Promise((r) => setTimeout(r, 100));
    }
    t.ok(w.progress.some((r) => r >= rev), `progress reached revision ${rev}: ${w.progress.join(',')}`);
    t.same(w.events, [], 'no events outside the prefix');
  });

  t.test('storage - compaction: old reads and watches fail with Compacted', async (t) => {
    const f = fixture();
    const s = f.storage;
    const p = prefix();
    const a = await s.create(`${p}a`, enc('1'));
    const b = await s.update(`${p}a`, enc('2'), a.modRevision);
    const c = await s.update(`${p}a`, enc('3'), b.modRevision);
    await f.compact(b.modRevision);
    t.equal(await s.compactedRevision(), b.modRevision, 'compactedRevision is the compaction point');
    const err = await rejectsWith(t, s.list(p, { revision: a.modRevision }), StorageErrorCode.Compacted, 'list below the compaction');
    t.equal(err?.compactRevision, b.modRevision, 'the error names the oldest readable revision');
    const atB = await s.list(p, { revision: b.modRevision });
    t.same(atB.items.map((i) => dec(i.value)), ['2'], 'the compaction revision itself stays readable');
    const w = new WatchCollector(s, p, a.modRevision - 1);
    t.teardown(() => w.close());
    const we = await w.waitError();
    t.equal(we.code, StorageErrorCode.Compacted, 'watch from below the compaction fails');
    t.equal(we.compactRevision, b.modRevision, 'with the compact revision');
    t.same(w.events, [], 'and delivers nothing');
    const ok = new WatchCollector(s, p, b.modRevision);
    t.teardown(() => ok.close());
    const evs = await ok.waitEvents(1);
    t.same(evs.map((e) => e.modRevision), [c.modRevision], 'a watch from the compaction revision works');
  });
}
