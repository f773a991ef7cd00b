// Proposing a Raft membership change through a RaftNode.
//
// WORKAROUND: RaftNode (raft/node/raft-node.ts, owned by the Raft team) has no public
// proposeConfChange yet, and its StateMachine never sees ConfChange entries. Until it does,
// this reaches the core through the driver's private `input` (which steps the core and kicks
// the Ready loop) and reads the outcome from status().conf. Everything else about the change
// (ordering, one at a time, who may propose) is the core's: see raft/core/conf-change.ts.
import type { ConfChange, ProposeResult, Raft, RaftNode } from '../../../raft/index.js';

interface RaftNodeInternals {
  raft: Raft;
  input(f: () => void): void;
}

export function proposeConfChange(node: RaftNode, cc: ConfChange): ProposeResult {
  const internals = node as unknown as RaftNodeInternals;
  if (typeof internals.input !== 'function' || internals.raft === undefined) {
    throw new Error('conf change: RaftNode internals changed; use its public proposeConfChange');
  }
  let result: ProposeResult = { ok: false, reason: 'the raft node is not running' };
  internals.input(() => {
    result = internals.raft.proposeConfChange(cc);
  });
  return result;
}
