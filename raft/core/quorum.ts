import type { NodeId } from './types.js';

/** The largest index that a majority of `voters` have matched. */
export function majorityIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return Infinity; // no voters: nothing constrains commit (never used by a live leader)
  const m = voters.map(matchOf).sort((a, b) => b - a);
  return m[Math.floor(voters.length / 2)]!;
}

export const VoteResult = { Pending: 'pending', Won: 'won', Lost: 'lost' } as const;
export type VoteResult = (typeof VoteResult)[keyof typeof VoteResult];

export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const q = Math.floor(voters.length / 2) + 1;
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  if (granted >= q) return VoteResult.Won;
  if (rejected > voters.length - q) return VoteResult.Lost;
  return VoteResult.Pending;
}

export function hasQuorum(voters: readonly NodeId[], active: (id: NodeId) => boolean): boolean {
  const q = Math.floor(voters.length / 2) + 1;
  let n = 0;
  for (const id of voters) if (active(id)) n++;
  return n >= q;
}
