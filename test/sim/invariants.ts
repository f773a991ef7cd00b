// The safety properties of Raft, checked incrementally while the simulation runs (each check
// costs O(what changed), except Leader Completeness, which walks the committed log once per
// new leader). Every check throws InvariantViolation.
//
// - election-safety: at most one leader per term, over the whole run.
// - log-matching: an entry (index, term) has one content and one predecessor term, in every
//   log where it was ever persisted; so two logs holding (i, t) agree on everything before i.
// - leader-append-only: a leader only appends to its log (checked by the cluster at persist).
// - leader-completeness: a new leader of term T holds every entry committed in a term < T that
//   was applied anywhere before it won (down to its first uncompacted index).
// - state-machine-safety: no two members apply different entries at one index, and state
//   digests agree at every index (also across InstallSnapshot).
// - exactly-once: every applied command was proposed and sits at one index only.
// - commit-monotonic / applied-le-commit: on a live member, and for the durable hard state.
// - vote-once: a member grants at most one vote per term (checked on the messages it sends);
//   the durable vote never changes within a term; the durable term never decreases.
// - read-index: a read's index covers every entry applied anywhere before the read was issued.
// - membership-agreement: a member's configuration equals the log's at its applied index
//   (a change takes effect when applied); the core and the state machine agree on applied.

import type { RaftStatus } from '../../raft/core/raft.js';
import type { Entry, HardState, Message, NodeId, ReadState, Ready, Snapshot } from '../../raft/core/types.js';
import { EntryType, MessageType, Role } from '../../raft/core/types.js';
import type { MemoryStorage } from '../../raft/storage/memory-storage.js';
import { decodeConfChange } from '../../raft/core/conf-change.js';
import type { ConfHistory } from './membership.js';
import { confEquals, formatConf } from './membership.js';
import { decodeCommand, entryDigest } from './state-machine.js';
import type { SimStateMachine } from './state-machine.js';
import { decodeText } from './trace.js';
import { InvariantViolation } from './violation.js';

interface LogRecord {
  digest: number;
  prevTerm: number;
  node: NodeId;
}

interface ReadRecord {
  node: NodeId;
  required: number;
  issuedAt: number;
}

export function describeEntry(e: Entry): string {
  if (e.type === EntryType.ConfChange) return `${e.index}/${e.term} conf`;
  if (e.data.length === 0) return `${e.index}/${e.term} empty`;
  return `${e.index}/${e.term} ${decodeText(e.data)}`;
}

export class Invariants {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** (voter, term) -> the candidate it granted its vote to. */
  private readonly votesGranted = new Map<number, NodeId>();
  /** index -> term -> what the entry (index, term) looked like where it was first persisted. */
  private readonly logRecords = new Map<number, Map<number, LogRecord>>();
  // Indexed by log index; filled by the first member to apply each index.
  private readonly appliedTerm: number[] = [];
  private readonly appliedDigest: number[] = [];
  private readonly appliedText: string[] = [];
  private readonly appliedBy: NodeId[] = [];
  private readonly stateDigest: number[] = [];
  /**
   * An upper bound of the term in which each index was committed: the term of the first leader
   * seen with a commit index covering it, or else the term of the first member to apply it
   * (it learned of the commit in a message of its current term, or from its own hard state).
   */
  private readonly commitTermBound: number[] = [];
  private commitMarked = 0;
  /** The highest index applied by any member: everything up to it is committed. */
  maxApplied = 0;
  private readonly commandIndex = new Map<number, number>();
  private readonly proposed = new Set<number>();
  private readonly durable = new Map<NodeId, HardState>();
  private readonly liveCommit = new Map<NodeId, { incarnation: number; commit: number }>();
  private readonly reads = new Map<string, ReadRecord>();
  readsChecked = 0;
  readsMisrouted = 0;

  constructor(private readonly confs: ConfHistory) {}

  // ---- proposals and reads ----

  proposedCommand(id: number): void {
    this.proposed.add(id);
  }

