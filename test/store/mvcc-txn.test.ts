import t from 'tap';
import {
  CompareResult,
  CompareTarget,
  MvccStore,
  prefixEnd,
  putSize,
  txnSize,
} from '../../control-plane/store/mvcc/index.js';
import type { Compare, PutRequest, RequestOp, TxnRequest } from '../../control-plane/store/mvcc/index.js';
import * as pb from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import { b, errorOf, eventText, kvText, str, unwrap } from './helpers/mvcc.js';

const { EQUAL, NOT_EQUAL, GREATER, LESS } = CompareResult;
const { VERSION, CREATE, MOD, VALUE, LEASE } = CompareTarget;

const put = (key: string, value: string, extra: Partial<{ lease: number; prevKv: boolean; ignoreValue: boolean }> = {}): RequestOp => ({
  type: 'put',
  put: { key: b(key), value: b(value), ...extra },
});
const get = (key: string, rangeEnd?: Uint8Array, revision?: number): RequestOp => ({
  type: 'range',
  range: { key: b(key), ...(rangeEnd === undefined ? {} : { rangeEnd }), ...(revision === undefined ? {} : { revision }) },
});
const del = (key: string, rangeEnd?: Uint8Array): RequestOp => ({
  type: 'deleteRange',
  deleteRange: { key: b(key), ...(rangeEnd === undefined ? {} : { rangeEnd }) },
});
const txn = (r: TxnRequest): RequestOp => ({ type: 'txn', txn: r });

/** k1=v1 (create 2, v1, lease 5), k2=v2 at rev 3 then v2b at rev 4 (version 2). */
function sample(): MvccStore {
  const s = new MvccStore();
  unwrap(s.leaseGrant(5, 30));
  unwrap(s.put({ key: b('k1'), value: b('v1'), lease: 5 }));
  unwrap(s.put({ key: b('k2'), value: b('v2') }));
  unwrap(s.put({ key: b('k2'), value: b('v2b') }));
  return s;
}

t.test('mvcc txn - compares on value, version, create, mod and lease', async (t) => {
  const cases: { name: string; cmp: Compare; want: boolean }[] = [
    { name: 'value =', cmp: { key: b('k1'), target: VALUE, result: EQUAL, value: b('v1') }, want: true },
    { name: 'value = wrong', cmp: { key: b('k1'), target: VALUE, result: EQUAL, value: b('x') }, want: false },
    { name: 'value !=', cmp: { key: b('k1'), target: VALUE, result: NOT_EQUAL, value: b('x') }, want: true },
    { name: 'value > (bytewise)', cmp: { key: b('k2'), target: VALUE, result: GREATER, value: b('v2') }, want: true },
    { name: 'value <', cmp: { key: b('k2'), target: VALUE, result: LESS, value: b('v3') }, want: true },
    { name: 'value on a missing key is always false', cmp: { key: b('nope'), target: VALUE, result: NOT_EQUAL, value: b('x') }, want: false },
    { name: 'version =', cmp: { key: b('k2'), target: VERSION, result: EQUAL, version: 2 }, want: true },
    { name: 'version > 1', cmp: { key: b('k2'), target: VERSION, result: GREATER, version: 1 }, want: true },
    { name: 'version = 0 means absent', cmp: { key: b('nope'), target: VERSION, result: EQUAL, version: 0 }, want: true },
    { name: 'create = 0 means absent', cmp: { key: b('nope'), target: CREATE, result: EQUAL, createRevision: 0 }, want: true },
    { name: 'create =', cmp: { key: b('k2'), target: CREATE, result: EQUAL, createRevision: 3 }, want: true },
    { name: 'create on present key = 0', cmp: { key: b('k1'), target: CREATE, result: EQUAL, createRevision: 0 }, want: false },
    { name: 'mod =', cmp: { key: b('k2'), target: MOD, result: EQUAL, modRevision: 4 }, want: true },
    { name: 'mod <', cmp: { key: b('k2'), target: MOD, result: LESS, modRevision: 4 }, want: false },
    { name: 'mod !=', cmp: { key: b('k2'), target: MOD, result: NOT_EQUAL, modRevision: 3 }, want: true },
    { name: 'lease =', cmp: { key: b('k1'), target: LEASE, result: EQUAL, lease: 5 }, want: true },
    { name: 'lease = 0 on unleased key', cmp: { key: b('k2'), target: LEASE, result: EQUAL, lease: 0 }, want: true },
    { name: 'missing operand counts as 0', cmp: { key: b('k2'), target: MOD, result: GREATER }, want: true },
    { name: 'range: all keys must hold', cmp: { key: b('k'), rangeEnd: prefixEnd(b('k')), target: MOD, result: GREATER, modRevision: 1 }, want: true },
    { name: 'range: one key fails', cmp: { key: b('k'), rangeEnd: prefixEnd(b('k')), target: MOD, result: GREATER, modRevision: 2 }, want: false },
    { name: 'range with no keys compares against zero', cmp: { key: b('x'), rangeEnd: prefixEnd(b('x')), target: VERSION, result: EQUAL, version: 0 }, want: true },
  ];
  for (const c of cases) {
    const s = sample();
    const r = unwrap(s.txn({ compare: [c.cmp], success: [put('ok', 'yes')], failure: [put('ok', 'no')] }));
    t.equal(r.response.succeeded, c.want, c.name);
    t.equal(str(unwrap(s.range({ key: b('ok') })).kvs[0]!.value), c.want ? 'yes' : 'no', `${c.name}: branch applied`);
  }
});

