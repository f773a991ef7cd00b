// The MVCC key-value state machine: etcd's mvcc semantics, deterministic and pure (no I/O, no
// clock, no randomness). Raft applies committed commands to it in log order on every member;
// the same commands from the same state give the same responses, events, snapshot bytes and hash.
//
// Rules:
// - The store starts at revision 1 (like etcd; the first write is revision 2). Every write that
//   changes something takes the next main revision; the changes inside it are numbered by
//   sub-revision. A write that changes nothing (deleting absent keys, a txn whose branch only
//   reads) leaves the revision alone.
// - Nothing partial is written: every check that can refuse a request runs before the first
//   change. A refusal is a Result value carrying etcd's error; throws are bugs.
// - History is kept until compact(); reads below the compact revision are refused.
// - Keys and values are copied in; KeyValue and Event objects handed out are shared with the
//   history and must not be mutated.

import { ByteWriter } from './byte-io.js';
import { EMPTY_BYTES, inKeyRange, keyRange, keyString } from './bytes.js';
import type { KeyRange } from './bytes.js';
import { crc32c } from './crc32c.js';
import {
  assertNever,
  CompactedError,
  fail,
  FutureRevisionError,
  KeyNotFoundError,
  LeaseExistsError,
  LeaseNotFoundError,
  LeaseTtlTooLargeError,
  MvccBug,
  ok,
} from './errors.js';
import type { EtcdError, Result } from './errors.js';
import { EventLog } from './event-log.js';
import { compactHistory, liveAt, liveNow, REVISION_OVERHEAD_BYTES } from './key-history.js';
import type { KeyHistory } from './key-history.js';
import { newKeyIndex, scanIndex } from './key-index.js';
import type { KeyIndex } from './key-index.js';
import { ABSENT, compareKeyValue, sortKeyValues } from './kv-order.js';
import { LeaseTable, MAX_LEASE_TTL } from './lease-table.js';
import { decodeSnapshot, encodeSnapshot, writeRevision } from './snapshot-codec.js';
import { CompareTarget, EventType, SortOrder, SortTarget } from './types.js';
import type {
  Command,
  CommandResponse,
  Compare,
  CompactResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Event,
  HashResult,
  HistoryResult,
  KeyValue,
  LeaseCheckpoint,
  LeaseGrantResponse,
  LeaseInfo,
  LeaseRevokeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WriteResult,
} from './types.js';
import { checkDeleteRange, checkPut, checkRange, checkTxn, DEFAULT_LIMITS } from './validate.js';
import type { MvccLimits } from './validate.js';

/** The revision an empty store is at. */
export const INITIAL_REVISION = 1;

/** The compact revision of a store never compacted (etcd's compactMainRev starts at -1, so a
 * first compaction at revision 0 is accepted, as etcd does). */
export const NEVER_COMPACTED = -1;

export interface MvccConfig {
  /** Request limits; must be the same on every member (see validate.ts). */
  readonly limits?: Partial<MvccLimits>;
}

export interface MvccStats {
  /** Keys in the index, including deleted keys whose history is kept. */
  readonly keys: number;
  /** Key revisions kept (values and tombstones). */
  readonly revisions: number;
  /** Rough memory used by keys, values and per-revision bookkeeping; for quotas and Status. */
  readonly approxBytes: number;
  readonly leases: number;
}

/** A write under way: its revision and the changes made so far (one event per change). */
interface WriteCtx {
  readonly rev: number;
  readonly events: Event[];
}

/** The branch each txn took, decided before anything is written (etcd's compareToPath). */
interface TxnPath {
  readonly succeeded: boolean;
  /** Paths of the txn ops in the taken branch, in order. */
  readonly nested: TxnPath[];
}

/** What a successful apply() did. */
export interface Applied {
  readonly response: CommandResponse;
  readonly revision: number;
  readonly events: readonly Event[];
}

export class MvccStore {
  readonly limits: MvccLimits;
  private index: KeyIndex = newKeyIndex();
  private rev = INITIAL_REVISION;
  private compactRev = NEVER_COMPACTED;
  private leaseTable = new LeaseTable();
  /** Events of the write revisions >= compactRev. */
  private log = new EventLog();
  private revisionCount = 0;
  private bytes = 0;

