// etcdserverpb (the wire messages, as ts-proto generates them) <-> the MVCC state machine's
// request and response types. Pure; no checks here (validate.ts and MvccStore do them).
import type * as pb from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { KeyValue as PbKeyValue } from '../../../proto/gen/etcd/mvccpb/kv.js';
import type {
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  SortOrder,
  SortTarget,
  TxnRequest,
  TxnResponse,
} from '../mvcc/index.js';

function inEnum<T extends number>(v: number, max: number, fallback: T): T {
  return (Number.isInteger(v) && v >= 0 && v <= max ? v : fallback) as T;
}

export function rangeFromPb(r: pb.RangeRequest): RangeRequest {
  return {
    key: r.key,
    rangeEnd: r.rangeEnd,
    limit: r.limit,
    revision: r.revision,
    sortOrder: inEnum<SortOrder>(r.sortOrder, 2, 0),
    sortTarget: inEnum<SortTarget>(r.sortTarget, 4, 0),
    keysOnly: r.keysOnly,
    countOnly: r.countOnly,
    minModRevision: r.minModRevision,
    maxModRevision: r.maxModRevision,
    minCreateRevision: r.minCreateRevision,
    maxCreateRevision: r.maxCreateRevision,
  };
}

export function putFromPb(r: pb.PutRequest): PutRequest {
  return { key: r.key, value: r.value, lease: r.lease, prevKv: r.prevKv, ignoreValue: r.ignoreValue, ignoreLease: r.ignoreLease };
}

export function deleteRangeFromPb(r: pb.DeleteRangeRequest): DeleteRangeRequest {
  return { key: r.key, rangeEnd: r.rangeEnd, prevKv: r.prevKv };
}

function compareFromPb(c: pb.Compare): Compare {
  return {
    key: c.key,
    rangeEnd: c.rangeEnd,
    target: inEnum<CompareTarget>(c.target, 4, 0),
    result: inEnum<CompareResult>(c.result, 3, 0),
    ...(c.version !== undefined ? { version: c.version } : {}),
    ...(c.createRevision !== undefined ? { createRevision: c.createRevision } : {}),
    ...(c.modRevision !== undefined ? { modRevision: c.modRevision } : {}),
    ...(c.value !== undefined ? { value: c.value } : {}),
    ...(c.lease !== undefined ? { lease: c.lease } : {}),
  };
}

function opFromPb(op: pb.RequestOp): RequestOp {
  if (op.requestRange !== undefined) return { type: 'range', range: rangeFromPb(op.requestRange) };
  if (op.requestPut !== undefined) return { type: 'put', put: putFromPb(op.requestPut) };
  if (op.requestDeleteRange !== undefined) return { type: 'deleteRange', deleteRange: deleteRangeFromPb(op.requestDeleteRange) };
  if (op.requestTxn !== undefined) return { type: 'txn', txn: txnFromPb(op.requestTxn) };
  // etcd treats an empty RequestOp as a no-op range of nothing; an empty range is refused
  // with "key is not provided", which is what etcd answers too.
  return { type: 'range', range: { key: new Uint8Array(0) } };
}

export function txnFromPb(r: pb.TxnRequest): TxnRequest {
  return { compare: r.compare.map(compareFromPb), success: r.success.map(opFromPb), failure: r.failure.map(opFromPb) };
}

/** A txn with no put or delete on either branch, nested txns included. */
export function isTxnReadOnly(r: pb.TxnRequest): boolean {
  const ro = (ops: pb.RequestOp[]): boolean =>
    ops.every((op) => op.requestPut === undefined && op.requestDeleteRange === undefined && (op.requestTxn === undefined || isTxnReadOnly(op.requestTxn)));
  return ro(r.success) && ro(r.failure);
}

// ---- responses. Each carries a header with its revision only (as etcd's nested txn
// responses do); the server replaces the outermost header with the full one.

function revisionHeader(revision: number): pb.ResponseHeader {
  return { clusterId: 0, memberId: 0, revision, raftTerm: 0 };
}

export function kvToPb(kv: KeyValue): PbKeyValue {
  return { key: kv.key, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, value: kv.value, lease: kv.lease };
}

export function rangeToPb(r: RangeResponse): pb.RangeResponse {
  return { header: revisionHeader(r.revision), kvs: r.kvs.map(kvToPb), more: r.more, count: r.count };
}

export function putToPb(r: PutResponse): pb.PutResponse {
  return { header: revisionHeader(r.revision), prevKv: r.prevKv === undefined ? undefined : kvToPb(r.prevKv) };
}

export function deleteRangeToPb(r: DeleteRangeResponse): pb.DeleteRangeResponse {
  return { header: revisionHeader(r.revision), deleted: r.deleted, prevKvs: r.prevKvs.map(kvToPb) };
}

function opToPb(op: ResponseOp): pb.ResponseOp {
  switch (op.type) {
    case 'range':
      return { responseRange: rangeToPb(op.range) };
    case 'put':
      return { responsePut: putToPb(op.put) };
    case 'deleteRange':
      return { responseDeleteRange: deleteRangeToPb(op.deleteRange) };
    case 'txn':
      return { responseTxn: txnToPb(op.txn) };
  }
}

export function txnToPb(r: TxnResponse): pb.TxnResponse {
  return { header: revisionHeader(r.revision), succeeded: r.succeeded, responses: r.responses.map(opToPb) };
}
