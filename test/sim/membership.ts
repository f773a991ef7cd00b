// The membership as the committed log defines it, index by index, and the one-change-at-a-time
// rules the harness follows when it plans changes.

import type { ConfChange, ConfState, NodeId } from '../../raft/core/types.js';
import { ConfChangeType } from '../../raft/core/types.js';

const sorted = (xs: readonly NodeId[]): NodeId[] => [...xs].sort((a, b) => a - b);

/**
 * The effect the harness expects of one committed change (the core applies it itself, when
 * the entry is applied). The harness keeps its own model; the rules are the ones
 * raft/core/conf-change.ts documents, including the refusal to leave no voter.
 */
export function applyConfChange(conf: ConfState, cc: ConfChange): ConfState {
  const voters = conf.voters.filter((v) => v !== cc.node);
  const learners = conf.learners.filter((l) => l !== cc.node);
  switch (cc.type) {
    case ConfChangeType.AddVoter:
      voters.push(cc.node);
      break;
    case ConfChangeType.AddLearner:
      if (voters.length === 0 && conf.voters.length > 0) return conf; // never demote the last voter
      learners.push(cc.node);
      break;
    case ConfChangeType.Remove:
      if (voters.length === 0) return conf; // never remove the last voter
      break;
  }
  return { voters: sorted(voters), learners: sorted(learners) };
}

export function confEquals(a: ConfState, b: ConfState): boolean {
  return sameSet(a.voters, b.voters) && sameSet(a.learners, b.learners);
}

function sameSet(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  // fast path: both sorted the same way (the usual case); else compare sorted copies
  if (a.every((v, i) => v === b[i])) return true;
  const as = sorted(a);
  const bs = sorted(b);
  return as.every((v, i) => v === bs[i]);
}

export function formatConf(c: ConfState): string {
  const l = c.learners.length > 0 ? ` learners=${sorted(c.learners).join(',')}` : '';
  return `voters=${sorted(c.voters).join(',')}${l}`;
}

export function formatConfChange(cc: ConfChange): string {
  const kind = cc.type === ConfChangeType.AddVoter ? 'add-voter' : cc.type === ConfChangeType.AddLearner ? 'add-learner' : 'remove';
  return `${kind} ${cc.node}`;
}

export function isMember(c: ConfState, id: NodeId): boolean {
  return c.voters.includes(id) || c.learners.includes(id);
}

/** The membership after each committed conf-change entry, in log order. */
export class ConfHistory {
  private readonly points: { index: number; conf: ConfState }[];

  constructor(initial: ConfState) {
    this.points = [{ index: 0, conf: { voters: sorted(initial.voters), learners: sorted(initial.learners) } }];
  }

  get latest(): ConfState {
    return this.points[this.points.length - 1]!.conf;
  }

  get latestIndex(): number {
    return this.points[this.points.length - 1]!.index;
  }

  /** Records the change committed at `index`; changes at or before the latest are already known. */
  record(index: number, cc: ConfChange): boolean {
    if (index <= this.latestIndex) return false;
    this.points.push({ index, conf: applyConfChange(this.latest, cc) });
    return true;
  }

  /** The membership in force once every entry up to `index` is committed. */
  at(index: number): ConfState {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.points[mid]!.index <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.points[lo]!.conf;
  }
}