t.test('mvcc txn - several compares are a conjunction', async (t) => {
  const s = sample();
  const yes: Compare = { key: b('k1'), target: VALUE, result: EQUAL, value: b('v1') };
  const no: Compare = { key: b('k2'), target: VERSION, result: EQUAL, version: 7 };
  t.equal(unwrap(s.txn({ compare: [yes, yes] })).response.succeeded, true);
  t.equal(unwrap(s.txn({ compare: [yes, no] })).response.succeeded, false);
  t.equal(unwrap(s.txn({})).response.succeeded, true, 'no compares: success');
});

t.test('mvcc txn - one revision, sub-revisions in order, reads see earlier ops', async (t) => {
  const s = sample();
  const r = unwrap(
    s.txn({
      compare: [{ key: b('k1'), target: VERSION, result: EQUAL, version: 1 }],
      success: [put('a', '1'), get('a'), del('k2'), get('k', prefixEnd(b('k'))), put('b', '2', { prevKv: true }), get('a', undefined, 4)],
    }),
  );
  t.equal(r.revision, 5);
  t.equal(r.response.revision, 5);
  t.equal(s.revision, 5);
  t.same(r.events.map(eventText), [
    'PUT a=1@5/5/v1 prev -',
    'DELETE k2 deleted@5 prev k2=v2b@3/4/v2',
    'PUT b=2@5/5/v1 prev -',
  ]);
  const [p1, g1, d1, g2, p2, g3] = r.response.responses;
  t.same(p1, { type: 'put', put: { revision: 5, prevKv: undefined } });
  t.same(g1?.type === 'range' ? g1.range.kvs.map(kvText) : null, ['a=1@5/5/v1'], 'read after write in the same txn');
  t.same(g1?.type === 'range' ? g1.range.revision : null, 5);
  t.same(d1?.type === 'deleteRange' ? d1.deleteRange.deleted : null, 1);
  t.same(g2?.type === 'range' ? g2.range.kvs.map(kvText) : null, ['k1=v1@2/2/v1 lease 5']);
  t.same(p2?.type === 'put' ? p2.put.prevKv : 'x', undefined);
  t.same(g3?.type === 'range' ? g3.range.kvs : null, [], 'an explicit past revision does not see the txn');
  const events = s.eventsFrom(5, new Uint8Array([0]), new Uint8Array([0]));
  t.same(events.type === 'events' ? events.events.map(eventText) : null, r.events.map(eventText), 'history has the same events');
});

