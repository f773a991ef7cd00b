import type { RaftConfig, ResolvedConfig } from './config.js';
import { resolveConfig } from './config.js';
import { applyConfChange, decodeConfChange, encodeConfChange } from './conf-change.js';
import { RaftBug, RaftError, RaftErrorCode, assertNever } from './errors.js';
import { ProgressState } from './progress.js';
import { VoteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { ReadOnlyQueue } from './read-only.js';
import { Tracker } from './tracker.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  ReadState,
  Ready,
  Snapshot,
  SoftState,
} from './types.js';
import { EMPTY, EntryType, MessageType, NONE, Role, emptyMessage, isLocalMessage } from './types.js';

export type ProposeResult = { ok: true } | { ok: false; reason: string };

export interface RaftStatus {
  id: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lastIndex: number;
  leader: NodeId;
  role: Role;
  conf: ConfState;
  /** Leader only: the replication state of each member. */
  progress: Map<NodeId, { match: number; next: number; state: string }>;
  leadTransferee: NodeId;
}

/** Marks a vote request sent by a leadership transfer: it bypasses the leader lease check. */
const CAMPAIGN_TRANSFER = new TextEncoder().encode('transfer');

const DROPPED = (reason: string): ProposeResult => ({ ok: false, reason });
const OK: ProposeResult = { ok: true };

/**
 * The Raft state machine of one member. No I/O, no timers, no randomness of its own:
 * tick(), step(), propose() go in; ready() hands out what to persist, send and apply, and
 * advance() says it was done. Each role has its own step function; a message that arrives
 * for the wrong role is handled by the rules of Figure 2 of the Raft paper.
 */
export class Raft {
  private readonly cfg: ResolvedConfig;
  readonly id: NodeId;
  private term = 0;
  private vote: NodeId = NONE;
  private lead: NodeId = NONE;
  private role: Role = Role.Follower;
  private readonly log: RaftLog;
  private readonly trk: Tracker;
  private msgs: Message[] = [];
  private readStates: ReadState[] = [];
  /** Local ticks since start: the leader's clock for lease-based reads. */
  private ticks = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private leadTransferee: NodeId = NONE;
  /** A leader accepts a new ConfChange only once this index is applied. */
  private pendingConfIndex = 0;
  private readonly readOnly = new ReadOnlyQueue();
  /** ReadIndex requests received before this leader committed an entry of its own term. */
  private pendingReadIndex: Message[] = [];

  // What the driver has already been handed (to report only changes).
  private prevHardState: HardState;
  private prevSoftState: SoftState;
  private readyInFlight = false;

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    const storage = this.cfg.storage;
    const { hardState, conf } = storage.initialState();
    this.log = new RaftLog(storage, this.cfg.maxSizePerMsg);
    this.trk = new Tracker(conf, this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
    this.trk.resetProgress(this.log.lastIndex() + 1);
    if (hardState.commit > this.log.lastIndex()) {
      throw new RaftBug(`hard state commit ${hardState.commit} is past the log's last index ${this.log.lastIndex()}`);
    }
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log.commitTo(hardState.commit);
    // Membership changes committed after the snapshot and already applied by the state machine
    // are re-read from the log, so the configuration matches the applied index.
    const applied = Math.min(Math.max(this.cfg.applied, this.log.applied), this.log.committed);
    if (applied > this.log.applied) {
      for (const e of this.log.slice(this.log.applied + 1, applied + 1, Infinity)) {
        if (e.type === EntryType.ConfChange) this.trk.setConf(applyConfChange(this.trk.conf, decodeConfChange(e.data)), this.log.lastIndex() + 1);
      }
      this.log.appliedTo(applied);
    }
    this.becomeFollower(this.term, NONE);
    this.prevHardState = this.hardState();
    this.prevSoftState = this.softState();
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Advances the logical clock by one tick. */
  tick(): void {
    this.ticks++;
    if (this.role === Role.Leader) this.tickHeartbeat();
    else this.tickElection();
  }

  /** Starts an election now (pre-vote first when enabled). */
  campaign(): void {
    this.step(this.local(MessageType.Hup));
  }

  propose(data: Uint8Array): ProposeResult {
    return this.stepProposal([{ term: 0, index: 0, type: EntryType.Normal, data }]);
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.stepProposal([{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) }]);
  }

