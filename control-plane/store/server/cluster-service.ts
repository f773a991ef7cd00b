// etcd's Cluster service. MemberAdd/Remove/Promote run on the leader (a follower passes them
// on), which changes the member table and the Raft configuration together (membership.ts).
//
// MemberList answers from this member's copy of the member table after a linearizable read
// (as etcd 3.5 does by default): a change acknowledged by the leader is applied only by the
// members of its commit quorum, so a member outside it (or one still replaying its log after a
// restart) would otherwise list the members as they were before the change. A member that
// knows no leader answers with its own table, as etcd 3.4 always did, so an operator can still
// see who it thinks is in a cluster that lost its quorum.
import * as grpc from '@grpc/grpc-js';
import type { ClusterServer } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type * as pb from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { Member } from '../../../proto/gen/store.js';
import { StoreError } from '../store-error.js';
import { unary } from './grpc-status.js';
import type { ServiceContext } from './service-context.js';

export function memberToPb(m: Member): pb.Member {
  return { ID: m.id, name: m.name, peerURLs: [...m.peerUrls], clientURLs: [...m.clientUrls], isLearner: m.isLearner };
}

export function clusterService(ctx: ServiceContext): ClusterServer {
  const log = ctx.logger;
  const onLeader = <Req, Res>(
    local: (req: Req) => Promise<Res>,
    remote: (c: ReturnType<ServiceContext['leader']['forLeader']>['cluster']) => (req: Req, md: grpc.Metadata, o: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown,
  ) => {
    return async (req: Req): Promise<Res> => {
      if (ctx.node.isLeader) return local(req);
      const { cluster } = ctx.leader.forLeader();
      return ctx.leader.unary(remote(cluster).bind(cluster), req, ctx.requestTimeoutMs);
    };
  };

  return {
    memberList: unary('MemberList', log, async () => {
      try {
        await ctx.proposer.linearizableRead();
      } catch (e) {
        if (!(e instanceof StoreError && e.code === 'no-leader')) throw e;
      }
      return { header: ctx.headers.header(), members: ctx.sm.members.list().map(memberToPb) };
    }),

    memberAdd: unary(
      'MemberAdd',
      log,
      onLeader<pb.MemberAddRequest, pb.MemberAddResponse>(
        async (req) => {
          const r = await ctx.membership.add(req.peerURLs, req.isLearner);
          return { header: ctx.headers.header(), member: memberToPb(r.member), members: r.members.map(memberToPb) };
        },
        (c) => c.memberAdd,
      ),
    ),

    memberRemove: unary(
      'MemberRemove',
      log,
      onLeader<pb.MemberRemoveRequest, pb.MemberRemoveResponse>(
        async (req) => ({ header: ctx.headers.header(), members: (await ctx.membership.remove(req.ID)).map(memberToPb) }),
        (c) => c.memberRemove,
      ),
    ),

    memberPromote: unary(
      'MemberPromote',
      log,
      onLeader<pb.MemberPromoteRequest, pb.MemberPromoteResponse>(
        async (req) => ({ header: ctx.headers.header(), members: (await ctx.membership.promote(req.ID)).map(memberToPb) }),
        (c) => c.memberPromote,
      ),
    ),

    memberUpdate: (_call, callback) => {
      callback({ code: grpc.status.UNIMPLEMENTED, details: 'shoal: MemberUpdate is not supported; remove the member and add it with its new peer URLs' });
    },
  };
}