  readIssued(ctx: string, node: NodeId, now: number): void {
    this.reads.set(ctx, { node, required: this.maxApplied, issuedAt: now });
  }

  readState(node: NodeId, rs: ReadState): void {
    const ctx = decodeText(rs.context);
    const r = this.reads.get(ctx);
    if (r === undefined) throw new InvariantViolation('read-index', `node ${node} got a read state for unknown context '${ctx}'`);
    // A read forwarded twice (follower -> follower with a stale leader -> leader) is answered to
    // the middle member, which did not ask: the asker never hears back (it retries on timeout,
    // as the readIndex() contract says). Not a safety issue; counted, and its index still checked.
    if (r.node !== node) this.readsMisrouted++;
    if (rs.index < r.required) {
      throw new InvariantViolation(
        'read-index',
        `read '${ctx}' on node ${node} got index ${rs.index}, but index ${r.required} was applied before the read was issued (t=${r.issuedAt})`,
      );
    }
    this.readsChecked++;
  }

  // ---- leaders ----

  /** A member reports role leader in `term`; its storage holds its whole log (Readies are drained). */
  leaderObserved(id: NodeId, term: number, storage: MemoryStorage): boolean {
    const prev = this.leaderOfTerm.get(term);
    if (prev !== undefined) {
      if (prev !== id) throw new InvariantViolation('election-safety', `nodes ${prev} and ${id} are both leaders of term ${term}`);
      return false;
    }
    this.leaderOfTerm.set(term, id);
    this.checkLeaderCompleteness(id, term, storage);
    return true;
  }

  /**
   * Raft's Leader Completeness is about entries committed in terms below the leader's: a
   * leader of an older term may still win (its vote grants were delayed) after a newer term
   * committed entries. So only entries whose commit term is known to be < term are checked.
   */
  private checkLeaderCompleteness(id: NodeId, term: number, storage: MemoryStorage): void {
    const first = Math.max(1, storage.firstIndex() - 1);
    const last = storage.lastIndex();
    for (let i = this.maxApplied; i >= first; i--) {
      const want = this.appliedTerm[i];
      const bound = this.commitTermBound[i];
      if (want === undefined || bound === undefined || bound >= term) continue;
      const got = i <= last ? storage.term(i) : undefined;
      if (got !== want) {
        throw new InvariantViolation(
          'leader-completeness',
          `node ${id} became leader of term ${term} with ${got === undefined ? 'no entry' : `term ${got}`} at index ${i}, ` +
            `but ${this.appliedText[i]} was committed there in term <= ${bound} (applied by node ${this.appliedBy[i]})`,
        );
      }
    }
  }

  /** A leader of `term` reports commit index `commit`: every index up to it was committed in a term <= term. */
  leaderCommitted(term: number, commit: number): void {
    for (let i = this.commitMarked + 1; i <= commit; i++) {
      const b = this.commitTermBound[i];
      if (b === undefined || b > term) this.commitTermBound[i] = term;
    }
    if (commit > this.commitMarked) this.commitMarked = commit;
  }

  // ---- votes ----

  /** Every message a member sends: a granted vote must be the only one it grants in that term. */
  sent(m: Message): void {
    if (m.type !== MessageType.VoteResp || m.reject) return;
    const key = m.from * 2 ** 32 + m.term;
    const prev = this.votesGranted.get(key);
    if (prev === undefined) this.votesGranted.set(key, m.to);
    else if (prev !== m.to) {
      throw new InvariantViolation('vote-once', `node ${m.from} granted its vote in term ${m.term} to ${prev} and then to ${m.to}`);
    }
  }

  // ---- durable state ----

  /** The hard state a member last persisted. */
  durableOf(id: NodeId): HardState {
    return this.durable.get(id) ?? { term: 0, vote: 0, commit: 0 };
  }

  nodeCreated(id: NodeId, storage: MemoryStorage): void {
    this.durable.set(id, storage.initialState().hardState);
  }

