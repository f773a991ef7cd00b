// Checks that need no store state, with etcd's errors and in etcd's order (v3rpc/key.go, then
// the request size at proposal). The gRPC layer runs them before proposing, so a bad request
// never reaches the log; MvccStore runs them again on apply. The limits are part of the
// replicated configuration: every member must use the same ones, or apply would diverge.

import { keyBytes, keyString } from './bytes.js';
import {
  DuplicateKeyError,
  EmptyKeyError,
  LeaseProvidedError,
  RequestTooLargeError,
  TooManyOpsError,
  ValueProvidedError,
} from './errors.js';
import type { EtcdError } from './errors.js';
import type { Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from './types.js';

export interface MvccLimits {
  /** Most compares, success ops or failure ops in one txn (etcd --max-txn-ops). */
  readonly maxTxnOps: number;
  /** Largest write request, as its protobuf encoding (etcd --max-request-bytes). */
  readonly maxRequestBytes: number;
}

export const DEFAULT_LIMITS: MvccLimits = { maxTxnOps: 128, maxRequestBytes: 1.5 * 1024 * 1024 };

export function checkRange(r: RangeRequest): EtcdError | undefined {
  return r.key.length === 0 ? new EmptyKeyError() : undefined;
}

export function checkPut(r: PutRequest, limits: MvccLimits): EtcdError | undefined {
  return checkPutFields(r) ?? checkSize(putSize(r), limits);
}

function checkPutFields(r: PutRequest): EtcdError | undefined {
  if (r.key.length === 0) return new EmptyKeyError();
  if (r.ignoreValue === true && (r.value?.length ?? 0) !== 0) return new ValueProvidedError();
  if (r.ignoreLease === true && (r.lease ?? 0) !== 0) return new LeaseProvidedError();
  return undefined;
}

export function checkDeleteRange(r: DeleteRangeRequest, limits: MvccLimits): EtcdError | undefined {
  if (r.key.length === 0) return new EmptyKeyError();
  return checkSize(deleteRangeSize(r), limits);
}

export function checkTxn(r: TxnRequest, limits: MvccLimits): EtcdError | undefined {
  const err = checkTxnOps(r, limits.maxTxnOps);
  if (err !== undefined) return err;
  // Overlap checks after the op count, so a huge txn cannot make them quadratic.
  const s = checkIntervals(r.success ?? []);
  if (s instanceof DuplicateKeyError) return s;
  const f = checkIntervals(r.failure ?? []);
  if (f instanceof DuplicateKeyError) return f;
  return checkSize(txnSize(r), limits);
}

function checkSize(size: number, limits: MvccLimits): EtcdError | undefined {
  return size > limits.maxRequestBytes ? new RequestTooLargeError(size, limits.maxRequestBytes) : undefined;
}

/** etcd's checkTxnRequest: a nested txn gets the budget its parent left over. */
function checkTxnOps(r: TxnRequest, maxTxnOps: number): EtcdError | undefined {
  const compare = r.compare ?? [];
  const success = r.success ?? [];
  const failure = r.failure ?? [];
  const opc = Math.max(compare.length, success.length, failure.length);
  if (opc > maxTxnOps) return new TooManyOpsError(opc, maxTxnOps);
  for (const c of compare) if (c.key.length === 0) return new EmptyKeyError();
  for (const op of success) {
    const err = checkOp(op, maxTxnOps - opc);
    if (err !== undefined) return err;
  }
  for (const op of failure) {
    const err = checkOp(op, maxTxnOps - opc);
    if (err !== undefined) return err;
  }
  return undefined;
}

function checkOp(op: RequestOp, maxTxnOps: number): EtcdError | undefined {
  switch (op.type) {
    case 'range':
      return checkRange(op.range);
    case 'put':
      return checkPutFields(op.put);
    case 'deleteRange':
      return op.deleteRange.key.length === 0 ? new EmptyKeyError() : undefined;
    case 'txn':
      return checkTxnOps(op.txn, maxTxnOps);
  }
}

/** A deleted interval [start, end) as binary strings; end null = the single key start. */
interface Interval {
  readonly start: string;
  readonly end: string | null;
}

function intersects(dels: readonly Interval[], k: string): boolean {
  for (const d of dels) {
    if (d.end === null ? k === d.start : k >= d.start && k < d.end) return true;
  }
  return false;
}

/**
 * etcd's checkIntervals: within one branch (and the txns nested in it) a key may be put at most
 * once and may not be both put and deleted; the two branches of a nested txn exclude each other,
 * so both may put the same key. As in etcd 3.4 (which the store must answer like), a delete's
 * interval is taken literally: a range_end of "\0" (or one below the key) makes an empty
 * interval that overlaps no put, and a nested txn's deletes are not checked against the puts of
 * earlier siblings. Those txns may change a key more than once in one revision; the store
 * applies the changes in order.
 */
function checkIntervals(reqs: readonly RequestOp[]): { puts: Set<string>; dels: Interval[] } | DuplicateKeyError {
  const dels: Interval[] = [];
  for (const op of reqs) {
    if (op.type !== 'deleteRange') continue;
    const r = op.deleteRange;
    dels.push({ start: keyString(r.key), end: r.rangeEnd === undefined || r.rangeEnd.length === 0 ? null : keyString(r.rangeEnd) });
  }
  const puts = new Set<string>();
  for (const op of reqs) {
    if (op.type !== 'txn') continue;
    const then = checkIntervals(op.txn.success ?? []);
    if (then instanceof DuplicateKeyError) return then;
    const otherwise = checkIntervals(op.txn.failure ?? []);
    if (otherwise instanceof DuplicateKeyError) return otherwise;
    for (const k of then.puts) {
      if (puts.has(k) || intersects(dels, k)) return duplicate(k);
      puts.add(k);
    }
    for (const k of otherwise.puts) {
      if ((puts.has(k) && !then.puts.has(k)) || intersects(dels, k)) return duplicate(k);
      puts.add(k);
    }
    dels.push(...then.dels, ...otherwise.dels);
  }
  for (const op of reqs) {
    if (op.type !== 'put') continue;
    const k = keyString(op.put.key);
    if (puts.has(k) || intersects(dels, k)) return duplicate(k);
    puts.add(k);
  }
  return { puts, dels };
}

function duplicate(k: string): DuplicateKeyError {
  return new DuplicateKeyError(keyBytes(k));
}

// ---- Encoded sizes: the protobuf encoding of the etcdserverpb request (proto3: zero values are
// not written). This is what etcd compares with --max-request-bytes, less the few bytes of its
// internal raft header.

function varintSize(n: number): number {
  if (n < 0) return 10;
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function bytesField(b: Uint8Array | undefined, tagSize = 1): number {
  const n = b?.length ?? 0;
  return n === 0 ? 0 : tagSize + varintSize(n) + n;
}

function intField(v: number | undefined): number {
  return v === undefined || v === 0 ? 0 : 1 + varintSize(v);
}

function boolField(v: boolean | undefined): number {
  return v === true ? 2 : 0;
}

function messageField(size: number): number {
  return 1 + varintSize(size) + size;
}

export function rangeSize(r: RangeRequest): number {
  return (
    bytesField(r.key) +
    bytesField(r.rangeEnd) +
    intField(r.limit) +
    intField(r.revision) +
    intField(r.sortOrder) +
    intField(r.sortTarget) +
    boolField(r.keysOnly) +
    boolField(r.countOnly) +
    intField(r.minModRevision) +
    intField(r.maxModRevision) +
    intField(r.minCreateRevision) +
    intField(r.maxCreateRevision)
  );
}

export function putSize(r: PutRequest): number {
  return (
    bytesField(r.key) +
    bytesField(r.value) +
    intField(r.lease) +
    boolField(r.prevKv) +
    boolField(r.ignoreValue) +
    boolField(r.ignoreLease)
  );
}

export function deleteRangeSize(r: DeleteRangeRequest): number {
  return bytesField(r.key) + bytesField(r.rangeEnd) + boolField(r.prevKv);
}

function compareSize(c: Compare): number {
  // The oneof operand is written whenever it is set, even to zero.
  const operand = (v: number | undefined): number => (v === undefined ? 0 : 1 + varintSize(v));
  return (
    intField(c.result) +
    intField(c.target) +
    bytesField(c.key) +
    operand(c.version) +
    operand(c.createRevision) +
    operand(c.modRevision) +
    (c.value === undefined ? 0 : 1 + varintSize(c.value.length) + c.value.length) +
    operand(c.lease) +
    bytesField(c.rangeEnd, 2)
  );
}

function opSize(op: RequestOp): number {
  switch (op.type) {
    case 'range':
      return messageField(rangeSize(op.range));
    case 'put':
      return messageField(putSize(op.put));
    case 'deleteRange':
      return messageField(deleteRangeSize(op.deleteRange));
    case 'txn':
      return messageField(txnSize(op.txn));
  }
}

export function txnSize(r: TxnRequest): number {
  let size = 0;
  for (const c of r.compare ?? []) size += messageField(compareSize(c));
  for (const op of r.success ?? []) size += messageField(opSize(op));
  for (const op of r.failure ?? []) size += messageField(opSize(op));
  return size;
}