  constructor(config: MvccConfig = {}) {
    const limits = { ...DEFAULT_LIMITS, ...config.limits };
    if (!Number.isSafeInteger(limits.maxTxnOps) || limits.maxTxnOps < 1) {
      throw new RangeError(`mvcc: limits.maxTxnOps must be a positive integer, got ${limits.maxTxnOps}`);
    }
    if (!Number.isSafeInteger(limits.maxRequestBytes) || limits.maxRequestBytes < 1) {
      throw new RangeError(`mvcc: limits.maxRequestBytes must be a positive integer, got ${limits.maxRequestBytes}`);
    }
    this.limits = limits;
  }

  /** The current revision: the revision of the last write that changed something. */
  get revision(): number {
    return this.rev;
  }

  /** Reads and history before this revision are gone; -1 = never compacted (NEVER_COMPACTED). */
  get compactRevision(): number {
    return this.compactRev;
  }

  stats(): MvccStats {
    return { keys: this.index.size, revisions: this.revisionCount, approxBytes: this.bytes, leases: this.leaseTable.size };
  }

  // ---- Reads

  range(req: RangeRequest): Result<RangeResponse> {
    const err = checkRange(req) ?? this.checkReadRevision(req.revision ?? 0);
    if (err !== undefined) return fail(err);
    return ok(this.rangeAt(req, this.rev));
  }

  /**
   * Events with revision >= start on keys in [key, rangeEnd), from the kept history, for a
   * watcher that starts in the past. Whole revisions only: stops after the revision that
   * reaches `limit` events. A start below the compact revision gets 'compacted'; start <= 0
   * means "from the next revision" (nothing yet).
   */
  eventsFrom(start: number, key: Uint8Array, rangeEnd?: Uint8Array, limit = Infinity): HistoryResult {
    if (start <= 0) start = this.rev + 1;
    if (start < this.compactRev) return { type: 'compacted', compactRevision: this.compactRev };
    const { events, next } = this.log.read(start, key, rangeEnd, limit);
    return { type: 'events', events, nextRevision: next ?? Math.max(start, this.rev + 1), revision: this.rev };
  }

  /** HashKV: CRC-32C over every kept key revision <= revision (0 = current), in key then
   * revision order. Equal states give equal hashes; compare only at equal compact revisions. */
  hash(revision = 0): Result<HashResult> {
    const err = this.checkReadRevision(revision);
    if (err !== undefined) return fail(err);
    const rev = revision <= 0 ? this.rev : revision;
    const w = new ByteWriter(1 << 12);
    let crc = 0;
    this.index.forEach((h) => {
      if (h.revs[0]!.modRevision > rev) return;
      w.bytes(h.key);
      for (let i = 0; i < h.revs.length; i++) {
        if (h.revs[i]!.modRevision > rev) break;
        writeRevision(w, h, i);
      }
      if (w.length >= 1 << 16) {
        crc = crc32c(w.view(), crc);
        w.reset();
      }
    });
    crc = crc32c(w.view(), crc);
    return ok({ hash: crc, revision: rev, compactRevision: this.compactRev });
  }

  // ---- Writes

  put(req: PutRequest): Result<WriteResult<PutResponse>> {
    const err = checkPut(req, this.limits) ?? this.checkPutState(req, 'put');
    if (err !== undefined) return fail(err);
    const ctx = this.begin();
    const response = this.applyPut(ctx, req);
    return ok(this.end(ctx, response));
  }

  deleteRange(req: DeleteRangeRequest): Result<WriteResult<DeleteRangeResponse>> {
    const err = checkDeleteRange(req, this.limits);
    if (err !== undefined) return fail(err);
    const ctx = this.begin();
    const response = this.applyDeleteRange(ctx, req);
    return ok(this.end(ctx, response));
  }

  /** Compares (all of them, nested ones too) are evaluated against the state before the txn;
   * then the chosen ops apply in order, each seeing the ones before it, under one revision. */
  txn(req: TxnRequest): Result<WriteResult<TxnResponse>> {
    let err: EtcdError | undefined = checkTxn(req, this.limits);
    if (err !== undefined) return fail(err);
    const path = this.comparePath(req);
    // etcd checks every put on the path first, then every range.
    err = this.checkTxnState(req, path, 'put') ?? this.checkTxnState(req, path, 'range');
    if (err !== undefined) return fail(err);
    const ctx = this.begin();
    const response = this.applyTxn(ctx, req, path);
    const result = this.end(ctx, response);
    return ok({ ...result, response: { ...response, revision: result.revision } });
  }