  persisted(id: NodeId, storage: MemoryStorage, rd: Ready): void {
    if (rd.snapshot !== undefined) this.snapshotPersisted(id, rd.snapshot);
    this.entriesPersisted(id, storage, rd.entries);
    if (rd.hardState !== undefined) this.hardStatePersisted(id, storage, rd.hardState);
  }

  private snapshotPersisted(id: NodeId, snap: Snapshot): void {
    const { index, term } = snap.meta;
    const want = this.appliedTerm[index];
    if (want !== undefined && want !== term) {
      throw new InvariantViolation(
        'state-machine-safety',
        `node ${id} installed a snapshot at ${index}/${term}, but ${this.appliedText[index]} was committed at ${index}`,
      );
    }
  }

  private entriesPersisted(id: NodeId, storage: MemoryStorage, entries: readonly Entry[]): void {
    const first = storage.firstIndex();
    let prev: Entry | undefined;
    for (const e of entries) {
      if (prev !== undefined && e.index !== prev.index + 1) {
        throw new InvariantViolation('ready-contract', `node ${id}: Ready.entries jump from ${prev.index} to ${e.index}`);
      }
      const p = prev;
      prev = e;
      if (e.index < first) continue;
      const prevTerm = p !== undefined && p.index >= first - 1 ? p.term : storage.term(e.index - 1);
      if (e.term < prevTerm) {
        throw new InvariantViolation('log-matching', `node ${id} persisted ${describeEntry(e)} after an entry of term ${prevTerm}`);
      }
      const digest = entryDigest(e);
      let byTerm = this.logRecords.get(e.index);
      if (byTerm === undefined) {
        byTerm = new Map();
        this.logRecords.set(e.index, byTerm);
      }
      const rec = byTerm.get(e.term);
      if (rec === undefined) {
        byTerm.set(e.term, { digest, prevTerm, node: id });
        continue;
      }
      if (rec.digest !== digest) {
        throw new InvariantViolation(
          'log-matching',
          `node ${id} persisted ${describeEntry(e)}, but node ${rec.node} persisted a different entry ${e.index}/${e.term}`,
        );
      }
      if (rec.prevTerm !== prevTerm) {
        throw new InvariantViolation(
          'log-matching',
          `node ${id} persisted ${e.index}/${e.term} after term ${prevTerm} at ${e.index - 1}; node ${rec.node} had it after term ${rec.prevTerm}`,
        );
      }
    }
  }

  private hardStatePersisted(id: NodeId, storage: MemoryStorage, hs: HardState): void {
    const before = this.durable.get(id) ?? { term: 0, vote: 0, commit: 0 };
    if (hs.term < before.term) {
      throw new InvariantViolation('vote-once', `node ${id} persisted term ${hs.term} after term ${before.term}`);
    }
    if (hs.term === before.term && before.vote !== 0 && hs.vote !== before.vote) {
      throw new InvariantViolation('vote-once', `node ${id} changed its vote in term ${hs.term} from ${before.vote} to ${hs.vote}`);
    }
    if (hs.commit < before.commit) {
      throw new InvariantViolation('commit-monotonic', `node ${id} persisted commit ${hs.commit} after commit ${before.commit}`);
    }
    if (hs.commit > storage.lastIndex()) {
      throw new InvariantViolation('commit-in-log', `node ${id} persisted commit ${hs.commit} past its last index ${storage.lastIndex()}`);
    }
    this.durable.set(id, { ...hs });
  }

  // ---- applying ----