t.test('mvcc txn - read-only txns and txns that change nothing keep the revision', async (t) => {
  const s = sample();
  const ro = unwrap(s.txn({ success: [get('k1')] }));
  t.same([ro.revision, ro.response.revision, ro.events.length], [4, 4, 0]);
  const noop = unwrap(s.txn({ success: [del('absent')] }));
  t.same([noop.revision, noop.events.length, s.revision], [4, 0, 4]);
  const d = noop.response.responses[0];
  t.same(d?.type === 'deleteRange' ? [d.deleteRange.deleted, d.deleteRange.revision] : null, [0, 4]);
});

t.test('mvcc txn - nested txns: compares all see the state before the txn', async (t) => {
  const s = sample();
  const r = unwrap(
    s.txn({
      compare: [{ key: b('k1'), target: VALUE, result: EQUAL, value: b('v1') }],
      success: [
        put('k1', 'changed'),
        txn({
          // Evaluated before the outer put: still sees k1=v1.
          compare: [{ key: b('k1'), target: VALUE, result: EQUAL, value: b('v1') }],
          success: [put('inner', 'then')],
          failure: [put('inner', 'else')],
        }),
        txn({
          compare: [{ key: b('k2'), target: VERSION, result: EQUAL, version: 99 }],
          success: [put('inner2', 'then')],
          failure: [put('inner2', 'else'), txn({ success: [get('k1')] })],
        }),
      ],
    }),
  );
  t.equal(r.response.succeeded, true);
  t.same(r.events.map(eventText), [
    'PUT k1=changed@2/5/v2 prev k1=v1@2/2/v1 lease 5',
    'PUT inner=then@5/5/v1 prev -',
    'PUT inner2=else@5/5/v1 prev -',
  ]);
  const n1 = r.response.responses[1];
  const n2 = r.response.responses[2];
  t.same(n1?.type === 'txn' ? n1.txn.succeeded : null, true);
  t.same(n2?.type === 'txn' ? n2.txn.succeeded : null, false);
  const deep = n2?.type === 'txn' ? n2.txn.responses[1] : undefined;
  const deepRange = deep?.type === 'txn' ? deep.txn.responses[0] : undefined;
  t.same(deepRange?.type === 'range' ? deepRange.range.kvs.map(kvText) : null, ['k1=changed@2/5/v2'], 'nested reads see earlier writes');
});

t.test('mvcc txn - duplicate keys are refused like etcd', async (t) => {
  const cases: { name: string; req: TxnRequest; dup: boolean }[] = [
    { name: 'same key put twice', req: { success: [put('a', '1'), put('a', '2')] }, dup: true },
    { name: 'put and delete of the same key', req: { success: [put('a', '1'), del('a')] }, dup: true },
    { name: 'put inside a deleted range', req: { success: [del('a', b('c')), put('b', '1')] }, dup: true },
    { name: 'put inside a "\\0" delete range (etcd reads "\\0" literally here)', req: { success: [del('a', new Uint8Array([0])), put('zz', '1')] }, dup: false },
    { name: 'put and delete in different branches', req: { success: [put('a', '1')], failure: [del('a')] }, dup: false },
    { name: 'two deletes of the same key', req: { success: [del('a'), del('a', b('b'))] }, dup: false },
    { name: 'outer put and nested put', req: { success: [put('a', '1'), txn({ success: [put('a', '2')] })] }, dup: true },
    { name: 'outer put and nested delete', req: { success: [put('a', '1'), txn({ failure: [del('a')] })] }, dup: true },
    { name: 'nested then and else put the same key', req: { success: [txn({ success: [put('a', '1')], failure: [put('a', '2')] })] }, dup: false },
    { name: 'two nested txns put the same key', req: { success: [txn({ success: [put('a', '1')] }), txn({ success: [put('a', '2')] })] }, dup: true },
    { name: 'distinct keys', req: { success: [put('a', '1'), put('b', '2'), del('c', b('d'))] }, dup: false },
  ];
  for (const c of cases) {
    const s = sample();
    const r = s.txn(c.req);
    if (c.dup) {
      const e = errorOf(r);
      t.same([e.grpcCode, e.message], [3, 'etcdserver: duplicate key given in txn request'], c.name);
      t.equal(s.revision, 4, `${c.name}: nothing written`);
    } else {
      t.ok(r.ok, c.name);
    }
  }
});