  /**
   * Asks for a read index. When the answer arrives, ready().readStates carries
   * { index, context }: the read may be served once the state machine has applied `index`.
   * A request that cannot be served (no leader) is dropped; the caller retries on timeout.
   */
  readIndex(context: Uint8Array): ProposeResult {
    if (this.role !== Role.Leader && this.lead === NONE) return DROPPED('no leader');
    const m = emptyMessage(MessageType.ReadIndex, this.id, NONE, 0);
    m.context = context;
    this.step(m);
    return OK;
  }

  transferLeadership(to: NodeId): void {
    const m = emptyMessage(MessageType.TransferLeader, to, this.lead, 0);
    this.step(m);
  }

  reportUnreachable(id: NodeId): void {
    this.step(emptyMessage(MessageType.Unreachable, id, this.id, 0));
  }

  reportSnapshot(id: NodeId, ok: boolean): void {
    const m = emptyMessage(MessageType.SnapStatus, id, this.id, 0);
    m.reject = !ok;
    this.step(m);
  }

  private local(type: MessageType): Message {
    return emptyMessage(type, this.id, this.id, 0);
  }

  private stepProposal(entries: Entry[]): ProposeResult {
    const m = emptyMessage(MessageType.Prop, this.id, NONE, 0);
    m.entries = entries;
    return this.stepWithResult(m);
  }

  /** Feeds a message from the network (or a local one) into the state machine. */
  step(m: Message): void {
    this.stepWithResult(m);
  }

