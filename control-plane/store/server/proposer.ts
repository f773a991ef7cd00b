// The write and read paths into Raft for the gRPC services: propose an InternalRequest and get
// its apply result back; wait for a linearizable read point. Raft's outcomes become etcd's
// errors: no leader, leader changed, request timed out, server stopped.
//
// Rules:
// - A request is proposed at most once; while no leader is known it waits (bounded) for one
//   first, so a write during an election succeeds late rather than failing early.
// - Refusals from the state machine come back as ApplyResult values; only Raft's failures throw.
import { InternalRequest } from '../../../proto/gen/store.js';
import type { RaftNode } from '../../../raft/index.js';
import { NodeError, NodeErrorCode, NONE } from '../../../raft/index.js';
import type { ApplyResult, StoreStateMachine } from '../apply/store-state-machine.js';
import { StoreError } from '../store-error.js';

export type ProposalBody = Omit<InternalRequest, 'header'>;

export interface ProposerOptions {
  node: RaftNode;
  sm: StoreStateMachine;
  /** Deadline of one request (etcd: 5 s + 2 election timeouts). */
  requestTimeoutMs: number;
  /** How long a request waits for a leader to be elected before "no leader". */
  leaderWaitMs: number;
  /** Counts proposals by outcome (metrics). */
  onProposal?: (outcome: 'committed' | 'failed') => void;
}

export class Proposer {
  private readonly node: RaftNode;
  private readonly sm: StoreStateMachine;
  private readonly requestTimeoutMs: number;
  private readonly leaderWaitMs: number;
  private readonly onProposal: (outcome: 'committed' | 'failed') => void;

  constructor(o: ProposerOptions) {
    this.node = o.node;
    this.sm = o.sm;
    this.requestTimeoutMs = o.requestTimeoutMs;
    this.leaderWaitMs = o.leaderWaitMs;
    this.onProposal = o.onProposal ?? (() => {});
  }

  /** Proposes one request and resolves with its apply result on this member. */
  async propose(body: ProposalBody): Promise<ApplyResult> {
    const deadline = Date.now() + this.requestTimeoutMs;
    await this.waitForLeader(deadline);
    const header = this.sm.results.expect();
    const data = InternalRequest.encode({ ...body, header }).finish();
    const leaderAtStart = this.node.leaderId;
    let offLeader = (): void => {};
    let graceTimer: NodeJS.Timeout | undefined;
    // A proposal forwarded to a leader that died is lost without a trace: once a new leader is
    // known, wait one election timeout for the entry (it usually survives and commits), then
    // answer "leader changed" instead of hanging until the request deadline.
    const leaderGone = new Promise<never>((_, reject) => {
      offLeader = this.node.onLeaderChange((c) => {
        if (c.leader === NONE || c.leader === leaderAtStart || graceTimer !== undefined) return;
        graceTimer = setTimeout(() => reject(new StoreError('leader-changed', { detail: 'the leader changed while the proposal was in flight' })), this.leaderWaitMs / 2);
      });
    });
    leaderGone.catch(() => {});
    try {
      await Promise.race([this.node.propose(data, { timeoutMs: Math.max(1, deadline - Date.now()) }), leaderGone]);
    } catch (e) {
      this.sm.results.forget(header);
      this.onProposal('failed');
      throw this.toStoreError(e);
    } finally {
      offLeader();
      if (graceTimer !== undefined) clearTimeout(graceTimer);
    }
    const r = this.sm.results.take(header);
    this.onProposal('committed');
    if (r === undefined) throw new Error('store: a proposal resolved without an apply result (applier not wired?)');
    return r;
  }

  /** Resolves once this member has applied everything committed when it was called. */
  async linearizableRead(): Promise<void> {
    const deadline = Date.now() + this.requestTimeoutMs;
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.waitForLeader(deadline);
      try {
        await this.node.readIndex({ timeoutMs: Math.max(1, deadline - Date.now()) });
        return;
      } catch (e) {
        // A read index dropped for lack of a leader is safe to ask again once one is elected.
        if (e instanceof NodeError && e.code === NodeErrorCode.Dropped && Date.now() < deadline) continue;
        throw this.toStoreError(e);
      }
    }
    throw new StoreError('no-leader');
  }

  /** Waits until a leader is known, at most leaderWaitMs (and the request deadline). */
  async waitForLeader(deadline: number): Promise<void> {
    if (this.node.leaderId !== NONE) return;
    const until = Math.min(deadline, Date.now() + this.leaderWaitMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, until - Date.now()));
      const off = this.node.onLeaderChange((c) => {
        if (c.leader !== NONE) done();
      });
      function done(): void {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
    if (this.node.leaderId === NONE) throw new StoreError('no-leader');
  }

  toStoreError(e: unknown): StoreError {
    if (e instanceof StoreError) return e;
    if (!(e instanceof NodeError)) return new StoreError('stopped', { cause: e, detail: String((e as Error)?.message ?? e) });
    switch (e.code) {
      case NodeErrorCode.Dropped:
        return new StoreError(this.node.leaderId === NONE ? 'no-leader' : 'leader-changed', { cause: e, detail: e.message });
      case NodeErrorCode.Lost:
      case NodeErrorCode.Unknown:
        return new StoreError('leader-changed', { cause: e, detail: e.message });
      case NodeErrorCode.Timeout:
        return new StoreError('timeout', { cause: e, detail: e.message });
      case NodeErrorCode.Stopped:
      case NodeErrorCode.Failed:
        return new StoreError('stopped', { cause: e, detail: e.message });
    }
  }
}