t.test('mvcc txn - a refused txn changes nothing', async (t) => {
  const cases: { name: string; req: TxnRequest; msg: string; grpc: number }[] = [
    { name: 'unknown lease in a later op', req: { success: [put('a', '1'), put('b', '2', { lease: 77 })] }, msg: 'etcdserver: requested lease not found', grpc: 5 },
    { name: 'ignore_value on a missing key', req: { success: [put('a', '1'), { type: 'put', put: { key: b('nope'), ignoreValue: true } }] }, msg: 'etcdserver: key not found', grpc: 3 },
    { name: 'range at a future revision', req: { success: [put('a', '1'), get('k1', undefined, 50)] }, msg: 'etcdserver: mvcc: required revision is a future revision', grpc: 11 },
    { name: 'range at a compacted revision', req: { success: [put('a', '1'), get('k1', undefined, 2)] }, msg: 'etcdserver: mvcc: required revision has been compacted', grpc: 11 },
    { name: 'empty key in a compare', req: { compare: [{ key: new Uint8Array(0), target: VERSION, result: EQUAL }] }, msg: 'etcdserver: key is not provided', grpc: 3 },
    { name: 'empty key in a nested op', req: { success: [txn({ failure: [del('')] })] }, msg: 'etcdserver: key is not provided', grpc: 3 },
    { name: 'a put error wins over an earlier range error (etcd checks puts first)', req: { success: [get('k1', undefined, 2), put('b', '2', { lease: 77 })] }, msg: 'etcdserver: requested lease not found', grpc: 5 },
    { name: 'failure in a nested txn on the taken path', req: { success: [put('a', '1'), txn({ success: [put('x', '1', { lease: 9 })] })] }, msg: 'etcdserver: requested lease not found', grpc: 5 },
  ];
  for (const c of cases) {
    const s = sample();
    unwrap(s.compact(3));
    const before = s.snapshot();
    const e = errorOf(s.txn(c.req));
    t.same([e.grpcCode, e.message], [c.grpc, c.msg], c.name);
    t.same(s.snapshot(), before, `${c.name}: state unchanged`);
  }
  const s = sample();
  const ok = s.txn({ compare: [{ key: b('k1'), target: VERSION, result: EQUAL, version: 99 }], success: [put('x', '1', { lease: 9 })], failure: [put('y', '1')] });
  t.ok(ok.ok, 'a bad op on the branch not taken does not refuse the txn (as in etcd)');
});

t.test('mvcc txn - too many ops and too large', async (t) => {
  const s = new MvccStore({ limits: { maxTxnOps: 3, maxRequestBytes: 200 } });
  const ops = (n: number): RequestOp[] => Array.from({ length: n }, (_, i) => put(`k${i}`, 'v'));
  t.ok(s.txn({ success: ops(3), failure: ops(3) }).ok, 'limit is per list');
  const e = errorOf(s.txn({ success: ops(4) }));
  t.same([e.grpcCode, e.message], [3, 'etcdserver: too many operations in txn request']);
  const cmp: Compare = { key: b('a'), target: VERSION, result: EQUAL };
  t.notOk(s.txn({ compare: [cmp, cmp, cmp, cmp] }).ok, 'compares count too');
  t.notOk(s.txn({ success: [put('a', '1'), txn({ success: ops(3) })] }).ok, 'a nested txn gets what the parent left');
  t.ok(s.txn({ success: [txn({ success: ops(2) })] }).ok);
  const big = errorOf(s.txn({ success: [put('a', 'x'.repeat(300))] }));
  t.same([big.grpcCode, big.message], [3, 'etcdserver: request is too large']);
});