  private stepWithResult(m: Message): ProposeResult {
    if (m.term === 0) {
      // local message or proposal
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = bytesEqual(m.context, CAMPAIGN_TRANSFER);
        const inLease =
          this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        // A member that heard from a leader within the election timeout ignores vote requests:
        // this keeps a partitioned or removed member from disrupting a healthy cluster.
        if (!force && inLease) return OK;
      }
      if (m.type === MessageType.PreVote) {
        // a pre-vote never changes our term
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // our term is bumped only when the pre-vote wins
      } else if (m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap) {
        this.becomeFollower(m.term, m.from);
      } else if (m.type === MessageType.Vote) {
        // Only a granted vote restarts the election timer (Figure 2). A stream of hopeless
        // candidates (stale logs or configurations) must not keep resetting the timer of the
        // one member that could win; handleVoteRequest resets it if it grants.
        const elapsed = this.electionElapsed;
        this.becomeFollower(m.term, NONE);
        this.electionElapsed = elapsed;
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A stale leader (e.g. after a partition healed) learns the newer term from this answer
        // and steps down; without it the stale leader could never hear of the new term when
        // pre-vote/check-quorum keep us from sending it a vote request.
        this.send(emptyMessage(MessageType.AppResp, this.id, m.from, this.term));
      } else if (m.type === MessageType.PreVote || m.type === MessageType.Vote) {
        // Figure 2: a stale candidate gets our term back so it can catch up. Without this a
        // member whose old configuration names only removed peers can campaign at ever higher
        // terms while silently dropping the lower-term requests of the up-to-date candidate.
        const r = emptyMessage(m.type === MessageType.PreVote ? MessageType.PreVoteResp : MessageType.VoteResp, this.id, m.from, this.term);
        r.reject = true;
        this.send(r);
      }
      return OK;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(false);
        return OK;
      case MessageType.Vote:
      case MessageType.PreVote:
        this.handleVoteRequest(m);
        return OK;
      default:
        switch (this.role) {
          case Role.Leader:
            return this.stepLeader(m);
          case Role.Candidate:
          case Role.PreCandidate:
            return this.stepCandidate(m);
          case Role.Follower:
            return this.stepFollower(m);
          default:
            return assertNever(this.role);
        }
    }
  }

  // ---- elections ----------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(this.local(MessageType.Hup));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(this.local(MessageType.CheckQuorum));
      // a transfer that did not finish within an election timeout is abandoned
      if (this.role === Role.Leader && this.leadTransferee !== NONE) this.leadTransferee = NONE;
    }
    if (this.role !== Role.Leader) return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(this.local(MessageType.Beat));
    }
  }

  /** A member may campaign only as a voter, and not while a snapshot is being installed. */
  private promotable(): boolean {
    return this.trk.isVoter(this.id) && this.log.unstable.snapshot === undefined;
  }

  private hup(transfer: boolean): void {
    if (this.role === Role.Leader) return;
    if (!this.promotable()) return;
    // Campaigning with unapplied membership changes could use a stale configuration.
    if (this.hasUnappliedConfChanges()) return;
    if (this.cfg.preVote && !transfer) this.campaign_(true, false);
    else this.campaign_(false, transfer);
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const ents = this.log.slice(Math.max(this.log.applied + 1, this.log.firstIndex()), this.log.committed + 1, Infinity);
    return ents.some((e) => e.type === EntryType.ConfChange);
  }

  private campaign_(pre: boolean, transfer: boolean): void {
    let term: number;
    let type: MessageType;
    if (pre) {
      this.becomePreCandidate();
      type = MessageType.PreVote;
      term = this.term + 1; // pre-vote asks about the next term without moving to it
    } else {
      this.becomeCandidate();
      type = MessageType.Vote;
      term = this.term;
    }
    this.trk.recordVote(this.id, true);
    if (this.trk.tally() === VoteResult.Won) {
      // a single-voter cluster wins at once
      if (pre) this.campaign_(false, transfer);
      else this.becomeLeader();
      return;
    }
    for (const id of this.trk.conf.voters) {
      if (id === this.id) continue;
      const m = emptyMessage(type, this.id, id, term);
      m.index = this.log.lastIndex();
      m.logTerm = this.log.lastTerm();
      if (transfer) m.context = CAMPAIGN_TRANSFER;
      this.send(m);
    }
  }

  private handleVoteRequest(m: Message): void {
    const isPre = m.type === MessageType.PreVote;
    const respType = isPre ? MessageType.PreVoteResp : MessageType.VoteResp;
    // Figure 2: grant if we have not voted for someone else in this term (a pre-vote for a
    // future term does not count as a vote) and the candidate's log is at least as up-to-date.
    const canVote =
      this.vote === m.from || (this.vote === NONE && this.lead === NONE) || (isPre && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // The grant carries the candidate's term so it is not dropped as stale; the vote itself is
      // persisted (hard state) before this message leaves the node.
      this.send(emptyMessage(respType, this.id, m.from, m.term));
      if (!isPre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      const r = emptyMessage(respType, this.id, m.from, this.term);
      r.reject = true;
      this.send(r);
    }
  }

  // ---- role transitions -------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + Math.floor(this.cfg.random() * this.cfg.electionTick);
    this.leadTransferee = NONE;
    this.trk.resetVotes();
    this.trk.resetProgress(this.log.lastIndex() + 1);
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
  }

  private becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = Role.Follower;
  }

  private becomeCandidate(): void {
    if (this.role === Role.Leader) throw new RaftBug('leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = Role.Candidate;
  }

  private becomePreCandidate(): void {
    if (this.role === Role.Leader) throw new RaftBug('leader cannot become pre-candidate');
    // term and vote stay: a pre-vote changes nothing durable
    this.trk.resetVotes();
    this.lead = NONE;
    this.role = Role.PreCandidate;
  }

  private becomeLeader(): void {
    if (this.role === Role.Follower) throw new RaftBug('follower cannot become leader directly');
    this.reset(this.term);
    this.lead = this.id;
    this.role = Role.Leader;
    const self = this.trk.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Changes proposed by earlier leaders must be applied before this leader accepts another.
    this.pendingConfIndex = this.log.lastIndex();
    // An empty entry of the new term lets the leader commit (§5.4.2) and learn the commit index.
    this.appendEntries([{ term: 0, index: 0, type: EntryType.Normal, data: EMPTY }]);
    this.bcastAppend();
  }

  // ---- leader -----------------------------------------------------------------------------

  private stepLeader(m: Message): ProposeResult {
    switch (m.type) {
      case MessageType.Beat:
        this.bcastHeartbeat(undefined);
        return OK;
      case MessageType.CheckQuorum:
        if (!this.trk.quorumActive(this.id)) {
          this.cfg.logger?.warn(`raft ${this.id}: stepped down in term ${this.term}: no quorum heard within an election timeout`);
          this.becomeFollower(this.term, NONE);
        }
        for (const [id, pr] of this.trk.progress) if (id !== this.id) pr.recentActive = false;
        return OK;
      case MessageType.Prop:
        return this.leaderPropose(m);
      case MessageType.ReadIndex:
        this.leaderReadIndex(m);
        return OK;
      default:
        break;
    }

    const pr = this.trk.progress.get(m.from);
    if (!pr) return OK; // from a non-member
    switch (m.type) {
      case MessageType.AppResp: {
        pr.recentActive = true;
        if (m.reject) {
          let hint = m.rejectHint;
          if (m.hintTerm > 0) hint = this.log.findConflictByTerm(m.rejectHint, m.hintTerm).index;
          if (pr.maybeDecrTo(m.index, hint)) {
            if (pr.state === ProgressState.Replicate) pr.becomeProbe();
            this.sendAppend(m.from, false);
          }
          return OK;
        }
        const oldPaused = pr.isPaused();
        if (pr.maybeUpdate(m.index)) {
          if (pr.state === ProgressState.Probe) {
            pr.becomeReplicate();
          } else if (pr.state === ProgressState.Snapshot && pr.match + 1 >= this.log.firstIndex()) {
            // the snapshot (or a later append) brought the follower to where the log continues
            pr.becomeProbe();
            pr.becomeReplicate();
          } else if (pr.state === ProgressState.Replicate) {
            pr.inflights.freeLE(m.index);
          }
          if (this.maybeCommit()) {
            this.bcastAppend();
          } else if (oldPaused) {
            // the follower was paused and may have missed commit updates: tell it now
            this.sendAppend(m.from, true);
          }
          // keep the pipeline full
          while (this.sendAppend(m.from, false)) {
            /* send until paused or nothing left */
          }
          if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
            this.send(emptyMessage(MessageType.TimeoutNow, this.id, m.from, this.term));
          }
        }
        return OK;
      }
      case MessageType.HeartbeatResp: {
        pr.recentActive = true;
        if (m.index > pr.heartbeatAckTick) pr.heartbeatAckTick = m.index;
        pr.probeSent = false;
        if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirst();
        // an empty append at `next` also uncovers appends lost in flight (the follower rejects it)
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
        if (this.cfg.readOnlyOption !== 'safe' || m.context.byteLength === 0) return OK;
        const acks = this.readOnly.recvAck(m.from, m.context);
        if (!acks) return OK;
        let n = acks.has(this.id) ? 0 : 1; // the leader counts itself
        for (const id of this.trk.conf.voters) if (acks.has(id)) n++;
        if (n < Math.floor(this.trk.conf.voters.length / 2) + 1) return OK;
        for (const rs of this.readOnly.advance(m.context)) this.answerReadIndex(rs.request, rs.index);
        return OK;
      }
      case MessageType.SnapStatus:
        if (pr.state !== ProgressState.Snapshot) return OK;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        // wait for the follower's answer (or a heartbeat) before probing again
        pr.probeSent = true;
        return OK;
      case MessageType.Unreachable:
        if (pr.state === ProgressState.Replicate) pr.becomeProbe();
        return OK;
      case MessageType.TransferLeader: {
        if (pr.isLearner) return OK;
        const to = m.from;
        if (this.leadTransferee === to || to === this.id) return OK;
        this.leadTransferee = to;
        this.electionElapsed = 0;
        if (pr.match === this.log.lastIndex()) {
          this.send(emptyMessage(MessageType.TimeoutNow, this.id, to, this.term));
        } else {
          this.sendAppend(to, false);
        }
        return OK;
      }
      default:
        return OK;
    }
  }

  private leaderPropose(m: Message): ProposeResult {
    if (m.entries.length === 0) throw new RaftBug('empty proposal');
    if (!this.trk.progress.has(this.id)) return DROPPED('this member was removed from the cluster');
    if (this.leadTransferee !== NONE) return DROPPED(`leadership is being transferred to ${this.leadTransferee}`);
    for (const e of m.entries) {
      if (e.type !== EntryType.ConfChange) continue;
      if (this.pendingConfIndex > this.log.applied) {
        return DROPPED('a membership change is already in progress');
      }
      const cc = decodeConfChange(e.data);
      const next = applyConfChange(this.trk.conf, cc);
      if (next === this.trk.conf) return DROPPED('the change would leave the cluster without voters');
      this.pendingConfIndex = this.log.lastIndex() + 1;
    }
    this.appendEntries(m.entries);
    this.bcastAppend();
    return OK;
  }

  private leaderReadIndex(m: Message): void {
    if (this.trk.conf.voters.length === 1) {
      this.answerReadIndex(m, this.log.committed);
      return;
    }
    // The leader only knows the commit index once it has committed an entry of its own term.
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReadIndex.push(m);
      return;
    }
    this.serveReadIndex(m);
  }

  private serveReadIndex(m: Message): void {
    if (this.cfg.readOnlyOption === 'lease-based' && this.leaseValid()) {
      this.answerReadIndex(m, this.log.committed);
      return;
    }
    this.readOnly.add(this.log.committed, m);
    this.readOnly.recvAck(this.id, m.context);
    this.bcastHeartbeat(m.context);
  }

  /**
   * The leader lease: a follower that acknowledged a heartbeat sent at leader tick T refuses
   * votes (CheckQuorum's in-lease rule) until electionTick of its own ticks after receiving it,
   * so no other leader can exist before T + electionTick - 1 (one tick lost to tick phase)
   * anywhere a quorum acknowledged T. Another tick of margin covers our own tick phase. This
   * holds only if clocks run at about the same rate. A transfer we started voids the lease
   * (the transferee's vote request bypasses the in-lease rule).
   */
  private leaseValid(): boolean {
    if (this.leadTransferee !== NONE) return false;
    const acked = this.trk.conf.voters.map((id) =>
      id === this.id ? this.ticks : (this.trk.progress.get(id)?.heartbeatAckTick ?? -Infinity),
    );
    acked.sort((a, b) => b - a);
    const quorumTick = acked[Math.floor(acked.length / 2)] ?? -Infinity;
    return this.ticks < quorumTick + this.cfg.electionTick - 2;
  }

  private answerReadIndex(req: Message, index: number): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index, context: req.context });
    } else {
      const r = emptyMessage(MessageType.ReadIndexResp, this.id, req.from, this.term);
      r.index = index;
      r.context = req.context;
      this.send(r);
    }
  }

  private appendEntries(es: Entry[]): void {
    let li = this.log.lastIndex();
    const stamped = es.map((e) => ({ term: this.term, index: ++li, type: e.type, data: e.data }));
    this.log.append(stamped);
    // The leader counts its own log toward the majority: safe because the driver persists
    // the entries before any message that carries them leaves this node.
    this.trk.progress.get(this.id)?.maybeUpdate(li);
    this.maybeCommit();
  }

  private maybeCommit(): boolean {
    return this.log.maybeCommit(this.trk.committed(), this.term);
  }

  private bcastAppend(): void {
    for (const id of this.trk.progress.keys()) if (id !== this.id) this.sendAppend(id, true);
  }

  private bcastHeartbeat(context: Uint8Array | undefined): void {
    const ctx = context ?? this.readOnly.lastPending();
    for (const id of this.trk.progress.keys()) if (id !== this.id) this.sendHeartbeat(id, ctx ?? EMPTY);
  }

  private sendHeartbeat(to: NodeId, context: Uint8Array): void {
    const pr = this.trk.progress.get(to);
    if (!pr) return;
    const m = emptyMessage(MessageType.Heartbeat, this.id, to, this.term);
    // never tell a follower to commit past what it is known to have
    m.commit = Math.min(pr.match, this.log.committed);
    m.context = context;
    m.index = this.ticks; // echoed in the response: the lease is anchored at send time
    this.send(m);
  }

  /**
   * Sends the next AppendEntries (or the snapshot, if the follower needs compacted entries).
   * Returns true if a message was sent.
   */
  private sendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.trk.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    let prevTerm: number;
    let ents: Entry[];
    try {
      prevTerm = this.log.termOrThrow(prevIndex);
      ents = this.log.entriesFrom(pr.next, this.cfg.maxSizePerMsg);
    } catch (e) {
      if (e instanceof RaftError && e.code === RaftErrorCode.Compacted) return this.sendSnapshot(to);
      throw e;
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    const m = emptyMessage(MessageType.App, this.id, to, this.term);
    m.index = prevIndex;
    m.logTerm = prevTerm;
    m.entries = ents;
    m.commit = this.log.committed;
    this.send(m);
    let bytes = 0;
    for (const e of ents) bytes += e.data.byteLength;
    pr.sentEntries(ents.length, bytes, ents.length > 0 ? ents[ents.length - 1]!.index : prevIndex);
    return true;
  }

  private sendSnapshot(to: NodeId): boolean {
    const pr = this.trk.progress.get(to)!;
    if (!pr.recentActive) return false; // don't ship a snapshot to a member that may be down
    const snap = this.log.snapshot();
    if (snap.meta.index === 0) throw new RaftBug('need a snapshot but storage has none');
    const m = emptyMessage(MessageType.Snap, this.id, to, this.term);
    m.snapshot = snap;
    this.send(m);
    pr.becomeSnapshot(snap.meta.index);
    return true;
  }

  // ---- candidate / follower ---------------------------------------------------------------

  private stepCandidate(m: Message): ProposeResult {
    const myResp = this.role === Role.PreCandidate ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.Prop:
        return DROPPED('no leader (election in progress)');
      case MessageType.App:
        this.becomeFollower(m.term, m.from);
        this.handleAppend(m);
        return OK;
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return OK;
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return OK;
      case MessageType.PreVoteResp:
      case MessageType.VoteResp: {
        if (m.type !== myResp) return OK;
        this.trk.recordVote(m.from, !m.reject);
        const r = this.trk.tally();
        if (r === VoteResult.Won) {
          if (this.role === Role.PreCandidate) this.campaign_(false, false);
          else this.becomeLeader();
        } else if (r === VoteResult.Lost) {
          this.becomeFollower(this.term, NONE);
        }
        return OK;
      }
      case MessageType.ReadIndex:
        return OK;
      default:
        return OK;
    }
  }

  private stepFollower(m: Message): ProposeResult {
    switch (m.type) {
      case MessageType.Prop:
        if (this.lead === NONE) return DROPPED('no leader');
        if (this.cfg.disableProposalForwarding) return DROPPED(`not the leader (leader is ${this.lead})`);
        this.send({ ...m, to: this.lead, from: this.id });
        return OK;
      case MessageType.App:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppend(m);
        return OK;
      case MessageType.Heartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return OK;
      case MessageType.Snap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return OK;
      case MessageType.TransferLeader:
        if (this.lead === NONE) return OK;
        this.send({ ...m, to: this.lead });
        return OK;
      case MessageType.TimeoutNow:
        // The leader chose us: campaign at once, skipping pre-vote and the lease check.
        this.hup(true);
        return OK;
      case MessageType.ReadIndex:
        if (this.lead === NONE) return DROPPED('no leader');
        this.send({ ...m, to: this.lead, from: this.id });
        return OK;
      case MessageType.ReadIndexResp:
        this.readStates.push({ index: m.index, context: m.context });
        return OK;
      default:
        return OK;
    }
  }

  private handleAppend(m: Message): void {
    const r = emptyMessage(MessageType.AppResp, this.id, m.from, this.term);
    if (m.index < this.log.committed) {
      r.index = this.log.committed;
      this.send(r);
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      r.index = lastNew;
      this.send(r);
      return;
    }
    // Reject, with a hint that lets the leader skip all conflicting entries of a term at once.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    r.reject = true;
    r.index = m.index;
    r.rejectHint = hint.index;
    r.hintTerm = hint.term;
    this.send(r);
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    const r = emptyMessage(MessageType.HeartbeatResp, this.id, m.from, this.term);
    r.context = m.context;
    r.index = m.index;
    this.send(r);
  }

  private handleSnapshot(m: Message): void {
    const s = m.snapshot;
    const r = emptyMessage(MessageType.AppResp, this.id, m.from, this.term);
    if (!s) throw new RaftBug('snapshot message without a snapshot');
    if (this.restore(s)) {
      r.index = this.log.lastIndex();
    } else {
      r.index = this.log.committed;
    }
    this.send(r);
  }

  /**
   * Installs a snapshot from the leader. A snapshot whose configuration does not list us yet is
   * still taken: the entries after it carry the change that adds us.
   */
  private restore(s: Snapshot): boolean {
    const { index, term } = s.meta;
    if (index <= this.log.committed) return false;
    if (this.log.matchTerm(index, term)) {
      // we already have the entry: just fast-forward the commit index
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(s);
    this.trk.setConf(s.meta.conf, this.log.lastIndex() + 1);
    return true;
  }

  // ---- output -------------------------------------------------------------------------------

  private send(m: Message): void {
    if (isLocalMessage(m.type)) throw new RaftBug(`local message ${m.type} must not be sent`);
    // forwarded requests carry no term: they are valid in any term
    if (m.type === MessageType.Prop || m.type === MessageType.ReadIndex || m.type === MessageType.TransferLeader) m.term = 0;
    this.msgs.push(m);
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private softState(): SoftState {
    return { leader: this.lead, role: this.role };
  }

  hasReady(): boolean {
    if (this.readyInFlight) return false;
    const hs = this.hardState();
    const ss = this.softState();
    return (
      this.msgs.length > 0 ||
      this.readStates.length > 0 ||
      this.log.unstable.entries.length > 0 ||
      this.log.unstable.snapshot !== undefined ||
      this.log.hasNextCommitted(0) ||
      !hardStateEqual(hs, this.prevHardState) ||
      ss.leader !== this.prevSoftState.leader ||
      ss.role !== this.prevSoftState.role
    );
  }

  ready(): Ready {
    if (this.readyInFlight) throw new RaftBug('ready() called again before advance()');
    this.readyInFlight = true;
    const hs = this.hardState();
    const ss = this.softState();
    const snapshot = this.log.unstable.snapshot;
    const entries = this.log.unstable.entries.slice();
    const rd: Ready = {
      softState: ss.leader !== this.prevSoftState.leader || ss.role !== this.prevSoftState.role ? ss : undefined,
      hardState: hardStateEqual(hs, this.prevHardState) ? undefined : hs,
      entries,
      snapshot,
      committedEntries: this.log.nextCommitted(snapshot?.meta.index ?? 0),
      messages: this.msgs,
      readStates: this.readStates,
      mustSync:
        entries.length > 0 || hs.term !== this.prevHardState.term || hs.vote !== this.prevHardState.vote,
    };
    this.msgs = [];
    this.readStates = [];
    return rd;
  }

  advance(rd: Ready): void {
    if (!this.readyInFlight) throw new RaftBug('advance() without ready()');
    this.readyInFlight = false;
    if (rd.softState) this.prevSoftState = rd.softState;
    if (rd.hardState) this.prevHardState = rd.hardState;
    if (rd.snapshot) {
      this.log.unstable.stableSnapTo(rd.snapshot.meta.index);
      if (rd.snapshot.meta.index > this.log.applied) this.log.applied = rd.snapshot.meta.index;
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      this.log.unstable.stableTo(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) {
      const last = rd.committedEntries[rd.committedEntries.length - 1]!;
      if (last.index > this.log.applied) this.log.appliedTo(last.index);
      for (const e of rd.committedEntries) {
        if (e.type === EntryType.ConfChange) this.applyConfChange(decodeConfChange(e.data));
      }
    }
    if (this.role === Role.Leader) this.releasePendingReadIndex();
  }

  private releasePendingReadIndex(): void {
    if (this.pendingReadIndex.length === 0) return;
    if (this.log.term(this.log.committed) !== this.term) return;
    const pending = this.pendingReadIndex;
    this.pendingReadIndex = [];
    for (const m of pending) this.serveReadIndex(m);
  }

  private applyConfChange(cc: ConfChange): void {
    const next = applyConfChange(this.trk.conf, cc);
    if (next === this.trk.conf) return;
    this.trk.setConf(next, this.log.lastIndex() + 1);
    if (this.role !== Role.Leader) return;
    if (!this.trk.isVoter(this.id)) {
      // a leader removed (or demoted) by the change steps down; the others elect a new one
      this.becomeFollower(this.term, NONE);
      return;
    }
    if (this.leadTransferee !== NONE && !this.trk.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    // the quorum changed: commit may move, and new members need their first append
    if (this.maybeCommit()) this.bcastAppend();
    else for (const id of this.trk.progress.keys()) if (id !== this.id) this.sendAppend(id, true);
  }

  status(): RaftStatus {
    const progress = new Map<NodeId, { match: number; next: number; state: string }>();
    if (this.role === Role.Leader) {
      for (const [id, pr] of this.trk.progress) progress.set(id, { match: pr.match, next: pr.next, state: pr.state });
    }
    return {
      id: this.id,
      term: this.term,
      vote: this.vote,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      leader: this.lead,
      role: this.role,
      conf: { voters: [...this.trk.conf.voters], learners: [...this.trk.conf.learners] },
      progress,
      leadTransferee: this.leadTransferee,
    };
  }
}

function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
