// The applier alone (no Raft, no I/O): entries in, deterministic state and results out.
import t from 'tap';
import { AlarmRequest_AlarmAction, AlarmType } from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import type * as pb from '../../proto/gen/etcd/etcdserverpb/rpc.js';
import { InternalRequest } from '../../proto/gen/store.js';
import type { Member } from '../../proto/gen/store.js';
import { StoreStateMachine } from '../../control-plane/store/apply/store-state-machine.js';
import type { AppliedEntry, ApplyResult } from '../../control-plane/store/apply/store-state-machine.js';
import { StoreError } from '../../control-plane/store/store-error.js';
import type { Entry } from '../../raft/index.js';

const put = (key: string, value: string, lease = 0): pb.PutRequest => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  lease,
  prevKv: false,
  ignoreValue: false,
  ignoreLease: false,
});
const member = (id: number, url: string, isLearner = false): Member => ({ id, name: '', peerUrls: [url], clientUrls: [], isLearner });

let index = 0;
function entry(sm: StoreStateMachine, body: Omit<InternalRequest, 'header'>, routed = false): { e: Entry; header: InternalRequest['header'] } {
  const header = routed ? sm.results.expect() : { memberId: 999, id: 1 };
  return { e: { term: 1, index: ++index, type: 0, data: InternalRequest.encode({ ...body, header }).finish() }, header };
}

/** Applies one request as the proposing member and returns its routed result. */
function apply(sm: StoreStateMachine, body: Omit<InternalRequest, 'header'>): ApplyResult {
  const { e, header } = entry(sm, body, true);
  sm.apply([e]);
  const r = sm.results.take(header!);
  if (r === undefined) throw new Error('no result routed');
  return r;
}

t.test('apply - writes take revisions, results go back to the proposer only', async (t) => {
  const sm = new StoreStateMachine({ memberId: 7 });
  const seen: AppliedEntry[] = [];
  sm.onApplied((a) => seen.push(a));
  const r = apply(sm, { put: put('a', '1') });
  t.ok(r.ok);
  t.equal(r.revision, 2);
  // another member's entry: applied, but nothing is kept for it here
  sm.apply([entry(sm, { put: put('b', '2') }).e]);
  t.equal(sm.results.size, 0);
  t.equal(sm.mvcc.revision, 3);
  t.same(seen.map((a) => [a.revision, a.events.length]), [[2, 1], [3, 1]]);
  t.equal(sm.lastAppliedIndex, index);
});

t.test('apply - refusals are results and change nothing', async (t) => {
  const sm = new StoreStateMachine({ memberId: 1 });
  apply(sm, { put: put('a', '1') });
  const before = sm.snapshot();
  const r = apply(sm, { put: put('b', 'x', 42) });
  t.notOk(r.ok);
  t.equal(!r.ok && r.error.message, 'etcdserver: requested lease not found');
  const c = apply(sm, { compaction: { revision: 99, physical: false } });
  t.equal(!c.ok && c.error.message, 'etcdserver: mvcc: required revision is a future revision');
  t.same(sm.snapshot(), before, 'state unchanged');
});

t.test('apply - NOSPACE caps puts, txns that write and grants; deletes and compaction go on', async (t) => {
  const sm = new StoreStateMachine({ memberId: 1 });
  apply(sm, { put: put('a', '1') });
  apply(sm, { alarm: { action: AlarmRequest_AlarmAction.ACTIVATE, memberID: 1, alarm: AlarmType.NOSPACE } });
  const refused = (r: ApplyResult): string => (!r.ok && r.error instanceof StoreError ? r.error.message : 'not refused');
  t.equal(refused(apply(sm, { put: put('b', '2') })), 'etcdserver: mvcc: database space exceeded');
  t.equal(refused(apply(sm, { leaseGrant: { ID: 5, TTL: 10 } })), 'etcdserver: mvcc: database space exceeded');
  t.equal(refused(apply(sm, { txn: { compare: [], success: [{ requestPut: put('c', '3') }], failure: [] } })), 'etcdserver: mvcc: database space exceeded');
  t.ok(apply(sm, { deleteRange: { key: Buffer.from('a'), rangeEnd: Buffer.alloc(0), prevKv: false } }).ok);
  t.ok(apply(sm, { compaction: { revision: 3, physical: false } }).ok);
  const off = apply(sm, { alarm: { action: AlarmRequest_AlarmAction.DEACTIVATE, memberID: 0, alarm: AlarmType.NOSPACE } });
  t.same(off.ok && off.response.type === 'alarm' && off.response.alarms, [{ memberID: 1, alarm: AlarmType.NOSPACE }]);
  t.ok(apply(sm, { put: put('b', '2') }).ok, 'writes again after disarm');
});

