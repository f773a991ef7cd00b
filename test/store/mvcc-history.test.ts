import t from 'tap';
import { crc32c, MvccStore, prefixEnd, SnapshotCorruptError } from '../../control-plane/store/mvcc/index.js';
import type { HistoryResult } from '../../control-plane/store/mvcc/index.js';
import { b, errorOf, eventText, kvText, unwrap } from './helpers/mvcc.js';

const ALL = [new Uint8Array([0]), new Uint8Array([0])] as const;

const texts = (h: HistoryResult): string[] | string =>
  h.type === 'compacted' ? `compacted at ${h.compactRevision}` : h.events.map(eventText);

/** Revisions: 2 put a=1, 3 put b=1, 4 put a=2, 5 delete a, 6 txn(put c=1, put b=2), 7 put a=3. */
function history(): MvccStore {
  const s = new MvccStore();
  unwrap(s.put({ key: b('a'), value: b('1') }));
  unwrap(s.put({ key: b('b'), value: b('1') }));
  unwrap(s.put({ key: b('a'), value: b('2') }));
  unwrap(s.deleteRange({ key: b('a') }));
  unwrap(s.txn({ success: [{ type: 'put', put: { key: b('c'), value: b('1') } }, { type: 'put', put: { key: b('b'), value: b('2') } }] }));
  unwrap(s.put({ key: b('a'), value: b('3') }));
  return s;
}

t.test('mvcc events - every write returns its events with prev_kv', async (t) => {
  const s = new MvccStore();
  const e1 = unwrap(s.put({ key: b('k'), value: b('1') }));
  const e2 = unwrap(s.put({ key: b('k'), value: b('2') }));
  const e3 = unwrap(s.deleteRange({ key: b('k') }));
  t.same([...e1.events, ...e2.events, ...e3.events].map(eventText), [
    'PUT k=1@2/2/v1 prev -',
    'PUT k=2@2/3/v2 prev k=1@2/2/v1',
    'DELETE k deleted@4 prev k=2@2/3/v2',
  ]);
  t.same([e1.revision, e2.revision, e3.revision], [2, 3, 4]);
  const del = e3.events[0]!.kv;
  t.same([del.createRevision, del.version, del.value.length, del.lease], [0, 0, 0, 0], 'a DELETE kv has only key and mod_revision');
});

t.test('mvcc events - history from a start revision, for a key range', async (t) => {
  const s = history();
  const cases: { name: string; start: number; key: Uint8Array; end?: Uint8Array; want: string[] }[] = [
    {
      name: 'everything',
      start: 1,
      key: ALL[0],
      end: ALL[1],
      want: [
        'PUT a=1@2/2/v1 prev -',
        'PUT b=1@3/3/v1 prev -',
        'PUT a=2@2/4/v2 prev a=1@2/2/v1',
        'DELETE a deleted@5 prev a=2@2/4/v2',
        'PUT c=1@6/6/v1 prev -',
        'PUT b=2@3/6/v2 prev b=1@3/3/v1',
        'PUT a=3@7/7/v1 prev -',
      ],
    },
    { name: 'one key from the middle', start: 4, key: b('a'), want: ['PUT a=2@2/4/v2 prev a=1@2/2/v1', 'DELETE a deleted@5 prev a=2@2/4/v2', 'PUT a=3@7/7/v1 prev -'] },
    { name: 'a range', start: 5, key: b('b'), end: b('d'), want: ['PUT c=1@6/6/v1 prev -', 'PUT b=2@3/6/v2 prev b=1@3/3/v1'] },
    { name: 'a prefix', start: 1, key: b('c'), end: prefixEnd(b('c')), want: ['PUT c=1@6/6/v1 prev -'] },
    { name: 'from the next revision', start: 8, key: ALL[0], end: ALL[1], want: [] },
    { name: 'start 0 means from now', start: 0, key: ALL[0], end: ALL[1], want: [] },
  ];
  for (const c of cases) t.same(texts(s.eventsFrom(c.start, c.key, c.end)), c.want, c.name);
  const next = s.eventsFrom(0, b('a'));
  t.same(next.type === 'events' ? [next.nextRevision, next.revision] : null, [8, 7]);
});

t.test('mvcc events - limit returns whole revisions and where to continue', async (t) => {
  const s = history();
  const first = s.eventsFrom(1, ALL[0], ALL[1], 5);
  t.same(first.type === 'events' ? [first.events.length, first.nextRevision] : null, [6, 7], 'revision 6 is not split');
  const rest = s.eventsFrom(7, ALL[0], ALL[1], 5);
  t.same(rest.type === 'events' ? [rest.events.map(eventText), rest.nextRevision] : null, [['PUT a=3@7/7/v1 prev -'], 8]);
});

