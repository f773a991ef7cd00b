// Membership changes on the leader (followers forward the Cluster calls to it): the member
// table (replicated state) and the Raft configuration change together, one member at a time.
//
// Order, chosen so that a failure half-way can be repaired by repeating the call:
// - add:     table entry, then Raft AddVoter/AddLearner (a repeated add of a member that is in
//            the table but not in Raft only re-proposes the Raft change);
// - remove:  table entry (the id is retired for good), then Raft Remove (a repeated remove of a
//            retired id still in Raft only re-proposes the Raft change);
// - promote: Raft AddVoter, then the table's learner flag.
// Transport peers follow the union of the table and the Raft configuration (see member.ts),
// so a removed member stays reachable until Raft no longer needs it.
import { ConfChangeType, NodeError, NodeErrorCode } from '../../../raft/index.js';
import type { ConfChange, RaftNode } from '../../../raft/index.js';
import type { Member } from '../../../proto/gen/store.js';
import type { StoreStateMachine } from '../apply/store-state-machine.js';
import { memberIdOf } from '../member-id.js';
import { parseUrl } from '../peer-url.js';
import { StoreError } from '../store-error.js';
import { expectResponse } from './kv-service.js';
import type { Proposer } from './proposer.js';

export interface MembershipOptions {
  node: RaftNode;
  sm: StoreStateMachine;
  proposer: Proposer;
  clusterToken: string;
  requestTimeoutMs: number;
}

export class Membership {
  constructor(private readonly o: MembershipOptions) {}

  private requireLeader(): void {
    if (!this.o.node.isLeader) throw new StoreError('not-leader');
  }

  async add(peerUrls: readonly string[], isLearner: boolean): Promise<{ member: Member; members: Member[] }> {
    this.requireLeader();
    let urls: string[];
    try {
      urls = peerUrls.map((u) => parseUrl(u).url);
    } catch (e) {
      throw new StoreError('member-bad-urls', { detail: (e as Error).message });
    }
    if (urls.length === 0) throw new StoreError('member-bad-urls');
    await this.o.proposer.linearizableRead();
    const id = memberIdOf(urls, this.o.clusterToken);
    const existing = this.o.sm.members.get(id);
    const repair = existing !== undefined && sameUrls(existing.peerUrls, urls) && !this.inRaft(id);
    if (!repair) {
      const m: Member = { id, name: '', peerUrls: urls, clientUrls: [], isLearner };
      const err = this.o.sm.members.checkAdd(m);
      if (err !== undefined) throw err;
      expectResponse(await this.o.proposer.propose({ memberAdd: { member: m } }), 'members');
    }
    const learner = repair ? existing.isLearner : isLearner;
    await this.confChange({ type: learner ? ConfChangeType.AddLearner : ConfChangeType.AddVoter, node: id, context: context(urls) });
    return { member: this.o.sm.members.get(id)!, members: this.o.sm.members.list() };
  }

  async remove(id: number): Promise<Member[]> {
    this.requireLeader();
    await this.o.proposer.linearizableRead();
    const inTable = this.o.sm.members.get(id) !== undefined;
    if (!inTable && !(this.o.sm.members.isRemoved(id) && this.inRaft(id))) throw new StoreError('member-not-found');
    if (inTable) expectResponse(await this.o.proposer.propose({ memberRemove: { id } }), 'members');
    if (this.inRaft(id)) await this.confChange({ type: ConfChangeType.Remove, node: id, context: new Uint8Array(0) });
    return this.o.sm.members.list();
  }

  async promote(id: number): Promise<Member[]> {
    this.requireLeader();
    await this.o.proposer.linearizableRead();
    const err = this.o.sm.members.checkPromote(id);
    if (err !== undefined) throw err;
    if (!this.learnerReady(id)) throw new StoreError('learner-not-ready');
    await this.confChange({ type: ConfChangeType.AddVoter, node: id, context: new Uint8Array(0) });
    expectResponse(await this.o.proposer.propose({ memberPromote: { id } }), 'members');
    return this.o.sm.members.list();
  }

  /** etcd's rule: a learner is ready once its log is within 90% of the leader's. */
  private learnerReady(id: number): boolean {
    const st = this.o.node.status();
    const self = st.progress[String(this.o.node.id)];
    const p = st.progress[String(id)];
    if (p === undefined || self === undefined) return false;
    return p.match >= self.match * 0.9;
  }

  private inRaft(id: number): boolean {
    const conf = this.o.node.status();
    return conf.voters.includes(id) || conf.learners.includes(id);
  }

  /** Proposes a Raft configuration change and waits until this member has applied it. */
  private async confChange(cc: ConfChange): Promise<void> {
    const deadline = Date.now() + this.o.requestTimeoutMs;
    const applied = (): boolean => {
      const st = this.o.node.status();
      switch (cc.type) {
        case ConfChangeType.AddVoter:
          return st.voters.includes(cc.node);
        case ConfChangeType.AddLearner:
          return st.learners.includes(cc.node);
        case ConfChangeType.Remove:
          return !st.voters.includes(cc.node) && !st.learners.includes(cc.node);
      }
    };
    if (applied()) return;
    // A change is refused while the previous one is not applied yet: retry until the deadline.
    for (;;) {
      this.requireLeader();
      try {
        await this.o.node.proposeConfChange(cc, { timeoutMs: Math.max(1, deadline - Date.now()) });
        return;
      } catch (e) {
        if (!(e instanceof NodeError)) throw e;
        if (e.code === NodeErrorCode.Timeout) throw new StoreError('timeout', { detail: e.message });
        if (e.code !== NodeErrorCode.Dropped) throw e;
        if (!/in progress/.test(e.message)) throw new StoreError('leader-changed', { detail: e.message });
        if (Date.now() > deadline) throw new StoreError('timeout', { detail: e.message });
        await sleep(50);
      }
    }
  }
}

function sameUrls(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

function context(urls: readonly string[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ peerUrls: urls }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