t.test('apply - member table: first init wins, add conflicts, remove retires the id, promote', async (t) => {
  const sm = new StoreStateMachine({ memberId: 1 });
  apply(sm, { clusterInit: { members: [member(1, 'http://a:1'), member(2, 'http://b:1')] } });
  apply(sm, { clusterInit: { members: [member(9, 'http://z:1')] } });
  t.same(sm.members.list().map((m) => m.id), [1, 2]);
  const msg = (r: ApplyResult): string => (r.ok ? 'ok' : r.error.message);
  t.equal(msg(apply(sm, { memberAdd: { member: member(3, 'http://b:1') } })), 'etcdserver: Peer URLs already exists');
  t.equal(msg(apply(sm, { memberAdd: { member: member(2, 'http://c:1') } })), 'etcdserver: member ID already exist');
  t.equal(msg(apply(sm, { memberAdd: { member: member(3, 'http://c:1', true) } })), 'ok');
  t.equal(msg(apply(sm, { memberPromote: { id: 1 } })), 'etcdserver: can only promote a learner member');
  t.equal(msg(apply(sm, { memberPromote: { id: 3 } })), 'ok');
  t.equal(sm.members.get(3)?.isLearner, false);
  apply(sm, { memberAttributes: { id: 3, name: 'c', clientUrls: ['http://c:2'] } });
  t.same(sm.members.get(3), { id: 3, name: 'c', peerUrls: ['http://c:1'], clientUrls: ['http://c:2'], isLearner: false });
  t.equal(msg(apply(sm, { memberRemove: { id: 3 } })), 'ok');
  t.equal(msg(apply(sm, { memberRemove: { id: 3 } })), 'etcdserver: member not found');
  t.equal(msg(apply(sm, { memberAdd: { member: member(3, 'http://c:1') } })), 'etcdserver: member not found', 'a removed id is never reused');
});

t.test('apply - snapshot and restore give the same state on another member', async (t) => {
  const a = new StoreStateMachine({ memberId: 1 });
  apply(a, { clusterInit: { members: [member(1, 'http://a:1')] } });
  apply(a, { leaseGrant: { ID: 77, TTL: 30 } });
  apply(a, { put: put('k', 'v', 77) });
  apply(a, { alarm: { action: AlarmRequest_AlarmAction.ACTIVATE, memberID: 1, alarm: AlarmType.NOSPACE } });
  const b = new StoreStateMachine({ memberId: 2 });
  let restored = 0;
  b.onRestored(() => restored++);
  b.restore(a.snapshot());
  t.equal(restored, 1);
  t.same(b.snapshot(), a.snapshot(), 'byte-identical');
  t.same(b.mvcc.leaseKeys(77).map((k) => Buffer.from(k).toString()), ['k']);
  t.ok(b.alarms.has(AlarmType.NOSPACE));
  t.equal(b.members.initialized, true);
  // and both go on identically
  const next = { deleteRange: { key: Buffer.from('k'), rangeEnd: Buffer.alloc(0), prevKv: true } };
  a.apply([entry(a, next).e]);
  b.apply([entry(b, next).e]);
  t.same(b.snapshot(), a.snapshot());
});

t.test('apply - member table from a snapshot plus the log after it equals the table of a member that applied everything', async (t) => {
  const log: Entry[] = [];
  const a = new StoreStateMachine({ memberId: 1 });
  const step = (body: Omit<InternalRequest, 'header'>): void => {
    const { e } = entry(a, body);
    log.push(e);
    a.apply([e]);
  };
  step({ clusterInit: { members: [member(1, 'http://a:1'), member(2, 'http://b:1'), member(3, 'http://c:1')].map((m, i) => ({ ...m, name: `m${i + 1}` })) } });
  step({ memberAttributes: { id: 1, name: 'm1', clientUrls: ['http://a:2'] } });
  const snap = a.snapshot();
  const snapIndex = log.length;
  // after the snapshot index: a member publishes, another joins, publishes and is removed, and
  // a late attribute publication of the removed member is applied after its removal
  step({ memberAttributes: { id: 2, name: 'm2', clientUrls: ['http://b:2'] } });
  step({ memberAdd: { member: member(4, 'http://d:1', true) } });
  step({ memberAttributes: { id: 4, name: 'm4', clientUrls: ['http://d:2'] } });
  step({ memberRemove: { id: 4 } });
  step({ memberAttributes: { id: 4, name: 'm4', clientUrls: ['http://d:2'] } });
  const b = new StoreStateMachine({ memberId: 2 });
  b.restore(snap);
  b.apply(log.slice(snapIndex));
  t.same(b.members.list(), a.members.list(), 'same table');
  t.same(b.members.list().map((m) => [m.name, m.clientUrls]), [['m1', ['http://a:2']], ['m2', ['http://b:2']], ['m3', []]]);
  t.same(b.members.removed(), [4], 'the removed member stays removed');
});

t.test('apply - an entry that cannot be decoded stops the member', async (t) => {
  const sm = new StoreStateMachine({ memberId: 1 });
  t.throws(() => sm.apply([{ term: 1, index: 1, type: 0, data: new Uint8Array([0x0a, 0x02, 0x08, 0x01]) }]), /no request/);
});