  /** Drops history below `revision`. Keeps each key's newest value at or below it, so reads at
   * revision and later still work, and keeps revision's own events for watchers starting there
   * (without their prev_kv, which is gone). */
  compact(revision: number): Result<CompactResponse> {
    if (revision <= this.compactRev) return fail(new CompactedError(revision, this.compactRev));
    if (revision > this.rev) return fail(new FutureRevisionError(revision, this.rev));
    let freed = 0;
    let removed = 0;
    this.index.editRange(this.index.minKey() ?? '', this.index.maxKey() ?? '', true, (_k, h) => {
      const before = h.revs.length;
      freed += compactHistory(h, revision);
      removed += before - h.revs.length;
      return h.revs.length === 0 ? { delete: true } : undefined;
    });
    this.bytes -= freed;
    this.revisionCount -= removed;
    this.log.compact(revision);
    this.compactRev = revision;
    return ok({ revision: this.rev, compactRevision: revision });
  }

  // ---- Leases

  /** Grants a lease. The proposer picks the ID (non-zero, below 2^53) and applies any minimum
   * TTL before proposing; here the TTL is kept as given. No revision is taken. */
  leaseGrant(id: number, ttl: number): Result<LeaseGrantResponse> {
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(ttl)) {
      throw new MvccBug(`lease grant with non-integer id ${id} or ttl ${ttl}`);
    }
    if (id === 0) return fail(new LeaseNotFoundError(id));
    if (ttl > MAX_LEASE_TTL) return fail(new LeaseTtlTooLargeError(ttl, MAX_LEASE_TTL));
    if (this.leaseTable.has(id)) return fail(new LeaseExistsError(id));
    this.leaseTable.grant(id, ttl);
    return ok({ id, ttl });
  }

  /** Revokes a lease and deletes its keys, in byte order, under one revision (none if it had
   * no keys). */
  leaseRevoke(id: number): Result<WriteResult<LeaseRevokeResponse>> {
    if (!this.leaseTable.has(id)) return fail(new LeaseNotFoundError(id));
    const ctx = this.begin();
    let deleted = 0;
    for (const k of this.leaseTable.keyStrings(id)) {
      const h = this.index.get(k);
      const live = h === undefined ? undefined : liveNow(h);
      if (h === undefined || live === undefined) throw new MvccBug(`lease ${id} holds absent key`);
      this.deleteKey(ctx, k, h, live);
      deleted++;
    }
    this.leaseTable.remove(id);
    const result = this.end(ctx, { revision: 0, deleted });
    return ok({ ...result, response: { revision: result.revision, deleted } });
  }

  /** Records the remaining TTLs the leader measured, so a new leader resumes from them.
   * Unknown leases are skipped (they may have been revoked since). */
  leaseCheckpoint(checkpoints: readonly LeaseCheckpoint[]): void {
    for (const c of checkpoints) this.leaseTable.checkpoint(c.id, c.remainingTtl);
  }

  lease(id: number): LeaseInfo | undefined {
    return this.leaseTable.get(id);
  }

  /** Every lease, by ID. */
  leases(): LeaseInfo[] {
    return this.leaseTable.list();
  }

  /** Keys attached to a lease, in byte order ([] if the lease is unknown). */
  leaseKeys(id: number): Uint8Array[] {
    return this.leaseTable.keys(id);
  }

  // ---- Replicated commands

  /** Applies one committed command (the Raft apply path). */
  apply(cmd: Command): Result<Applied> {
    switch (cmd.type) {
      case 'put': {
        const r = this.put(cmd.put);
        return r.ok ? ok({ ...r.value, response: { type: 'put', put: r.value.response } }) : r;
      }
      case 'deleteRange': {
        const r = this.deleteRange(cmd.deleteRange);
        return r.ok ? ok({ ...r.value, response: { type: 'deleteRange', deleteRange: r.value.response } }) : r;
      }
      case 'txn': {
        const r = this.txn(cmd.txn);
        return r.ok ? ok({ ...r.value, response: { type: 'txn', txn: r.value.response } }) : r;
      }
      case 'compact': {
        const r = this.compact(cmd.revision);
        return r.ok ? ok({ response: { type: 'compact', compact: r.value }, revision: this.rev, events: [] }) : r;
      }
      case 'leaseGrant': {
        const r = this.leaseGrant(cmd.id, cmd.ttl);
        return r.ok ? ok({ response: { type: 'leaseGrant', leaseGrant: r.value }, revision: this.rev, events: [] }) : r;
      }
      case 'leaseRevoke': {
        const r = this.leaseRevoke(cmd.id);
        return r.ok ? ok({ ...r.value, response: { type: 'leaseRevoke', leaseRevoke: r.value.response } }) : r;
      }
      case 'leaseCheckpoint':
        this.leaseCheckpoint(cmd.checkpoints);
        return ok({ response: { type: 'leaseCheckpoint' }, revision: this.rev, events: [] });
      default:
        return assertNever(cmd);
    }
  }

  // ---- Snapshot

  /**
   * The whole state as bytes: revisions, every key with its kept history, leases; ends with a
   * CRC-32C. Deterministic: equal states give equal bytes.
   */
  snapshot(): Uint8Array {
    return encodeSnapshot(
      { revision: this.rev, compactRevision: this.compactRev, index: this.index, leases: this.leaseTable.list() },
      this.bytes,
    );
  }

  /** Replaces the whole state with a snapshot's. Throws SnapshotCorruptError (keeping the
   * current state) if the bytes are damaged or break an invariant. */
  restore(bytes: Uint8Array): void {
    const d = decodeSnapshot(bytes, INITIAL_REVISION);
    const log = EventLog.rebuild(d.histories, d.compactRevision);
    this.index = d.index;
    this.leaseTable = d.leaseTable;
    this.rev = d.revision;
    this.compactRev = d.compactRevision;
    this.log = log;
    this.revisionCount = d.revisionCount;
    this.bytes = d.approxBytes;
  }

  // ---- Internals: checks against state

  /** A read revision (<= 0 = current) must be neither compacted nor in the future. */
  private checkReadRevision(revision: number): EtcdError | undefined {
    if (revision > this.rev) return new FutureRevisionError(revision, this.rev);
    if (revision > 0 && revision < this.compactRev) return new CompactedError(revision, this.compactRev);
    return undefined;
  }

  /** A put's lease must exist; ignore_value/ignore_lease need the key. etcd checks the lease
   * first for a plain put and the key first inside a txn. */
  private checkPutState(req: PutRequest, where: 'put' | 'txn'): EtcdError | undefined {
    const lease = req.ignoreLease === true ? 0 : (req.lease ?? 0);
    const leaseErr = lease !== 0 && !this.leaseTable.has(lease) ? new LeaseNotFoundError(lease) : undefined;
    let keyErr: EtcdError | undefined;
    if (req.ignoreValue === true || req.ignoreLease === true) {
      const h = this.index.get(keyString(req.key));
      if (h === undefined || liveNow(h) === undefined) keyErr = new KeyNotFoundError(req.key);
    }
    return where === 'put' ? (leaseErr ?? keyErr) : (keyErr ?? leaseErr);
  }

  private comparePath(req: TxnRequest): TxnPath {
    const succeeded = (req.compare ?? []).every((c) => this.evalCompare(c));
    const nested: TxnPath[] = [];
    for (const op of (succeeded ? req.success : req.failure) ?? []) {
      if (op.type === 'txn') nested.push(this.comparePath(op.txn));
    }
    return { succeeded, nested };
  }

  /**
   * State checks of one kind of op on the taken path, in execution order (etcd's checkRequests,
   * against the state before the txn). One more than etcd: a put with ignore_value/ignore_lease
   * whose key an earlier op of the txn deletes is refused with etcd's "key not found" (etcd 3.4
   * lets it through and then panics applying it).
   */
  private checkTxnState(req: TxnRequest, path: TxnPath, pass: 'put' | 'range', deleted: KeyRange[] = []): EtcdError | undefined {
    let n = 0;
    for (const op of (path.succeeded ? req.success : req.failure) ?? []) {
      let err: EtcdError | undefined;
      switch (op.type) {
        case 'range':
          if (pass === 'range') err = this.checkReadRevision(op.range.revision ?? 0);
          break;
        case 'put': {
          if (pass !== 'put') break;
          err = this.checkPutState(op.put, 'txn');
          const ignores = op.put.ignoreValue === true || op.put.ignoreLease === true;
          if (err === undefined && ignores && deleted.length > 0) {
            const k = keyString(op.put.key);
            if (deleted.some((r) => inKeyRange(r, k))) err = new KeyNotFoundError(op.put.key);
          }
          break;
        }
        case 'deleteRange':
          deleted.push(keyRange(op.deleteRange.key, op.deleteRange.rangeEnd));
          break;
        case 'txn':
          err = this.checkTxnState(op.txn, path.nested[n++]!, pass, deleted);
          break;
        default:
          assertNever(op);
      }
      if (err !== undefined) return err;
    }
    return undefined;
  }

  /** A compare holds if every key of its range satisfies it; with no key it compares against an
   * empty key-value (all zero), except that a VALUE compare on no key is false. */
  private evalCompare(c: Compare): boolean {
    let found = false;
    let holds = true;
    this.scan(keyRange(c.key, c.rangeEnd), this.rev, (kv) => {
      found = true;
      if (!compareKeyValue(c, kv)) {
        holds = false;
        return false;
      }
      return true;
    });
    if (!found) return c.target === CompareTarget.VALUE ? false : compareKeyValue(c, ABSENT);
    return holds;
  }

  // ---- Internals: applying changes (no refusals past this point)

  private begin(): WriteCtx {
    return { rev: this.rev + 1, events: [] };
  }

  private end<R>(ctx: WriteCtx, response: R): WriteResult<R> {
    if (ctx.events.length > 0) {
      this.rev = ctx.rev;
      this.log.append(ctx.rev, ctx.events);
    }
    return { response, revision: this.rev, events: ctx.events };
  }

  /** The revision reads inside a write see: the write's own if it changed something yet. */
  private readRev(ctx: WriteCtx): number {
    return ctx.events.length > 0 ? ctx.rev : this.rev;
  }

  private applyPut(ctx: WriteCtx, req: PutRequest): PutResponse {
    const ks = keyString(req.key);
    let h = this.index.get(ks);
    const live = h === undefined ? undefined : liveNow(h);
    if ((req.ignoreValue === true || req.ignoreLease === true) && live === undefined) {
      throw new MvccBug('ignore_value/ignore_lease on an absent key passed the checks');
    }
    const value = req.ignoreValue === true ? live!.value : (req.value ?? EMPTY_BYTES).slice();
    const lease = req.ignoreLease === true ? live!.lease : (req.lease ?? 0);
    const key = h === undefined ? req.key.slice() : h.key;
    const kv: KeyValue = {
      key,
      createRevision: live === undefined ? ctx.rev : live.createRevision,
      modRevision: ctx.rev,
      version: live === undefined ? 1 : live.version + 1,
      value,
      lease,
    };
    const sub = ctx.events.length;
    if (h === undefined) {
      h = { key, revs: [kv], subs: [sub] };
      this.index.set(ks, h);
      this.bytes += key.length;
    } else {
      this.push(h, kv, sub, ctx);
    }
    this.revisionCount++;
    this.bytes += REVISION_OVERHEAD_BYTES + value.length;
    if (live !== undefined && live.lease !== 0) this.leaseTable.detach(live.lease, ks);
    if (lease !== 0) this.leaseTable.attach(lease, ks);
    ctx.events.push({ type: EventType.PUT, kv, prevKv: eventPrevKv(h, ctx.rev, live) });
    return { revision: ctx.rev, prevKv: req.prevKv === true ? live : undefined };
  }

  private applyDeleteRange(ctx: WriteCtx, req: DeleteRangeRequest): DeleteRangeResponse {
    const victims: { k: string; h: KeyHistory; live: KeyValue }[] = [];
    this.scanHistories(keyRange(req.key, req.rangeEnd), (k, h) => {
      const live = liveNow(h);
      if (live !== undefined) victims.push({ k, h, live });
      return true;
    });
    for (const v of victims) this.deleteKey(ctx, v.k, v.h, v.live);
    return {
      revision: this.readRev(ctx),
      deleted: victims.length,
      prevKvs: req.prevKv === true ? victims.map((v) => v.live) : [],
    };
  }

  private deleteKey(ctx: WriteCtx, k: string, h: KeyHistory, live: KeyValue): void {
    const tomb: KeyValue = { key: h.key, createRevision: 0, modRevision: ctx.rev, version: 0, value: EMPTY_BYTES, lease: 0 };
    const prevKv = eventPrevKv(h, ctx.rev, live);
    this.push(h, tomb, ctx.events.length, ctx);
    this.revisionCount++;
    this.bytes += REVISION_OVERHEAD_BYTES;
    if (live.lease !== 0) this.leaseTable.detach(live.lease, k);
    ctx.events.push({ type: EventType.DELETE, kv: tomb, prevKv });
  }

  private push(h: KeyHistory, kv: KeyValue, sub: number, ctx: WriteCtx): void {
    const last = h.revs[h.revs.length - 1];
    if (last !== undefined && last.modRevision > ctx.rev) throw new MvccBug('key history out of order');
    h.revs.push(kv);
    h.subs.push(sub);
  }

  private applyTxn(ctx: WriteCtx, req: TxnRequest, path: TxnPath): TxnResponse {
    const responses: ResponseOp[] = [];
    let n = 0;
    for (const op of (path.succeeded ? req.success : req.failure) ?? []) {
      switch (op.type) {
        case 'range':
          responses.push({ type: 'range', range: this.rangeAt(op.range, this.readRev(ctx)) });
          break;
        case 'put':
          responses.push({ type: 'put', put: this.applyPut(ctx, op.put) });
          break;
        case 'deleteRange':
          responses.push({ type: 'deleteRange', deleteRange: this.applyDeleteRange(ctx, op.deleteRange) });
          break;
        case 'txn':
          responses.push({ type: 'txn', txn: this.applyTxn(ctx, op.txn, path.nested[n++]!) });
          break;
        default:
          assertNever(op);
      }
    }
    return { revision: this.readRev(ctx), succeeded: path.succeeded, responses };
  }

  // ---- Internals: reading

  /** etcd's Range at the head revision `current`; the request's revision is already checked. */
  private rangeAt(req: RangeRequest, current: number): RangeResponse {
    const rev = (req.revision ?? 0) <= 0 ? current : req.revision!;
    const limit = req.limit ?? 0;
    const sortOrder = req.sortOrder ?? SortOrder.NONE;
    const sortTarget = req.sortTarget ?? SortTarget.KEY;
    const minMod = req.minModRevision ?? 0;
    const maxMod = req.maxModRevision ?? 0;
    const minCreate = req.minCreateRevision ?? 0;
    const maxCreate = req.maxCreateRevision ?? 0;
    const filtered = minMod !== 0 || maxMod !== 0 || minCreate !== 0 || maxCreate !== 0;
    // With sorting or filters everything is fetched and truncated afterwards; otherwise one
    // more than the limit tells whether there is more.
    const fetch = sortOrder !== SortOrder.NONE || filtered || limit <= 0 ? Infinity : limit + 1;
    const countOnly = req.countOnly === true;
    let kvs: KeyValue[] = [];
    let count = 0;
    this.scan(keyRange(req.key, req.rangeEnd), rev, (kv) => {
      count++;
      if (!countOnly && kvs.length < fetch) kvs.push(kv);
      return true;
    });
    if (filtered) {
      kvs = kvs.filter(
        (kv) =>
          (maxMod === 0 || kv.modRevision <= maxMod) &&
          (minMod === 0 || kv.modRevision >= minMod) &&
          (maxCreate === 0 || kv.createRevision <= maxCreate) &&
          (minCreate === 0 || kv.createRevision >= minCreate),
      );
    }
    // Results come in key order; any other target sorts ascending unless told otherwise.
    const order = sortTarget !== SortTarget.KEY && sortOrder === SortOrder.NONE ? SortOrder.ASCEND : sortOrder;
    if (order !== SortOrder.NONE) sortKeyValues(kvs, sortTarget, order);
    let more = false;
    if (limit > 0 && kvs.length > limit) {
      kvs = kvs.slice(0, limit);
      more = true;
    }
    if (req.keysOnly === true) kvs = kvs.map((kv) => ({ ...kv, value: EMPTY_BYTES }));
    return { revision: current, kvs, more, count };
  }

  /** Calls visit with the value at rev of every key in the range that existed then, in key
   * order, until visit returns false. */
  private scan(range: KeyRange, rev: number, visit: (kv: KeyValue) => boolean): void {
    this.scanHistories(range, (_k, h) => {
      const kv = liveAt(h, rev);
      return kv === undefined ? true : visit(kv);
    });
  }

  private scanHistories(range: KeyRange, visit: (k: string, h: KeyHistory) => boolean): void {
    scanIndex(this.index, range, visit);
  }
}

/**
 * An event's prev_kv, as etcd's watch gives it: the key's value at the revision before the
 * event's (so a change after another change of the same key in one txn gets the value from
 * before the txn, not the intermediate one). `live` is the key's newest value before this change;
 * called before the change is recorded.
 */
function eventPrevKv(h: KeyHistory, rev: number, live: KeyValue | undefined): KeyValue | undefined {
  const last = h.revs[h.revs.length - 1];
  return last === undefined || last.modRevision < rev ? live : liveAt(h, rev - 1);
}