  applied(id: NodeId, e: Entry, sm: SimStateMachine): void {
    const i = e.index;
    const digest = entryDigest(e);
    const known = this.appliedDigest[i];
    if (known === undefined) {
      this.appliedDigest[i] = digest;
      this.appliedTerm[i] = e.term;
      const b = this.commitTermBound[i];
      const applierTerm = this.durableOf(id).term;
      if (b === undefined || b > applierTerm) this.commitTermBound[i] = applierTerm;
      this.appliedText[i] = describeEntry(e);
      this.appliedBy[i] = id;
      this.stateDigest[i] = sm.digest;
      if (i > this.maxApplied) this.maxApplied = i;
      if (e.type === EntryType.ConfChange) this.confs.record(i, decodeConfChange(e.data));
      else this.commandApplied(id, e);
      return;
    }
    if (known !== digest) {
      throw new InvariantViolation(
        'state-machine-safety',
        `node ${id} applied ${describeEntry(e)}, node ${this.appliedBy[i]} applied ${this.appliedText[i]} at index ${i}`,
      );
    }
    if (this.stateDigest[i] !== sm.digest) {
      throw new InvariantViolation(
        'state-machine-safety',
        `node ${id}'s state after index ${i} differs from node ${this.appliedBy[i]}'s (an earlier entry differs)`,
      );
    }
  }

  private commandApplied(id: NodeId, e: Entry): void {
    const cmd = decodeCommand(e.data);
    if (cmd === undefined) return;
    if (Number.isNaN(cmd) || !this.proposed.has(cmd)) {
      throw new InvariantViolation('exactly-once', `node ${id} applied ${describeEntry(e)}, which was never proposed`);
    }
    const at = this.commandIndex.get(cmd);
    if (at !== undefined && at !== e.index) {
      throw new InvariantViolation('exactly-once', `command c${cmd} applied at index ${at} and again at index ${e.index}`);
    }
    this.commandIndex.set(cmd, e.index);
  }

  snapshotApplied(id: NodeId, snap: Snapshot, sm: SimStateMachine): void {
    const i = snap.meta.index;
    if (sm.applied !== i) {
      throw new InvariantViolation('state-machine-safety', `node ${id} installed a snapshot at ${i} whose data is the state at ${sm.applied}`);
    }
    const known = this.stateDigest[i];
    if (known !== undefined && known !== sm.digest) {
      throw new InvariantViolation('state-machine-safety', `node ${id} installed a snapshot at ${i} whose state differs from node ${this.appliedBy[i]}'s`);
    }
  }

  /** Whether a command has been applied (acknowledged) anywhere. */
  commandAppliedAt(id: number): number | undefined {
    return this.commandIndex.get(id);
  }

  get commandsApplied(): number {
    return this.commandIndex.size;
  }

  // ---- live status ----

  /** Checks a live member's volatile state; called after every step. */
  status(id: NodeId, incarnation: number, st: RaftStatus, sm: SimStateMachine): void {
    const prev = this.liveCommit.get(id);
    if (prev !== undefined && prev.incarnation === incarnation && st.commit < prev.commit) {
      throw new InvariantViolation('commit-monotonic', `node ${id}'s commit went from ${prev.commit} to ${st.commit}`);
    }
    if (prev === undefined || prev.incarnation !== incarnation || prev.commit !== st.commit) {
      this.liveCommit.set(id, { incarnation, commit: st.commit });
    }
    if (st.applied > st.commit) {
      throw new InvariantViolation('applied-le-commit', `node ${id} reports applied ${st.applied} > commit ${st.commit}`);
    }
    if (sm.applied > st.commit) {
      throw new InvariantViolation('applied-le-commit', `node ${id}'s state machine is at ${sm.applied} > commit ${st.commit}`);
    }
    if (st.role === Role.Leader && st.leader !== id) {
      throw new InvariantViolation('election-safety', `node ${id} is leader but reports leader ${st.leader}`);
    }
    if (st.applied !== sm.applied) {
      throw new InvariantViolation('applied-agrees', `node ${id}: core applied ${st.applied}, state machine ${sm.applied}`);
    }
    const want = this.confs.at(sm.applied);
    if (!confEquals(st.conf, want)) {
      throw new InvariantViolation(
        'membership-agreement',
        `node ${id} at applied ${sm.applied} has ${formatConf(st.conf)}, the log says ${formatConf(want)}`,
      );
    }
  }
}
