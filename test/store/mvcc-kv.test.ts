import t from 'tap';
import {
  EMPTY_BYTES,
  MvccStore,
  prefixEnd,
  SortOrder,
  SortTarget,
  inRange,
} from '../../control-plane/store/mvcc/index.js';
import type { RangeRequest } from '../../control-plane/store/mvcc/index.js';
import { b, errorOf, kvText, str, unwrap } from './helpers/mvcc.js';

/** A store holding a, ab, abc, b, c\xff, d (revisions 2..7). */
function sample(): MvccStore {
  const s = new MvccStore();
  for (const k of ['a', 'ab', 'abc', 'b']) unwrap(s.put({ key: b(k), value: b(`v-${k}`) }));
  unwrap(s.put({ key: new Uint8Array([0x63, 0xff]), value: b('v-c') }));
  unwrap(s.put({ key: b('d'), value: b('v-d') }));
  return s;
}

const keysOf = (s: MvccStore, req: RangeRequest): string[] =>
  unwrap(s.range(req)).kvs.map((kv) => Buffer.from(kv.key).toString('latin1'));

t.test('mvcc range - range_end conventions', async (t) => {
  const s = sample();
  const cases: { name: string; req: RangeRequest; want: string[] }[] = [
    { name: 'empty range_end is the single key', req: { key: b('ab') }, want: ['ab'] },
    { name: 'missing single key', req: { key: b('zz') }, want: [] },
    { name: '[a, b) is half-open', req: { key: b('a'), rangeEnd: b('b') }, want: ['a', 'ab', 'abc'] },
    { name: 'prefix via key+1', req: { key: b('ab'), rangeEnd: prefixEnd(b('ab')) }, want: ['ab', 'abc'] },
    { name: '"\\0" is every key >= key', req: { key: b('abc'), rangeEnd: new Uint8Array([0]) }, want: ['abc', 'b', 'c\xff', 'd'] },
    { name: '"\\0" to "\\0" is every key', req: { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) }, want: ['a', 'ab', 'abc', 'b', 'c\xff', 'd'] },
    { name: 'prefix ending in 0xff', req: { key: new Uint8Array([0x63, 0xff]), rangeEnd: prefixEnd(new Uint8Array([0x63, 0xff])) }, want: ['c\xff'] },
    { name: 'range_end before key is empty', req: { key: b('b'), rangeEnd: b('a') }, want: [] },
  ];
  for (const c of cases) t.same(keysOf(s, c.req), c.want, c.name);
});

t.test('mvcc range - prefixEnd and inRange follow etcd', async (t) => {
  t.same([...prefixEnd(b('aa'))], [...b('ab')]);
  t.same([...prefixEnd(new Uint8Array([0x61, 0xff]))], [0x62]);
  t.same([...prefixEnd(new Uint8Array([0xff, 0xff]))], [0]);
  t.same([...prefixEnd(EMPTY_BYTES)], [0]);
  t.ok(inRange(b('ab'), b('a'), b('b')));
  t.notOk(inRange(b('b'), b('a'), b('b')));
  t.ok(inRange(b('zzz'), b('b'), new Uint8Array([0])));
  t.ok(inRange(b('a'), b('a'), undefined));
  t.notOk(inRange(b('ab'), b('a'), EMPTY_BYTES));
});

t.test('mvcc range - limit, more and count', async (t) => {
  const s = sample();
  const all = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };
  const cases: { name: string; req: RangeRequest; keys: string[]; more: boolean; count: number }[] = [
    { name: 'no limit', req: all, keys: ['a', 'ab', 'abc', 'b', 'c\xff', 'd'], more: false, count: 6 },
    { name: 'limit 2', req: { ...all, limit: 2 }, keys: ['a', 'ab'], more: true, count: 6 },
    { name: 'limit equal to size', req: { ...all, limit: 6 }, keys: ['a', 'ab', 'abc', 'b', 'c\xff', 'd'], more: false, count: 6 },
    { name: 'limit above size', req: { ...all, limit: 10 }, keys: ['a', 'ab', 'abc', 'b', 'c\xff', 'd'], more: false, count: 6 },
    { name: 'count only', req: { ...all, countOnly: true }, keys: [], more: false, count: 6 },
    { name: 'limit with descending sort', req: { ...all, limit: 2, sortOrder: SortOrder.DESCEND }, keys: ['d', 'c\xff'], more: true, count: 6 },
  ];
  for (const c of cases) {
    const r = unwrap(s.range(c.req));
    t.same(r.kvs.map((kv) => Buffer.from(kv.key).toString('latin1')), c.keys, `${c.name}: keys`);
    t.equal(r.more, c.more, `${c.name}: more`);
    t.equal(r.count, c.count, `${c.name}: count`);
    t.equal(r.revision, 7, `${c.name}: header revision`);
  }
});