t.test('mvcc txn - request size is the protobuf encoding', async (t) => {
  const cases: { name: string; req: TxnRequest }[] = [
    { name: 'one put', req: { success: [put('a', 'b')] } },
    { name: 'compare with empty value and range_end (field 64)', req: { compare: [{ key: b('a'), target: VALUE, result: EQUAL, value: new Uint8Array(0), rangeEnd: b('b') }] } },
    { name: 'compare with zero version operand', req: { compare: [{ key: b('a'), target: VERSION, result: GREATER, version: 0 }] } },
    { name: 'negative lease operand', req: { compare: [{ key: b('a'), target: LEASE, result: NOT_EQUAL, lease: -1 }] } },
    {
      name: 'everything',
      req: {
        compare: [{ key: b('k'), target: MOD, result: LESS, modRevision: 300 }],
        success: [
          { type: 'range', range: { key: b('k'), rangeEnd: b('l'), limit: 10, revision: 5, sortOrder: 2, sortTarget: 3, keysOnly: true, countOnly: true, minModRevision: 1, maxModRevision: 2, minCreateRevision: 3, maxCreateRevision: 4 } },
          { type: 'put', put: { key: b('k'), value: new Uint8Array(200), lease: 2 ** 40, prevKv: true, ignoreLease: false } },
          { type: 'deleteRange', deleteRange: { key: b('k'), rangeEnd: new Uint8Array([0]), prevKv: true } },
        ],
        failure: [txn({ success: [put('x', 'y')], failure: [get('z')] })],
      },
    },
  ];
  for (const c of cases) t.equal(txnSize(c.req), pb.TxnRequest.encode(toProtoTxn(c.req)).finish().length, c.name);
  t.equal(putSize({ key: b('k'), value: new Uint8Array(300) }), pb.PutRequest.encode(toProtoPut({ key: b('k'), value: new Uint8Array(300) })).finish().length);
});

// Core requests -> generated etcdserverpb messages, to check sizes against the real encoder.
const E = new Uint8Array(0);
function toProtoPut(p: PutRequest): pb.PutRequest {
  return { key: p.key, value: p.value ?? E, lease: p.lease ?? 0, prevKv: p.prevKv ?? false, ignoreValue: p.ignoreValue ?? false, ignoreLease: p.ignoreLease ?? false };
}
function toProtoTxn(r: TxnRequest): pb.TxnRequest {
  return {
    compare: (r.compare ?? []).map((c) => ({
      result: c.result,
      target: c.target,
      key: c.key,
      version: c.version,
      createRevision: c.createRevision,
      modRevision: c.modRevision,
      value: c.value,
      lease: c.lease,
      rangeEnd: c.rangeEnd ?? E,
    })),
    success: (r.success ?? []).map(toProtoOp),
    failure: (r.failure ?? []).map(toProtoOp),
  };
}
function toProtoOp(op: RequestOp): pb.RequestOp {
  switch (op.type) {
    case 'range': {
      const q = op.range;
      return {
        requestRange: {
          key: q.key, rangeEnd: q.rangeEnd ?? E, limit: q.limit ?? 0, revision: q.revision ?? 0, sortOrder: q.sortOrder ?? 0, sortTarget: q.sortTarget ?? 0,
          serializable: false, keysOnly: q.keysOnly ?? false, countOnly: q.countOnly ?? false, minModRevision: q.minModRevision ?? 0,
          maxModRevision: q.maxModRevision ?? 0, minCreateRevision: q.minCreateRevision ?? 0, maxCreateRevision: q.maxCreateRevision ?? 0,
        },
      };
    }
    case 'put':
      return { requestPut: toProtoPut(op.put) };
    case 'deleteRange':
      return { requestDeleteRange: { key: op.deleteRange.key, rangeEnd: op.deleteRange.rangeEnd ?? E, prevKv: op.deleteRange.prevKv ?? false } };
    case 'txn':
      return { requestTxn: toProtoTxn(op.txn) };
  }
}

