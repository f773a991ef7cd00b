// etcd's ResponseHeader: cluster id, this member's id, the store revision the answer reflects,
// and the Raft term this member is in.
import type { ResponseHeader } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { RaftNode } from '../../../raft/index.js';
import type { StoreStateMachine } from '../apply/store-state-machine.js';

export class HeaderSource {
  private term = 0;
  private termReadAt = -Infinity;

  constructor(
    private readonly clusterId: number,
    private readonly memberId: number,
    private readonly node: RaftNode,
    private readonly sm: StoreStateMachine,
  ) {
    node.onLeaderChange((c) => {
      this.term = c.term;
      this.termReadAt = Date.now();
    });
  }

  /** The current Raft term (status() is cheap but not free: read at most every 50 ms). */
  raftTerm(): number {
    const now = Date.now();
    if (now - this.termReadAt > 50) {
      this.term = this.node.status().term;
      this.termReadAt = now;
    }
    return this.term;
  }

  header(revision: number = this.sm.mvcc.revision): ResponseHeader {
    return { clusterId: this.clusterId, memberId: this.memberId, revision, raftTerm: this.raftTerm() };
  }
}