t.test('mvcc range - sorting, filters and keys_only', async (t) => {
  const s = new MvccStore();
  unwrap(s.put({ key: b('k1'), value: b('z') })); // 2
  unwrap(s.put({ key: b('k2'), value: b('y') })); // 3
  unwrap(s.put({ key: b('k3'), value: b('x') })); // 4
  unwrap(s.put({ key: b('k1'), value: b('w') })); // 5: k1 v2
  const all = { key: b('k'), rangeEnd: prefixEnd(b('k')) };
  const keys = (req: RangeRequest): string[] => unwrap(s.range(req)).kvs.map((kv) => str(kv.key));
  t.same(keys({ ...all, sortTarget: SortTarget.VALUE }), ['k1', 'k3', 'k2'], 'non-key target sorts ascending by default');
  t.same(keys({ ...all, sortTarget: SortTarget.VALUE, sortOrder: SortOrder.DESCEND }), ['k2', 'k3', 'k1']);
  t.same(keys({ ...all, sortTarget: SortTarget.MOD, sortOrder: SortOrder.DESCEND }), ['k1', 'k3', 'k2']);
  t.same(keys({ ...all, sortTarget: SortTarget.CREATE, sortOrder: SortOrder.ASCEND }), ['k1', 'k2', 'k3']);
  t.same(keys({ ...all, sortTarget: SortTarget.VERSION, sortOrder: SortOrder.DESCEND }), ['k1', 'k2', 'k3'], 'ties keep key order');
  t.same(keys({ ...all, sortOrder: SortOrder.DESCEND }), ['k3', 'k2', 'k1']);
  t.same(keys({ ...all, minModRevision: 4 }), ['k1', 'k3']);
  t.same(keys({ ...all, maxModRevision: 3 }), ['k2']);
  t.same(keys({ ...all, minCreateRevision: 3 }), ['k2', 'k3']);
  t.same(keys({ ...all, maxCreateRevision: 2 }), ['k1']);
  const filtered = unwrap(s.range({ ...all, minModRevision: 4, limit: 1 }));
  t.same([filtered.kvs.length, filtered.more, filtered.count], [1, true, 3], 'filters keep count unfiltered, like etcd');
  const keysOnly = unwrap(s.range({ ...all, keysOnly: true }));
  t.same(keysOnly.kvs.map((kv) => [str(kv.key), kv.value.length, kv.version]), [['k1', 0, 2], ['k2', 0, 1], ['k3', 0, 1]]);
  t.equal(str(unwrap(s.range({ key: b('k1') })).kvs[0]!.value), 'w', 'keys_only did not touch the stored value');
});

t.test('mvcc put - revisions, versions and version reset after delete', async (t) => {
  const s = new MvccStore();
  t.equal(s.revision, 1, 'a new store is at revision 1, like etcd');
  const steps: string[] = [];
  const get = (): string => kvText(unwrap(s.range({ key: b('k') })).kvs[0]);
  unwrap(s.put({ key: b('k'), value: b('1') }));
  steps.push(get());
  unwrap(s.put({ key: b('k'), value: b('2') }));
  steps.push(get());
  const del = unwrap(s.deleteRange({ key: b('k') }));
  t.same([del.response.deleted, del.revision], [1, 4]);
  steps.push(get());
  unwrap(s.put({ key: b('k'), value: b('3') }));
  steps.push(get());
  t.same(steps, ['k=1@2/2/v1', 'k=2@2/3/v2', '-', 'k=3@5/5/v1']);
});

t.test('mvcc put - prev_kv, ignore_value, ignore_lease and lease attach', async (t) => {
  const s = new MvccStore();
  unwrap(s.leaseGrant(7, 60));
  const first = unwrap(s.put({ key: b('k'), value: b('v1'), lease: 7, prevKv: true }));
  t.equal(first.response.prevKv, undefined, 'no prev_kv for a new key');
  const second = unwrap(s.put({ key: b('k'), value: b('v2'), prevKv: true, ignoreLease: true }));
  t.equal(kvText(second.response.prevKv), 'k=v1@2/2/v1 lease 7');
  t.equal(kvText(unwrap(s.range({ key: b('k') })).kvs[0]), 'k=v2@2/3/v2 lease 7', 'ignore_lease kept the lease');
  unwrap(s.put({ key: b('k'), ignoreValue: true }));
  t.equal(kvText(unwrap(s.range({ key: b('k') })).kvs[0]), 'k=v2@2/4/v3', 'ignore_value kept the value; no lease given detaches');
  t.same(s.leaseKeys(7), []);
  const noPrev = unwrap(s.put({ key: b('k'), value: b('v3') }));
  t.equal(noPrev.response.prevKv, undefined, 'prev_kv only when asked');
});