t.test('mvcc txn - sibling nested txns may put then delete a key in one revision (as etcd allows)', async (t) => {
  // etcd's duplicate-key check does not compare a nested txn's deletes with an earlier sibling's
  // puts, so this passes validation there too; the key ends deleted, with both events.
  const s = sample();
  const r = unwrap(s.txn({ success: [txn({ success: [put('k', 'tmp')] }), txn({ success: [del('k')] })] }));
  t.same(r.events.map(eventText), ['PUT k=tmp@5/5/v1 prev -', 'DELETE k deleted@5 prev -'], "events' prev_kv is the value before the txn, as etcd's watch gives it");
  const d = r.response.responses[1];
  const dr = d?.type === 'txn' ? d.txn.responses[0] : undefined;
  t.same(dr?.type === 'deleteRange' ? dr.deleteRange.deleted : null, 1, 'the delete saw the put before it');
  t.same(unwrap(s.range({ key: b('k') })).kvs, []);
  t.equal(s.revision, 5);
  unwrap(s.compact(5));
  const h = s.eventsFrom(5, b('k'));
  t.same(h.type === 'events' ? h.events.map(eventText) : h, ['PUT k=tmp@5/5/v1 prev -', 'DELETE k deleted@5 prev -'], 'both kept at the compact revision (without prev_kv there)');
  const restored = new MvccStore();
  restored.restore(s.snapshot());
  t.same(restored.snapshot(), s.snapshot());
  unwrap(s.put({ key: b('k'), value: b('again') }));
  t.equal(kvText(unwrap(s.range({ key: b('k') })).kvs[0]), 'k=again@6/6/v1');
  unwrap(s.compact(6));
  t.equal(s.stats().keys, 3, 'the put/delete pair below the compact revision is gone');
});

t.test('mvcc txn - a "\\0" delete and a put of the same key apply in order (as etcd allows)', async (t) => {
  const s = sample();
  const r = unwrap(s.txn({ success: [del('k', new Uint8Array([0])), put('k2', 'new')] }));
  t.same(r.events.map(eventText), [
    'DELETE k1 deleted@5 prev k1=v1@2/2/v1 lease 5',
    'DELETE k2 deleted@5 prev k2=v2b@3/4/v2',
    'PUT k2=new@5/5/v1 prev k2=v2b@3/4/v2',
  ]);
  t.equal(kvText(unwrap(s.range({ key: b('k2') })).kvs[0]), 'k2=new@5/5/v1', 'the key was re-created: version 1');
  const restored = new MvccStore();
  restored.restore(s.snapshot());
  t.same(restored.snapshot(), s.snapshot());
});

t.test('mvcc txn - ignore_value on a key deleted earlier in the txn is refused (etcd 3.4 panics)', async (t) => {
  const s = sample();
  const before = s.snapshot();
  for (const req of [
    { success: [del('k', new Uint8Array([0])), { type: 'put', put: { key: b('k2'), ignoreValue: true } } as RequestOp] },
    { success: [txn({ success: [del('k', new Uint8Array([0]))] }), txn({ success: [{ type: 'put', put: { key: b('k2'), value: b('x'), ignoreLease: true } }] })] },
  ] satisfies TxnRequest[]) {
    const e = errorOf(s.txn(req));
    t.same([e.grpcCode, e.message], [3, 'etcdserver: key not found']);
  }
  t.same(s.snapshot(), before);
  t.ok(s.txn({ success: [del('k1'), { type: 'put', put: { key: b('k2'), ignoreValue: true } }] }).ok, 'deleting another key is fine');
});
