// etcd's Maintenance service: Status, alarms, hashes, a snapshot stream, leadership transfer.
// Defragment has nothing to do (the state lives in memory; compaction frees it).
import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { AlarmRequest_AlarmAction, AlarmType } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { MaintenanceServer } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type * as pb from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { encodeSnapshotFile } from '../snapshot-file.js';
import { StoreError } from '../store-error.js';
import { toStatus, unary } from './grpc-status.js';
import { expectResponse } from './kv-service.js';
import type { ServiceContext } from './service-context.js';

/** The protocol version Status reports: etcd 3.4's API, which is what Shoal speaks. */
export const ETCD_API_VERSION = '3.4.0';

const SNAPSHOT_CHUNK = 32 * 1024;

function alarmName(a: pb.AlarmType): string {
  return a === AlarmType.NOSPACE ? 'NOSPACE' : a === AlarmType.CORRUPT ? 'CORRUPT' : 'NONE';
}

export function maintenanceService(ctx: ServiceContext): MaintenanceServer {
  const log = ctx.logger;
  return {
    status: unary('Status', log, async () => {
      const st = ctx.node.status();
      const used = ctx.quota.usedBytes();
      return {
        header: ctx.headers.header(),
        version: ETCD_API_VERSION,
        dbSize: used,
        leader: st.leader,
        raftIndex: st.commit,
        raftTerm: st.term,
        raftAppliedIndex: st.applied,
        errors: ctx.sm.alarms.list().map((a) => `memberID:${a.memberID} alarm:${alarmName(a.alarm)} `),
        dbSizeInUse: used,
        isLearner: st.learners.includes(ctx.memberId),
      };
    }),

    alarm: unary('Alarm', log, async (req: pb.AlarmRequest) => {
      if (req.action !== AlarmRequest_AlarmAction.ACTIVATE && req.action !== AlarmRequest_AlarmAction.DEACTIVATE) {
        return { header: ctx.headers.header(), alarms: ctx.sm.alarms.list(req.alarm) };
      }
      const r = await ctx.proposer.propose({ alarm: req });
      return { header: ctx.headers.header(r.revision), alarms: expectResponse(r, 'alarm').alarms };
    }),

    defragment: unary('Defragment', log, async () => ({ header: ctx.headers.header() })),

    hash: unary('Hash', log, async () => {
      const r = ctx.sm.mvcc.hash(0);
      if (!r.ok) throw r.error;
      return { header: ctx.headers.header(), hash: r.value.hash };
    }),

    hashKv: unary('HashKV', log, async (req: pb.HashKVRequest) => {
      const r = ctx.sm.mvcc.hash(req.revision);
      if (!r.ok) throw r.error;
      return { header: ctx.headers.header(), hash: r.value.hash, compactRevision: r.value.compactRevision };
    }),

    moveLeader: unary('MoveLeader', log, async (req: pb.MoveLeaderRequest) => {
      if (!ctx.node.isLeader) throw new StoreError('not-leader');
      if (req.targetID === ctx.memberId) return { header: ctx.headers.header() };
      if (!ctx.node.status().voters.includes(req.targetID)) throw new StoreError('bad-leader-transferee');
      try {
        await ctx.node.transferLeadership(req.targetID, { timeoutMs: ctx.requestTimeoutMs });
      } catch (e) {
        throw ctx.proposer.toStoreError(e);
      }
      return { header: ctx.headers.header() };
    }),

    // The stream is the state machine's snapshot in the frame of snapshot-file.ts, then its
    // SHA-256 (as etcd sends its database file, then its checksum).
    snapshot: (call: grpc.ServerWritableStream<pb.SnapshotRequest, pb.SnapshotResponse>) => {
      const send = async (): Promise<void> => {
        const header = ctx.headers.header();
        const { body: data, sha256: sha } = encodeSnapshotFile(ctx.sm.snapshot());
        const total = data.byteLength + sha.byteLength;
        let sent = 0;
        for (let off = 0; off < data.byteLength; off += SNAPSHOT_CHUNK) {
          if (call.cancelled) return;
          const blob = data.subarray(off, Math.min(off + SNAPSHOT_CHUNK, data.byteLength));
          sent += blob.byteLength;
          const ok = call.write({ header: off === 0 ? header : undefined, remainingBytes: total - sent, blob });
          if (!ok) await once(call, 'drain');
        }
        call.write({ header: undefined, remainingBytes: 0, blob: sha });
        call.end();
      };
      send().catch((e: unknown) => call.emit('error', toStatus(e, log, 'Snapshot')));
    },
  };
}
