import { Progress } from './progress.js';
import { hasQuorum, majorityIndex, voteResult } from './quorum.js';
import type { VoteResult } from './quorum.js';
import type { ConfState, NodeId } from './types.js';

/** The configuration, the leader's view of each member's log, and the votes of an election. */
export class Tracker {
  conf: ConfState;
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();

  constructor(
    conf: ConfState,
    private readonly maxInflightMsgs: number,
    private readonly maxInflightBytes: number,
  ) {
    this.conf = { voters: [...conf.voters], learners: [...conf.learners] };
  }

  isVoter(id: NodeId): boolean {
    return this.conf.voters.includes(id);
  }

  members(): NodeId[] {
    return [...this.conf.voters, ...this.conf.learners];
  }

  /** Rebuilds progress for the current configuration (keeps entries of members still there). */
  setConf(conf: ConfState, nextIndex: number): void {
    this.conf = { voters: [...conf.voters], learners: [...conf.learners] };
    const next = new Map<NodeId, Progress>();
    for (const id of this.members()) {
      const learner = this.conf.learners.includes(id);
      const pr = this.progress.get(id) ?? new Progress(nextIndex, learner, this.maxInflightMsgs, this.maxInflightBytes);
      pr.isLearner = learner;
      next.set(id, pr);
    }
    this.progress = next;
  }

  resetProgress(nextIndex: number): void {
    this.progress = new Map();
    this.setConf(this.conf, nextIndex);
  }

  committed(): number {
    return majorityIndex(this.conf.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  quorumActive(self: NodeId): boolean {
    return hasQuorum(this.conf.voters, (id) => id === self || (this.progress.get(id)?.recentActive ?? false));
  }

  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tally(): VoteResult {
    return voteResult(this.conf.voters, this.votes);
  }

  resetVotes(): void {
    this.votes = new Map();
  }
}
