// Calls the leader's client API on behalf of a follower: lease keepalives and TimeToLive (only
// the leader's lease clock knows remaining TTLs) and membership changes (only the leader can
// propose a Raft configuration change). The leader's address is the first client URL it
// published in the member table, dialed with TLS when it is https:// (the dialer carries this
// member's client-side certificate). Writes and reads need none of this: Raft forwards proposals
// and read-index requests itself.
import * as grpc from '@grpc/grpc-js';
import { ClusterClient, LeaseClient } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { RaftNode } from '../../../raft/index.js';
import { NONE } from '../../../raft/index.js';
import type { StoreStateMachine } from '../apply/store-state-machine.js';
import { StoreError } from '../store-error.js';
import type { Dialer } from '../tls.js';

interface Clients {
  address: string;
  lease: LeaseClient;
  cluster: ClusterClient;
}

/** A status the leader answered with, passed on to the client unchanged. */
export class RemoteStatusError extends Error {
  override readonly name = 'RemoteStatusError';
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
  }
}

export class LeaderClient {
  private readonly clients = new Map<number, Clients>();

  constructor(
    private readonly node: RaftNode,
    private readonly sm: StoreStateMachine,
    private readonly dial: Dialer,
  ) {}

  /** The current leader's id, or throws "no leader". */
  leaderId(): number {
    const id = this.node.leaderId;
    if (id === NONE) throw new StoreError('no-leader');
    return id;
  }

  /** Clients to the leader; throws if this member leads (handle it locally) or none is known. */
  forLeader(): { leader: number; lease: LeaseClient; cluster: ClusterClient } {
    const leader = this.leaderId();
    if (leader === this.node.id) throw new StoreError('leader-changed', { detail: 'this member became the leader meanwhile' });
    const url = this.sm.members.get(leader)?.clientUrls[0];
    if (url === undefined) throw new StoreError('no-leader', { detail: `leader ${leader.toString(16)} has not published its client URLs yet` });
    let dialed: ReturnType<Dialer>;
    try {
      dialed = this.dial(url);
    } catch (e) {
      throw new StoreError('no-leader', { detail: (e as Error).message });
    }
    const { address, credentials: creds } = dialed;
    let c = this.clients.get(leader);
    if (c !== undefined && c.address !== address) {
      c.lease.close();
      c.cluster.close();
      c = undefined;
    }
    if (c === undefined) {
      const opts = { 'grpc.max_receive_message_length': -1, 'grpc.use_local_subchannel_pool': 1 };
      c = { address, lease: new LeaseClient(address, creds, opts), cluster: new ClusterClient(address, creds, opts) };
      this.clients.set(leader, c);
    }
    return { leader, lease: c.lease, cluster: c.cluster };
  }

  /** Runs a unary call on the leader with a deadline; the leader's errors pass through. */
  unary<Req, Res>(
    call: (req: Req, md: grpc.Metadata, opts: Partial<grpc.CallOptions>, cb: (e: grpc.ServiceError | null, r?: Res) => void) => unknown,
    req: Req,
    timeoutMs: number,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      call(req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (e, r) => {
        if (e !== null) {
          reject(
            e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED
              ? new StoreError(e.code === grpc.status.UNAVAILABLE && /etcdserver:/.test(e.details) ? 'leader-changed' : 'timeout', { detail: e.details })
              : new RemoteStatusError(e.code, e.details),
          );
        } else if (r === undefined) reject(new StoreError('timeout'));
        else resolve(r);
      });
    });
  }

  close(): void {
    for (const c of this.clients.values()) {
      c.lease.close();
      c.cluster.close();
    }
    this.clients.clear();
  }
}
