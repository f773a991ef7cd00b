// The applier: the cluster store's replicated state machine on Raft. Every committed Normal
// entry is one InternalRequest (proto/store.proto); applying it is deterministic (no clock, no
// randomness, no I/O): MVCC key-value state, leases, the member table and alarms change the
// same way on every member. An etcd refusal (empty key, unknown lease, compacted revision,
// NOSPACE, ...) is a result value and changes nothing.
//
// Rules:
// - apply() handles entries strictly in log order; each entry's result goes to the proposer's
//   waiting call through the ResultRouter, and to onApplied listeners (watch, lessor, members),
//   in order, after the state changed.
// - snapshot() = MVCC snapshot + member table + alarms; restore() replaces all of them, then
//   tells onRestored listeners (watchers must resynchronise from the new state).
// - An entry that cannot be decoded throws: the Raft node stops rather than diverge.
import type { Entry, StateMachine } from '../../../raft/index.js';
import { AlarmRequest_AlarmAction, AlarmType } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { AlarmMember } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { InternalRequest, StoreSnapshot } from '../../../proto/gen/store.js';
import type { Member } from '../../../proto/gen/store.js';
import { MvccStore } from '../mvcc/index.js';
import type { EtcdError, Event, MvccConfig } from '../mvcc/index.js';
import { StoreError } from '../store-error.js';
import { AlarmTable } from './alarm-table.js';
import { MemberTable } from './member-table.js';
import { deleteRangeFromPb, deleteRangeToPb, isTxnReadOnly, putFromPb, putToPb, txnFromPb, txnToPb } from './pb-convert.js';
import type * as pb from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { ResultRouter } from './result-router.js';

export type StoreResponse =
  | { readonly type: 'put'; readonly put: pb.PutResponse }
  | { readonly type: 'deleteRange'; readonly deleteRange: pb.DeleteRangeResponse }
  | { readonly type: 'txn'; readonly txn: pb.TxnResponse }
  | { readonly type: 'compaction'; readonly compactRevision: number }
  | { readonly type: 'leaseGrant'; readonly id: number; readonly ttl: number }
  | { readonly type: 'leaseRevoke'; readonly deleted: number }
  | { readonly type: 'leaseCheckpoint' }
  | { readonly type: 'alarm'; readonly alarms: AlarmMember[] }
  | { readonly type: 'members'; readonly members: Member[]; readonly member: Member | undefined };

/** What applying one entry gave: a response or an etcd refusal, and the store revision after it. */
export type ApplyResult =
  | { readonly ok: true; readonly response: StoreResponse; readonly revision: number }
  | { readonly ok: false; readonly error: EtcdError | StoreError; readonly revision: number };

export interface AppliedEntry {
  readonly index: number;
  /** The store revision after the entry. */
  readonly revision: number;
  /** Key-value changes, in order, all with `revision` (empty when nothing changed). */
  readonly events: readonly Event[];
  readonly request: InternalRequest;
  readonly result: ApplyResult;
}

export interface StoreStateMachineOptions {
  /** This member's id: results of its own proposals are routed back. */
  memberId: number;
  mvcc?: MvccConfig;
}

export class StoreStateMachine implements StateMachine {
  readonly mvcc: MvccStore;
  readonly members = new MemberTable();
  readonly alarms = new AlarmTable();
  readonly results: ResultRouter<ApplyResult>;
  private readonly mvccConfig: MvccConfig;
  private appliedIndex = 0;
  private readonly appliedListeners = new Set<(a: AppliedEntry) => void>();
  private readonly restoredListeners = new Set<() => void>();

  constructor(opts: StoreStateMachineOptions) {
    this.mvccConfig = opts.mvcc ?? {};
    this.mvcc = new MvccStore(this.mvccConfig);
    this.results = new ResultRouter(opts.memberId);
  }

  /** The index of the last entry applied (0 before any, or the restored snapshot's when known). */
  get lastAppliedIndex(): number {
    return this.appliedIndex;
  }

  /** Called after each applied entry, in log order. Listeners must not throw or block. */
  onApplied(listener: (a: AppliedEntry) => void): () => void {
    this.appliedListeners.add(listener);
    return () => this.appliedListeners.delete(listener);
  }

  /** Called after the whole state was replaced by a snapshot. */
  onRestored(listener: () => void): () => void {
    this.restoredListeners.add(listener);
    return () => this.restoredListeners.delete(listener);
  }

  apply(entries: Entry[]): void {
    for (const e of entries) {
      const req = InternalRequest.decode(e.data);
      const { result, events } = this.applyRequest(req);
      this.appliedIndex = e.index;
      this.results.settle(req.header, result);
      const applied: AppliedEntry = { index: e.index, revision: this.mvcc.revision, events, request: req, result };
      for (const l of this.appliedListeners) l(applied);
    }
  }

  snapshot(): Uint8Array {
    return StoreSnapshot.encode({
      mvcc: this.mvcc.snapshot(),
      clusterInitialized: this.members.initialized,
      members: this.members.list(),
      removedIds: this.members.removed(),
      alarms: this.alarms.list(),
    }).finish();
  }

