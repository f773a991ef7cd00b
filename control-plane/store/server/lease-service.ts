// etcd's Lease service. Grants and revokes go through the log; keepalives and TimeToLive need
// the leader's lease clock, so a follower passes them to the leader: each client keepalive
// stream gets one stream to the current leader (reopened when the leader changes), and the
// leader's answers flow back unchanged. A keepalive for an unknown or expired lease answers
// TTL 0; TimeToLive answers TTL -1 (as etcd does).
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { LeaseServer } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type * as pb from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import { LeaseExistsError } from '../mvcc/index.js';
import { StoreError } from '../store-error.js';
import { toStatus, unary } from './grpc-status.js';
import { expectResponse } from './kv-service.js';
import type { ServiceContext } from './service-context.js';

/**
 * Lease ids stay below 2^52 in magnitude: the MVCC snapshot codec writes them zigzag-encoded,
 * which must stay a safe integer (ids in [2^52, 2^53) would make snapshots unreadable).
 */
export const MAX_LEASE_ID = 2 ** 52 - 1;

/** A random lease id in [1, 2^52). */
function newLeaseId(): number {
  const id = Number(randomBytes(8).readBigUInt64BE() & BigInt(MAX_LEASE_ID));
  return id === 0 ? 1 : id;
}

/** Rough protobuf size of a grant, for the quota. */
const GRANT_COST = 32;

export function leaseService(ctx: ServiceContext): LeaseServer {
  const log = ctx.logger;

  async function timeToLive(req: pb.LeaseTimeToLiveRequest): Promise<pb.LeaseTimeToLiveResponse> {
    for (let attempt = 0; ; attempt++) {
      if (ctx.leases.isPrimary) {
        try {
          const t = await ctx.leases.timeToLive(req.ID, req.keys);
          return { header: ctx.headers.header(), ID: req.ID, TTL: t.ttl, grantedTTL: t.grantedTtl, keys: t.keys };
        } catch (e) {
          if (!(e instanceof StoreError && e.code === 'not-leader') || attempt > 0) throw e;
          continue; // lost leadership meanwhile: ask the new leader
        }
      }
      const { lease } = ctx.leader.forLeader();
      return ctx.leader.unary(lease.leaseTimeToLive.bind(lease), req, ctx.requestTimeoutMs);
    }
  }

  return {
    leaseGrant: unary('LeaseGrant', log, async (req: pb.LeaseGrantRequest) => {
      if (Math.abs(req.ID) > MAX_LEASE_ID) throw new StoreError('lease-id-out-of-range');
      const ttl = Math.max(req.TTL, ctx.minLeaseTtlSec);
      await ctx.quota.check(GRANT_COST);
      for (let attempt = 0; ; attempt++) {
        const id = req.ID !== 0 ? req.ID : newLeaseId();
        const r = await ctx.proposer.propose({ leaseGrant: { ID: id, TTL: ttl } });
        // A generated id that happens to exist already: pick another.
        if (!r.ok && r.error instanceof LeaseExistsError && req.ID === 0 && attempt < 3) continue;
        const g = expectResponse(r, 'leaseGrant');
        return { header: ctx.headers.header(r.revision), ID: g.id, TTL: g.ttl, error: '' };
      }
    }),

    leaseRevoke: unary('LeaseRevoke', log, async (req: pb.LeaseRevokeRequest) => {
      const r = await ctx.proposer.propose({ leaseRevoke: { ID: req.ID } });
      expectResponse(r, 'leaseRevoke');
      return { header: ctx.headers.header(r.revision) };
    }),

    leaseTimeToLive: unary('LeaseTimeToLive', log, timeToLive),

    leaseLeases: unary('LeaseLeases', log, async () => {
      await ctx.proposer.linearizableRead();
      return { header: ctx.headers.header(), leases: ctx.sm.mvcc.leases().map((l) => ({ ID: l.id })) };
    }),

    leaseKeepAlive: (call: grpc.ServerDuplexStream<pb.LeaseKeepAliveRequest, pb.LeaseKeepAliveResponse>) => {
      let upstream: { leader: number; stream: grpc.ClientDuplexStream<pb.LeaseKeepAliveRequest, pb.LeaseKeepAliveResponse> } | undefined;
      let finished = false;
      // Requests are handled one after another, so answers keep the order of the requests.
      let chain = Promise.resolve();

      const closeUpstream = (): void => {
        const u = upstream;
        upstream = undefined;
        if (u !== undefined) {
          u.stream.removeAllListeners('data');
          u.stream.on('error', () => {});
          u.stream.cancel();
        }
      };
      const finish = (err?: unknown): void => {
        if (finished) return;
        finished = true;
        closeUpstream();
        if (err === undefined) call.end();
        else call.emit('error', toStatus(err, log, 'LeaseKeepAlive'));
      };

      const forward = (req: pb.LeaseKeepAliveRequest): void => {
        const leader = ctx.leader.leaderId();
        if (upstream !== undefined && upstream.leader !== leader) closeUpstream();
        if (upstream === undefined) {
          const { lease } = ctx.leader.forLeader();
          const stream = lease.leaseKeepAlive();
          const u = { leader, stream };
          stream.on('data', (res: pb.LeaseKeepAliveResponse) => {
            if (!finished) call.write(res);
          });
          const drop = (): void => {
            if (upstream === u) upstream = undefined;
          };
          stream.on('error', drop);
          stream.on('end', drop);
          upstream = u;
        }
        upstream.stream.write(req);
      };

      const handle = async (req: pb.LeaseKeepAliveRequest): Promise<void> => {
        if (finished) return;
        if (ctx.leases.isPrimary) {
          closeUpstream();
          const ttl = await ctx.leases.renew(req.ID).catch((e: unknown) => {
            if (e instanceof StoreError && e.code === 'not-leader') return undefined;
            throw e;
          });
          if (ttl !== undefined) {
            if (!finished) call.write({ header: ctx.headers.header(), ID: req.ID, TTL: ttl });
            return;
          }
        }
        forward(req);
      };

      call.on('data', (req: pb.LeaseKeepAliveRequest) => {
        chain = chain.then(() => handle(req)).catch((e: unknown) => finish(e));
      });
      call.on('end', () => {
        chain = chain.then(() => finish());
      });
      call.on('cancelled', () => {
        finished = true;
        closeUpstream();
      });
      call.on('error', () => {
        finished = true;
        closeUpstream();
      });
    },
  };
}
