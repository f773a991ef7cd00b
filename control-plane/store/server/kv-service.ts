// etcd's KV service. Reads are linearizable by default (a read index confirmed by the leader,
// then the local state) and local with `serializable`; writes are validated here (so a bad
// request never reaches the log), checked against the quota, then proposed and answered with
// their apply result. Read-only txns are served like reads.
import type { KVServer } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type * as pb from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { checkDeleteRange, checkPut, checkTxn, putSize, txnSize } from '../mvcc/index.js';
import { deleteRangeFromPb, isTxnReadOnly, putFromPb, rangeFromPb, rangeToPb, txnFromPb, txnToPb } from '../apply/pb-convert.js';
import type { ApplyResult, StoreResponse } from '../apply/store-state-machine.js';
import { unary } from './grpc-status.js';
import type { ServiceContext } from './service-context.js';

/** The response of an applied write, or its refusal thrown. */
export function expectResponse<T extends StoreResponse['type']>(r: ApplyResult, type: T): Extract<StoreResponse, { type: T }> {
  if (!r.ok) throw r.error;
  if (r.response.type !== type) throw new Error(`store: expected a ${type} apply result, got ${r.response.type}`);
  return r.response as Extract<StoreResponse, { type: T }>;
}

function isTxnSerializable(r: pb.TxnRequest): boolean {
  const ops = [...r.success, ...r.failure];
  return ops.every((op) => (op.requestRange === undefined || op.requestRange.serializable) && (op.requestTxn === undefined || isTxnSerializable(op.requestTxn)));
}

export function kvService(ctx: ServiceContext): KVServer {
  const limits = ctx.sm.mvcc.limits;
  const log = ctx.logger;
  return {
    range: unary('Range', log, async (req: pb.RangeRequest) => {
      if (!req.serializable) await ctx.proposer.linearizableRead();
      const r = ctx.sm.mvcc.range(rangeFromPb(req));
      if (!r.ok) throw r.error;
      return { ...rangeToPb(r.value), header: ctx.headers.header(r.value.revision) };
    }),

    put: unary('Put', log, async (req: pb.PutRequest) => {
      const put = putFromPb(req);
      const err = checkPut(put, limits);
      if (err !== undefined) throw err;
      await ctx.quota.check(putSize(put));
      const r = await ctx.proposer.propose({ put: req });
      return { ...expectResponse(r, 'put').put, header: ctx.headers.header(r.revision) };
    }),

    deleteRange: unary('DeleteRange', log, async (req: pb.DeleteRangeRequest) => {
      const err = checkDeleteRange(deleteRangeFromPb(req), limits);
      if (err !== undefined) throw err;
      const r = await ctx.proposer.propose({ deleteRange: req });
      return { ...expectResponse(r, 'deleteRange').deleteRange, header: ctx.headers.header(r.revision) };
    }),

    txn: unary('Txn', log, async (req: pb.TxnRequest) => {
      const txn = txnFromPb(req);
      const err = checkTxn(txn, limits);
      if (err !== undefined) throw err;
      if (isTxnReadOnly(req)) {
        if (!isTxnSerializable(req)) await ctx.proposer.linearizableRead();
        // No op of this txn writes: evaluating it on the local state changes nothing.
        const r = ctx.sm.mvcc.txn(txn);
        if (!r.ok) throw r.error;
        return { ...txnToPb(r.value.response), header: ctx.headers.header(r.value.revision) };
      }
      await ctx.quota.check(txnSize(txn));
      const r = await ctx.proposer.propose({ txn: req });
      return { ...expectResponse(r, 'txn').txn, header: ctx.headers.header(r.revision) };
    }),

    compact: unary('Compact', log, async (req: pb.CompactionRequest) => {
      const r = await ctx.proposer.propose({ compaction: req });
      expectResponse(r, 'compaction');
      return { header: ctx.headers.header(r.revision) };
    }),
  };
}
