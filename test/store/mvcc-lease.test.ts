import t from 'tap';
import { MAX_LEASE_TTL, MvccStore, prefixEnd } from '../../control-plane/store/mvcc/index.js';
import { b, errorOf, eventText, str, unwrap } from './helpers/mvcc.js';

t.test('mvcc lease - grant, lookup, list and checkpoint', async (t) => {
  const s = new MvccStore();
  t.same(unwrap(s.leaseGrant(20, 60)), { id: 20, ttl: 60 });
  unwrap(s.leaseGrant(3, 5));
  t.equal(s.revision, 1, 'granting takes no revision');
  t.same(s.lease(20), { id: 20, ttl: 60, remainingTtl: 0 });
  t.equal(s.lease(21), undefined);
  t.same(s.leases().map((l) => l.id), [3, 20], 'listed by ID');
  s.leaseCheckpoint([{ id: 20, remainingTtl: 42 }, { id: 999, remainingTtl: 1 }]);
  t.same(s.lease(20), { id: 20, ttl: 60, remainingTtl: 42 }, 'unknown leases in a checkpoint are skipped');
  t.equal(unwrap(s.leaseGrant(2 ** 53 - 1, 1)).id, 2 ** 53 - 1, 'IDs up to 2^53-1');
});

t.test('mvcc lease - grant refusals', async (t) => {
  const s = new MvccStore();
  unwrap(s.leaseGrant(1, 10));
  const cases = [
    { name: 'existing ID', r: s.leaseGrant(1, 10), grpc: 9, msg: 'etcdserver: lease already exists' },
    { name: 'TTL too large', r: s.leaseGrant(2, MAX_LEASE_TTL + 1), grpc: 11, msg: 'etcdserver: too large lease TTL' },
    { name: 'ID 0', r: s.leaseGrant(0, 10), grpc: 5, msg: 'etcdserver: requested lease not found' },
  ];
  for (const c of cases) {
    const e = errorOf(c.r);
    t.same([e.grpcCode, e.message], [c.grpc, c.msg], c.name);
  }
  t.same(s.leases().map((l) => l.id), [1]);
  t.throws(() => s.leaseGrant(1.5, 10), /non-integer/, 'a non-integer ID is a bug in the proposer');
});

t.test('mvcc lease - keys attach and detach; revoke deletes them in one revision', async (t) => {
  const s = new MvccStore();
  unwrap(s.leaseGrant(7, 30));
  unwrap(s.leaseGrant(8, 30));
  unwrap(s.put({ key: b('/l/b'), value: b('1'), lease: 7 })); // 2
  unwrap(s.put({ key: b('/l/a'), value: b('1'), lease: 7 })); // 3
  unwrap(s.put({ key: b('/l/c'), value: b('1'), lease: 7 })); // 4
  unwrap(s.put({ key: b('/l/c'), value: b('2'), lease: 8 })); // 5: moves to lease 8
  unwrap(s.put({ key: b('/free'), value: b('1') })); // 6
  t.same(s.leaseKeys(7).map(str), ['/l/a', '/l/b']);
  t.same(s.leaseKeys(8).map(str), ['/l/c']);
  const r = unwrap(s.leaseRevoke(7));
  t.same([r.revision, r.response.deleted, s.revision], [7, 2, 7]);
  t.same(r.events.map(eventText), [
    'DELETE /l/a deleted@7 prev /l/a=1@3/3/v1 lease 7',
    'DELETE /l/b deleted@7 prev /l/b=1@2/2/v1 lease 7',
  ], 'keys deleted in byte order');
  t.equal(s.lease(7), undefined);
  t.same(unwrap(s.range({ key: b('/'), rangeEnd: prefixEnd(b('/')) })).kvs.map((kv) => str(kv.key)), ['/free', '/l/c']);
  const gone = errorOf(s.leaseRevoke(7));
  t.same([gone.grpcCode, gone.message], [5, 'etcdserver: requested lease not found']);
  unwrap(s.deleteRange({ key: b('/l/c') }));
  t.same(s.leaseKeys(8), [], 'deleting a key detaches it');
  const empty = unwrap(s.leaseRevoke(8));
  t.same([empty.revision, empty.events.length, s.revision], [8, 0, 8], 'revoking a lease without keys takes no revision');
});

t.test('mvcc lease - put with an unknown lease writes nothing', async (t) => {
  const s = new MvccStore();
  unwrap(s.leaseGrant(1, 10));
  unwrap(s.leaseRevoke(1));
  const e = errorOf(s.put({ key: b('k'), value: b('v'), lease: 1 }));
  t.same([e.grpcCode, e.message], [5, 'etcdserver: requested lease not found']);
  t.equal(s.revision, 1);
});

t.test('mvcc apply - commands dispatch to the same operations', async (t) => {
  const s = new MvccStore();
  const grant = unwrap(s.apply({ type: 'leaseGrant', id: 5, ttl: 9 }));
  t.same(grant.response, { type: 'leaseGrant', leaseGrant: { id: 5, ttl: 9 } });
  const p = unwrap(s.apply({ type: 'put', put: { key: b('k'), value: b('v'), lease: 5 } }));
  t.same([p.response.type, p.revision, p.events.length], ['put', 2, 1]);
  const tx = unwrap(s.apply({ type: 'txn', txn: { success: [{ type: 'deleteRange', deleteRange: { key: b('nope') } }] } }));
  t.same([tx.response.type, tx.revision, tx.events.length], ['txn', 2, 0]);
  unwrap(s.apply({ type: 'leaseCheckpoint', checkpoints: [{ id: 5, remainingTtl: 3 }] }));
  t.equal(s.lease(5)?.remainingTtl, 3);
  const rv = unwrap(s.apply({ type: 'leaseRevoke', id: 5 }));
  t.same([rv.response.type, rv.revision, rv.events.length], ['leaseRevoke', 3, 1]);
  const c = unwrap(s.apply({ type: 'compact', revision: 3 }));
  t.same(c.response, { type: 'compact', compact: { revision: 3, compactRevision: 3 } });
  const bad = s.apply({ type: 'deleteRange', deleteRange: { key: new Uint8Array(0) } });
  t.equal(errorOf(bad).code, 'empty-key');
});