t.test('mvcc put - refusals carry etcd codes and messages and change nothing', async (t) => {
  const s = new MvccStore({ limits: { maxRequestBytes: 1024 } });
  unwrap(s.put({ key: b('k'), value: b('v') }));
  const before = s.snapshot();
  const cases = [
    { name: 'empty key', r: s.put({ key: EMPTY_BYTES, value: b('v') }), grpc: 3, msg: 'etcdserver: key is not provided' },
    { name: 'unknown lease', r: s.put({ key: b('k'), value: b('v'), lease: 99 }), grpc: 5, msg: 'etcdserver: requested lease not found' },
    { name: 'ignore_value on absent key', r: s.put({ key: b('nope'), ignoreValue: true }), grpc: 3, msg: 'etcdserver: key not found' },
    { name: 'ignore_lease on deleted key', r: s.put({ key: b('gone'), value: b('x'), ignoreLease: true }), grpc: 3, msg: 'etcdserver: key not found' },
    { name: 'ignore_value with a value', r: s.put({ key: b('k'), value: b('x'), ignoreValue: true }), grpc: 3, msg: 'etcdserver: value is provided' },
    { name: 'ignore_lease with a lease', r: s.put({ key: b('k'), lease: 5, ignoreLease: true }), grpc: 3, msg: 'etcdserver: lease is provided' },
    { name: 'too large', r: s.put({ key: b('k'), value: new Uint8Array(2000) }), grpc: 3, msg: 'etcdserver: request is too large' },
    { name: 'delete with empty key', r: s.deleteRange({ key: EMPTY_BYTES }), grpc: 3, msg: 'etcdserver: key is not provided' },
    { name: 'range with empty key', r: s.range({ key: EMPTY_BYTES }), grpc: 3, msg: 'etcdserver: key is not provided' },
  ];
  for (const c of cases) {
    const e = errorOf<unknown>(c.r);
    t.same([e.grpcCode, e.message], [c.grpc, c.msg], c.name);
  }
  t.same(s.snapshot(), before, 'state unchanged');
  t.equal(s.revision, 2);
});

t.test('mvcc range - past revisions and revision errors', async (t) => {
  const s = new MvccStore();
  unwrap(s.put({ key: b('k'), value: b('1') })); // 2
  unwrap(s.put({ key: b('k'), value: b('2') })); // 3
  unwrap(s.deleteRange({ key: b('k') })); // 4
  unwrap(s.put({ key: b('j'), value: b('x') })); // 5
  const at = (rev: number): string[] =>
    unwrap(s.range({ key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]), revision: rev })).kvs.map(kvText);
  t.same(at(1), []);
  t.same(at(2), ['k=1@2/2/v1']);
  t.same(at(3), ['k=2@2/3/v2']);
  t.same(at(4), []);
  t.same(at(5), ['j=x@5/5/v1']);
  t.same(at(0), ['j=x@5/5/v1'], 'revision 0 is the current one');
  t.equal(unwrap(s.range({ key: b('k'), revision: 2 })).revision, 5, 'header revision is the current one');
  const future = errorOf(s.range({ key: b('k'), revision: 6 }));
  t.same([future.grpcCode, future.message], [11, 'etcdserver: mvcc: required revision is a future revision']);
  unwrap(s.compact(3));
  const compacted = errorOf(s.range({ key: b('k'), revision: 2 }));
  t.same([compacted.grpcCode, compacted.message], [11, 'etcdserver: mvcc: required revision has been compacted']);
  t.same(at(3), ['k=2@2/3/v2'], 'the compact revision itself is still readable');
});

t.test('mvcc delete - ranges, prev_kvs, and no revision when nothing is deleted', async (t) => {
  const s = sample();
  const none = unwrap(s.deleteRange({ key: b('zz') }));
  t.same([none.response.deleted, none.revision, none.events.length, s.revision], [0, 7, 0, 7]);
  const r = unwrap(s.deleteRange({ key: b('a'), rangeEnd: prefixEnd(b('a')), prevKv: true }));
  t.equal(r.response.deleted, 3);
  t.same(r.response.prevKvs.map(kvText), ['a=v-a@2/2/v1', 'ab=v-ab@3/3/v1', 'abc=v-abc@4/4/v1']);
  t.same([r.revision, r.response.revision], [8, 8]);
  t.same(keysOf(s, { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) }), ['b', 'c\xff', 'd']);
  const all = unwrap(s.deleteRange({ key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) }));
  t.equal(all.response.deleted, 3);
  t.same(all.response.prevKvs, [], 'prev_kvs only when asked');
  t.equal(unwrap(s.range({ key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]), countOnly: true })).count, 0);
});

t.test('mvcc put - keys and values are copied in', async (t) => {
  const s = new MvccStore();
  const key = b('k');
  const value = b('v');
  unwrap(s.put({ key, value }));
  key[0] = 0x78;
  value[0] = 0x78;
  t.equal(kvText(unwrap(s.range({ key: b('k') })).kvs[0]), 'k=v@2/2/v1');
});

t.test('mvcc config - limits are validated at construction', async (t) => {
  t.throws(() => new MvccStore({ limits: { maxTxnOps: 0 } }), RangeError);
  t.throws(() => new MvccStore({ limits: { maxRequestBytes: -1 } }), RangeError);
  t.same(new MvccStore().limits, { maxTxnOps: 128, maxRequestBytes: 1572864 });
});