  restore(data: Uint8Array): void {
    const s = StoreSnapshot.decode(data);
    this.mvcc.restore(s.mvcc);
    this.members.restore(s.clusterInitialized, s.members, s.removedIds);
    this.alarms.restore(s.alarms);
    for (const l of this.restoredListeners) l();
  }

  // ---- one request

  private applyRequest(req: InternalRequest): { result: ApplyResult; events: readonly Event[] } {
    const none: readonly Event[] = [];
    const refuse = (error: EtcdError | StoreError): { result: ApplyResult; events: readonly Event[] } => ({
      result: { ok: false, error, revision: this.mvcc.revision },
      events: none,
    });
    const done = (response: StoreResponse, events: readonly Event[] = none): { result: ApplyResult; events: readonly Event[] } => ({
      result: { ok: true, response, revision: this.mvcc.revision },
      events,
    });
    const capped = this.alarms.has(AlarmType.NOSPACE);

    if (req.put !== undefined) {
      if (capped) return refuse(new StoreError('no-space'));
      const r = this.mvcc.put(putFromPb(req.put));
      return r.ok ? done({ type: 'put', put: putToPb(r.value.response) }, r.value.events) : refuse(r.error);
    }
    if (req.deleteRange !== undefined) {
      const r = this.mvcc.deleteRange(deleteRangeFromPb(req.deleteRange));
      return r.ok ? done({ type: 'deleteRange', deleteRange: deleteRangeToPb(r.value.response) }, r.value.events) : refuse(r.error);
    }
    if (req.txn !== undefined) {
      if (capped && !isTxnReadOnly(req.txn)) return refuse(new StoreError('no-space'));
      const r = this.mvcc.txn(txnFromPb(req.txn));
      return r.ok ? done({ type: 'txn', txn: txnToPb(r.value.response) }, r.value.events) : refuse(r.error);
    }
    if (req.compaction !== undefined) {
      const r = this.mvcc.compact(req.compaction.revision);
      return r.ok ? done({ type: 'compaction', compactRevision: r.value.compactRevision }) : refuse(r.error);
    }
    if (req.leaseGrant !== undefined) {
      if (capped) return refuse(new StoreError('no-space'));
      const r = this.mvcc.leaseGrant(req.leaseGrant.ID, req.leaseGrant.TTL);
      return r.ok ? done({ type: 'leaseGrant', id: r.value.id, ttl: r.value.ttl }) : refuse(r.error);
    }
    if (req.leaseRevoke !== undefined) {
      const r = this.mvcc.leaseRevoke(req.leaseRevoke.ID);
      return r.ok ? done({ type: 'leaseRevoke', deleted: r.value.response.deleted }, r.value.events) : refuse(r.error);
    }
    if (req.leaseCheckpoint !== undefined) {
      this.mvcc.leaseCheckpoint(req.leaseCheckpoint.checkpoints.map((c) => ({ id: c.ID, remainingTtl: c.remainingTTL })));
      return done({ type: 'leaseCheckpoint' });
    }
    if (req.alarm !== undefined) return done({ type: 'alarm', alarms: this.applyAlarm(req.alarm) });
    const members = (r: ReturnType<MemberTable['init']>): { result: ApplyResult; events: readonly Event[] } =>
      r.ok ? done({ type: 'members', members: r.members, member: r.member }) : refuse(r.error);
    if (req.clusterInit !== undefined) return members(this.members.init(req.clusterInit.members));
    if (req.memberAdd !== undefined) {
      const m = req.memberAdd.member;
      if (m === undefined) return refuse(new StoreError('member-bad-urls'));
      return members(this.members.add(m));
    }
    if (req.memberRemove !== undefined) return members(this.members.remove(req.memberRemove.id));
    if (req.memberPromote !== undefined) return members(this.members.promote(req.memberPromote.id));
    if (req.memberAttributes !== undefined) {
      const a = req.memberAttributes;
      return members(this.members.setAttributes(a.id, a.name, a.clientUrls));
    }
    throw new Error('store apply: an entry with no request (written by a newer version?)');
  }

  /** etcd's alarm apply: ACTIVATE/DEACTIVATE answer the alarms that changed. */
  private applyAlarm(a: pb.AlarmRequest): AlarmMember[] {
    switch (a.action) {
      case AlarmRequest_AlarmAction.ACTIVATE: {
        if (a.alarm === AlarmType.NONE) return [];
        const r = this.alarms.activate({ memberID: a.memberID, alarm: a.alarm });
        return r === undefined ? [] : [r];
      }
      case AlarmRequest_AlarmAction.DEACTIVATE: {
        const targets = this.alarms.list(a.alarm).filter((x) => a.memberID === 0 || x.memberID === a.memberID);
        const out: AlarmMember[] = [];
        for (const t of targets) {
          const r = this.alarms.deactivate(t);
          if (r !== undefined) out.push(r);
        }
        return out;
      }
      default:
        return this.alarms.list(a.alarm);
    }
  }
}
