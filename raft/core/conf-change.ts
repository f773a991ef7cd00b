// Membership changes, one server at a time.
//
// Safety argument: a change adds or removes exactly one voter, so any majority of the old
// configuration and any majority of the new one share at least one member; two leaders can
// therefore never be elected in one term, nor can two different entries be committed at one
// index, even while some members still use the old configuration. A configuration takes
// effect on a member when it applies the committed ConfChange entry (as in etcd), and the
// leader accepts a new change only after it has applied the previous one (pendingConfIndex),
// so at most two adjacent configurations are in use at any time. The up-to-date log check of
// RequestVote keeps a member that has not seen a committed change from winning an election
// against members that have. A new leader also refuses changes until it has applied every
// entry from earlier terms (pendingConfIndex starts at its last index), which rules out the
// single-server bug described in Ongaro's note (a stale leader's uncommitted change).
import { RaftBug } from './errors.js';
import type { ConfChange, ConfState, Entry, NodeId } from './types.js';
import { ConfChangeType, EMPTY, EntryType } from './types.js';

export function encodeConfChange(cc: ConfChange): Uint8Array {
  const out = new Uint8Array(1 + 8 + cc.context.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, cc.type);
  view.setFloat64(1, cc.node);
  out.set(cc.context, 9);
  return out;
}

export function decodeConfChange(b: Uint8Array): ConfChange {
  if (b.byteLength < 9) throw new RaftBug(`conf change entry too short (${b.byteLength} bytes)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const type = view.getUint8(0);
  if (type !== ConfChangeType.AddVoter && type !== ConfChangeType.AddLearner && type !== ConfChangeType.Remove) {
    throw new RaftBug(`unknown conf change type ${type}`);
  }
  return { type, node: view.getFloat64(1), context: b.slice(9) };
}

/** The configuration after applying `cc` to `conf` (pure). */
export function applyConfChange(conf: ConfState, cc: ConfChange): ConfState {
  const voters = conf.voters.filter((id) => id !== cc.node);
  const learners = conf.learners.filter((id) => id !== cc.node);
  switch (cc.type) {
    case ConfChangeType.AddVoter:
      voters.push(cc.node);
      break;
    case ConfChangeType.AddLearner:
      // demoting the last voter to learner would leave no one to elect a leader
      if (voters.length === 0 && conf.voters.length > 0) return conf;
      learners.push(cc.node);
      break;
    case ConfChangeType.Remove:
      if (voters.length === 0) return conf; // never remove the last voter
      break;
  }
  voters.sort((a, b) => a - b);
  learners.sort((a, b) => a - b);
  return { voters, learners };
}

export function isMember(conf: ConfState, id: NodeId): boolean {
  return conf.voters.includes(id) || conf.learners.includes(id);
}

/** The first entries of a new cluster's log: AddVoter for each founding member, at term 1. */
export function bootstrapEntries(voters: NodeId[]): Entry[] {
  return voters.map((node, i) => ({
    term: 1,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange({ type: ConfChangeType.AddVoter, node, context: EMPTY }),
  }));
}