t.test('mvcc compaction - errors, reads and the compacted signal', async (t) => {
  const s = history();
  const future = errorOf(s.compact(8));
  t.same([future.grpcCode, future.message], [11, 'etcdserver: mvcc: required revision is a future revision']);
  unwrap(s.compact(5));
  t.equal(s.compactRevision, 5);
  const again = errorOf(s.compact(5));
  t.same([again.grpcCode, again.message], [11, 'etcdserver: mvcc: required revision has been compacted']);
  t.same(texts(s.eventsFrom(4, b('a'))), 'compacted at 5', 'a watcher starting below the compact revision is told');
  t.same(texts(s.eventsFrom(5, ALL[0], ALL[1])), [
    'DELETE a deleted@5 prev -',
    'PUT c=1@6/6/v1 prev -',
    'PUT b=2@3/6/v2 prev b=1@3/3/v1',
    'PUT a=3@7/7/v1 prev -',
  ], 'the compact revision itself is still watchable; its prev_kv is gone');
  const at = (rev: number): string[] => unwrap(s.range({ key: ALL[0], rangeEnd: ALL[1], revision: rev })).kvs.map(kvText);
  t.same(at(5), ['b=1@3/3/v1']);
  t.same(at(6), ['b=2@3/6/v2', 'c=1@6/6/v1']);
  t.equal(errorOf(s.range({ key: b('a'), revision: 4 })).code, 'compacted');
  t.equal(errorOf(s.hash(4)).code, 'compacted');
  unwrap(s.compact(7));
  t.same(at(7), ['a=3@7/7/v1', 'b=2@3/6/v2', 'c=1@6/6/v1'], 'values older than the compact revision survive if newest');
  t.same(s.stats().revisions, 3, 'only the newest revision of each key is left');
});

t.test('mvcc compaction - deleted keys leave the index', async (t) => {
  const s = new MvccStore();
  unwrap(s.put({ key: b('gone'), value: b('x') }));
  unwrap(s.deleteRange({ key: b('gone') }));
  unwrap(s.put({ key: b('kept'), value: b('y') }));
  t.equal(s.stats().keys, 2);
  unwrap(s.compact(3));
  t.equal(s.stats().keys, 2, 'a tombstone at the compact revision stays for watchers starting there');
  unwrap(s.compact(4));
  t.equal(s.stats().keys, 1);
  t.same(unwrap(s.range({ key: b('gone'), revision: 4 })).kvs, []);
});

t.test('mvcc hash - equal states hash equal; past revisions hash the same later', async (t) => {
  const s1 = history();
  const s2 = history();
  t.equal(unwrap(s1.hash()).hash, unwrap(s2.hash()).hash);
  const h5 = unwrap(s1.hash(5));
  unwrap(s1.put({ key: b('z'), value: b('1') }));
  t.equal(unwrap(s1.hash(5)).hash, h5.hash, 'later writes do not change the hash of a past revision');
  t.not(unwrap(s1.hash()).hash, h5.hash);
  t.not(unwrap(s1.hash()).hash, unwrap(s2.hash()).hash);
  unwrap(s2.put({ key: b('z'), value: b('2') }));
  t.not(unwrap(s1.hash()).hash, unwrap(s2.hash()).hash, 'a different value hashes differently');
  t.same(unwrap(s1.hash()).compactRevision, -1, 'never compacted, as etcd says');
  t.equal(errorOf(s1.hash(99)).code, 'future-revision');
  t.equal(crc32c(b('123456789')), 0xe3069283, 'CRC-32C check value');
});

t.test('mvcc snapshot - restore gives the same state, hash, history and behaviour', async (t) => {
  const s = history();
  unwrap(s.leaseGrant(42, 10));
  unwrap(s.put({ key: b('leased'), value: b('v'), lease: 42 }));
  s.leaseCheckpoint([{ id: 42, remainingTtl: 7 }]);
  unwrap(s.compact(5));
  const snap = s.snapshot();
  const r = new MvccStore();
  r.restore(snap);
  t.same(r.snapshot(), snap, 'snapshot of the restored store is byte-identical');
  t.same([r.revision, r.compactRevision], [s.revision, s.compactRevision]);
  t.equal(unwrap(r.hash()).hash, unwrap(s.hash()).hash);
  t.same(r.stats(), s.stats());
  t.same(texts(r.eventsFrom(5, ALL[0], ALL[1])), texts(s.eventsFrom(5, ALL[0], ALL[1])), 'history rebuilt with the same prev_kvs');
  t.same(r.leases(), [{ id: 42, ttl: 10, remainingTtl: 7 }]);
  t.same(r.leaseKeys(42), [b('leased')]);
  // Both go on identically.
  for (const store of [s, r]) {
    unwrap(store.put({ key: b('a'), value: b('4'), prevKv: true }));
    unwrap(store.leaseRevoke(42));
  }
  t.same(r.snapshot(), s.snapshot());
});

t.test('mvcc snapshot - damaged bytes are refused and the state is kept', async (t) => {
  const s = history();
  const snap = s.snapshot();
  const r = new MvccStore();
  unwrap(r.put({ key: b('mine'), value: b('1') }));
  const before = r.snapshot();
  const flipped = snap.slice();
  flipped[20] = flipped[20]! ^ 0xff;
  const cases = [
    { name: 'flipped byte', bytes: flipped },
    { name: 'truncated', bytes: snap.subarray(0, snap.length - 9) },
    { name: 'empty', bytes: new Uint8Array(0) },
    { name: 'not a snapshot', bytes: b('hello, this is not a snapshot at all') },
  ];
  for (const c of cases) {
    t.throws(() => r.restore(c.bytes), SnapshotCorruptError, c.name);
    t.same(r.snapshot(), before, `${c.name}: state kept`);
  }
});
