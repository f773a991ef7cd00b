import { randomInt } from 'node:crypto';
import type { RaftConfig } from '../core/config.js';
import { Raft } from '../core/raft.js';
import { applyConfChange as nextConf, decodeConfChange } from '../core/conf-change.js';
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId, Ready, Snapshot } from '../core/types.js';
import { EMPTY, EntryType, NONE, Role } from '../core/types.js';
import type { MemoryStorage } from '../storage/memory-storage.js';
import { counterOf, payloadOf, wrap } from './envelope.js';
import { NodeError, NodeErrorCode } from './errors.js';
import type { NodeStorage } from './node-storage.js';
import type { NodeTransport } from './node-transport.js';

/**
 * The application's replicated state. Rules:
 * - `apply` gets committed entries in log order, each exactly once per incarnation of the
 *   state machine, and must be deterministic: every member reaches the same state from the
 *   same entries. The entries carry the application's payload only (the proposal id is
 *   removed); the leader's empty entries and membership changes are not passed.
 * - `snapshot` returns the state after the last applied entry; `restore` replaces the whole
 *   state with one (on start from a snapshot on disk, or when the leader sends one).
 */
export interface StateMachine {
  apply(entries: Entry[]): void | Promise<void>;
  snapshot(): Uint8Array;
  restore(data: Uint8Array): void;
  /**
   * A committed membership change, in log order with `apply` (entries before it were applied
   * first). `conf` is the membership after it. Here the application records the member's
   * details (from `cc.context`) and adds or removes transport peers.
   */
  applyConfChange?(cc: ConfChange, conf: ConfState, index: number): void;
}

export interface NodeLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** The core's settings that the driver does not own (storage, id and applied index are the driver's). */
export type CoreOptions = Omit<RaftConfig, 'id' | 'storage' | 'random' | 'applied' | 'logger'> & {
  /** Seeded source in [0, 1) for election timeouts; default: a crypto-random one. */
  random?: () => number;
};

export interface RaftNodeOptions {
  id: NodeId;
  /** The log: DurableStorage (snapshot files + WAL), or MemoryNodeStorage in tests. */
  storage: NodeStorage;
  transport: NodeTransport;
  stateMachine: StateMachine;
  raftConfig?: CoreOptions;
  /** Milliseconds per logical tick (default 100: with electionTick 10 a 1-2 s election timeout). */
  tickMs?: number;
  /** Take a snapshot once this many entries were applied since the last one (default 10000). */
  snapshotEvery?: number;
  /** Entries kept in the log behind a snapshot so slow followers catch up without one (default 5000). */
  snapshotKeep?: number;
  /** Default deadline of propose, readIndex and transferLeadership (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * Lets a leader send a batch's messages while its own write of the batch is still running
   * (Raft thesis §10.2.1; etcd does this), so a commit waits for max(leader, follower) fsync
   * instead of their sum. Safe because the core hands out nothing that depends on the new
   * entries being committed (applies, commit indexes in messages, read states) before the
   * next batch, and the loop asks for that only after this batch is on disk; batches that
   * change term or vote, or carry a snapshot, are still written first. Off by default: it
   * relaxes the persist-then-send order of the Ready contract in raft/core/types.ts.
   */
  leaderSendsBeforePersist?: boolean;
  logger?: NodeLogger;
}

export interface NodeStatus {
  id: NodeId;
  state: NodeState;
  role: Role;
  leader: NodeId;
  term: number;
  vote: NodeId;
  commit: number;
  applied: number;
  lastIndex: number;
  snapshotIndex: number;
  voters: NodeId[];
  learners: NodeId[];
  /** Leader only: replication state of every member. */
  progress: Record<string, { match: number; next: number; state: string }>;
}

export interface LeaderChange {
  leader: NodeId;
  term: number;
  role: Role;
}

export const NodeState = {
  Created: 'created',
  Running: 'running',
  Stopped: 'stopped',
  Failed: 'failed',
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export interface RequestOptions {
  timeoutMs?: number;
}

interface PendingProposal {
  counter: number;
  resolve: (r: { index: number }) => void;
  reject: (e: NodeError) => void;
  timer: NodeJS.Timeout;
  /** The index the entry got in our log, once it was persisted here (0: not seen yet). */
  index: number;
}

interface ReadWaiter {
  resolve: () => void;
  reject: (e: NodeError) => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

const NO_LOGGER: NodeLogger = { info() {}, warn() {}, error() {} };

/**
 * Drives a Raft core: ticks it on a timer, feeds it the transport's messages, and runs one
 * loop that handles Ready batches strictly one after another: persist → send → apply →
 * advance. While a batch is being persisted, new proposals and messages accumulate in the core
 * and leave together in the next batch (one fsync for all of them): that is what makes
 * throughput grow with the number of proposals in flight.
 *
 * Invariants:
 * - Nothing a Ready asks to persist leaves this node (as a message) before it is on disk.
 * - Committed entries are applied in order, each once; `applied` only grows.
 * - A proposal resolves only after its entry was applied here; it rejects with Lost only when
 *   its entry was overwritten in this node's log (it can then never be applied).
 */
export class RaftNode {
  readonly id: NodeId;
  private readonly raft: Raft;
  private readonly log: MemoryStorage;
  private readonly storage: NodeStorage;
  private readonly transport: NodeTransport;
  private readonly sm: StateMachine;
  private readonly logger: NodeLogger;
  private readonly tickMs: number;
  private readonly snapshotEvery: number;
  private readonly snapshotKeep: number;
  private readonly requestTimeoutMs: number;
  private readonly electionTimeoutMs: number;
  private readonly leaderSendsBeforePersist: boolean;

  private state: NodeState = NodeState.Created;
  private ticker: NodeJS.Timeout | undefined;
  private kickPending = false;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private failure: NodeError | undefined;

  private applied: number;
  /** Term and vote as last persisted. */
  private term: number;
  private vote: NodeId;
  private leader: NodeId = NONE;
  private role: Role = Role.Follower;
  private lastSnapshotIndex: number;
  /** A commit-only hard state change: it needs no fsync and rides along with the next write. */
  private unsavedHardState: HardState | undefined;

  private readonly incarnation = randomInt(1, 2 ** 32 - 1);
  private proposalCounter = 0;
  private readonly proposals = new Map<number, PendingProposal>();
  /** The highest log index a pending proposal was seen at (to detect overwrites cheaply). */
  private maxRecordedIndex = 0;

  private readCounter = 0;
  private readQueue: ReadWaiter[] = [];
  private readRound: { ctx: Uint8Array; waiters: ReadWaiter[]; retry: NodeJS.Timeout } | undefined;
  private readsAwaitingApply: { index: number; waiters: ReadWaiter[] }[] = [];

  /** Membership as of `applied` (snapshot's, then each applied change). */
  private conf: ConfState;
  private confWaiter:
    | { cc: ConfChange; resolve: (r: { index: number }) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
    | undefined;

  private readonly leaderListeners = new Set<(c: LeaderChange) => void>();
  private readonly failureListeners = new Set<(e: NodeError) => void>();

  constructor(opts: RaftNodeOptions) {
    this.id = opts.id;
    this.storage = opts.storage;
    this.log = opts.storage.storage;
    this.transport = opts.transport;
    this.sm = opts.stateMachine;
    this.logger = opts.logger ?? NO_LOGGER;
    this.tickMs = opts.tickMs ?? 100;
    this.snapshotEvery = opts.snapshotEvery ?? 10_000;
    this.snapshotKeep = opts.snapshotKeep ?? 5_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.leaderSendsBeforePersist = opts.leaderSendsBeforePersist ?? false;
    for (const [name, v] of [
      ['tickMs', this.tickMs],
      ['snapshotEvery', this.snapshotEvery],
      ['requestTimeoutMs', this.requestTimeoutMs],
    ] as const) {
      if (!Number.isFinite(v) || v <= 0) throw new RangeError(`raft node: ${name} must be > 0, got ${v}`);
    }
    if (!Number.isInteger(this.snapshotKeep) || this.snapshotKeep < 0) {
      throw new RangeError(`raft node: snapshotKeep must be an integer >= 0, got ${this.snapshotKeep}`);
    }
    const { random, ...core } = opts.raftConfig ?? {};
    const snap = this.log.snapshot();
    // The state machine lives in memory: it starts from the snapshot on disk, and the core hands
    // out the committed entries after it again.
    if (snap.meta.index > 0) this.sm.restore(snap.data);
    this.conf = { voters: [...snap.meta.conf.voters], learners: [...snap.meta.conf.learners] };
    this.applied = snap.meta.index;
    this.lastSnapshotIndex = snap.meta.index;
    const hs = this.log.initialState().hardState;
    this.term = hs.term;
    this.vote = hs.vote;
    this.raft = new Raft({
      ...core,
      id: opts.id,
      storage: this.log,
      applied: snap.meta.index,
      random: random ?? (() => randomInt(0, 2 ** 48 - 1) / 2 ** 48),
      logger: this.logger,
    });
    this.electionTimeoutMs = (core.electionTick ?? 10) * this.tickMs;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.state !== NodeState.Created) throw new NodeError(NodeErrorCode.Stopped, `raft node ${this.id}: start() called twice`);
    this.state = NodeState.Running;
    this.transport.onMessage((m) => this.onMessage(m));
    this.transport.onUnreachable((id) => this.input(() => this.raft.reportUnreachable(id)));
    this.transport.onSnapshotStatus((id, ok) => this.input(() => this.raft.reportSnapshot(id, ok)));
    try {
      await this.transport.start();
    } catch (e) {
      this.state = NodeState.Failed;
      this.failure = new NodeError(NodeErrorCode.Failed, `raft node ${this.id}: the transport did not start: ${(e as Error).message}`, { cause: e });
      throw this.failure;
    }
    this.ticker = setInterval(() => this.input(() => this.raft.tick()), this.tickMs);
    this.logger.info(`raft node ${this.id}: started (term ${this.term}, applied ${this.applied}, last index ${this.log.lastIndex()})`);
    this.kick();
  }

  /**
   * Stops the node. A leader first hands leadership to its most up-to-date follower (bounded by
   * an election timeout) so the cluster does not wait for an election. Pending proposals and
   * reads reject with Stopped; the transport and the storage are closed.
   */
  stop(opts: { transferLeadership?: boolean } = {}): Promise<void> {
    this.stopping ??= this.doStop(opts.transferLeadership ?? true);
    return this.stopping;
  }

  private async doStop(transfer: boolean): Promise<void> {
    if (transfer && this.state === NodeState.Running && this.role === Role.Leader) {
      const target = this.bestFollower();
      if (target !== NONE) {
        try {
          await this.transferLeadership(target, { timeoutMs: this.electionTimeoutMs });
          this.logger.info(`raft node ${this.id}: handed leadership to ${target} before stopping`);
        } catch (e) {
          this.logger.warn(`raft node ${this.id}: leadership transfer to ${target} failed: ${(e as Error).message}`);
        }
      }
    }
    const wasRunning = this.state === NodeState.Running;
    if (this.state !== NodeState.Failed) this.state = NodeState.Stopped;
    this.halt(new NodeError(NodeErrorCode.Stopped, `raft node ${this.id} stopped`));
    await this.loop;
    if (wasRunning && this.unsavedHardState) {
      try {
        await this.storage.save({ hardState: this.unsavedHardState, entries: [] });
        this.unsavedHardState = undefined;
      } catch (e) {
        this.logger.warn(`raft node ${this.id}: saving the last commit index failed: ${(e as Error).message}`);
      }
    }
    for (const [what, close] of [
      ['transport', () => this.transport.close()],
      ['storage', () => this.storage.close()],
    ] as const) {
      try {
        await close();
      } catch (e) {
        this.logger.warn(`raft node ${this.id}: closing the ${what}: ${(e as Error).message}`);
      }
    }
    this.logger.info(`raft node ${this.id}: stopped`);
  }

  private bestFollower(): NodeId {
    const st = this.raft.status();
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of st.conf.voters) {
      if (id === this.id) continue;
      const m = st.progress.get(id)?.match ?? 0;
      if (m > bestMatch) {
        best = id;
        bestMatch = m;
      }
    }
    return best;
  }

  /** Stops timers and rejects everything pending; the Ready loop ends after its current batch. */
  private halt(err: NodeError): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    for (const p of this.proposals.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.proposals.clear();
    if (this.confWaiter) {
      clearTimeout(this.confWaiter.timer);
      this.confWaiter.reject(err);
      this.confWaiter = undefined;
    }
    const waiters = [...this.readQueue, ...(this.readRound?.waiters ?? []), ...this.readsAwaitingApply.flatMap((r) => r.waiters)];
    if (this.readRound) clearTimeout(this.readRound.retry);
    this.readQueue = [];
    this.readRound = undefined;
    this.readsAwaitingApply = [];
    for (const w of waiters) this.finishRead(w, err);
  }

  /** A write or apply failed: the node cannot go on without risking its log. */
  private fail(cause: unknown): void {
    if (this.state === NodeState.Failed) return;
    const err = new NodeError(NodeErrorCode.Failed, `raft node ${this.id} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.failure = err;
    this.state = NodeState.Failed;
    this.logger.error(err.message);
    this.halt(err);
    Promise.resolve()
      .then(() => this.transport.close())
      .catch((e: unknown) => this.logger.warn(`raft node ${this.id}: closing the transport: ${(e as Error).message}`));
    for (const h of this.failureListeners) h(err);
  }

  onFailure(h: (e: NodeError) => void): () => void {
    this.failureListeners.add(h);
    return () => this.failureListeners.delete(h);
  }

  onLeaderChange(h: (c: LeaderChange) => void): () => void {
    this.leaderListeners.add(h);
    return () => this.leaderListeners.delete(h);
  }

  // ---- inputs -------------------------------------------------------------------------------

  private input(f: () => void): void {
    if (this.state !== NodeState.Running) return;
    try {
      f();
    } catch (e) {
      this.fail(e);
      return;
    }
    this.kick();
  }

  private onMessage(m: Message): void {
    if (m.to !== this.id) {
      this.logger.warn(`raft node ${this.id}: dropped a message for ${m.to} from ${m.from}`);
      return;
    }
    this.input(() => this.raft.step(m));
  }

  /** Starts an election now (e.g. to bootstrap a single-member cluster without waiting). */
  campaign(): void {
    this.input(() => this.raft.campaign());
  }

  /**
   * Proposes `data` and resolves once the entry is applied on this node, with its log index.
   * Rejects with Dropped (no leader, transfer in progress), Lost (overwritten by a new leader),
   * Timeout (outcome unknown: it may still commit), Unknown or Stopped.
   */
  propose(data: Uint8Array, opts: RequestOptions = {}): Promise<{ index: number }> {
    if (this.state !== NodeState.Running) return Promise.reject(this.notRunning());
    const counter = (this.proposalCounter = (this.proposalCounter + 1) >>> 0);
    return new Promise((resolve, reject) => {
      const entry = wrap(this.incarnation, counter, data);
      let r;
      try {
        r = this.raft.propose(entry);
      } catch (e) {
        this.fail(e);
        reject(this.notRunning());
        return;
      }
      if (!r.ok) {
        reject(new NodeError(NodeErrorCode.Dropped, `proposal dropped by member ${this.id}: ${r.reason}`));
        return;
      }
      const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
      const timer = setTimeout(() => {
        if (this.proposals.delete(counter)) {
          reject(new NodeError(NodeErrorCode.Timeout, `proposal not applied within ${timeoutMs} ms (it may still be committed)`));
        }
      }, timeoutMs);
      this.proposals.set(counter, { counter, resolve, reject, timer, index: 0 });
      this.kick();
    });
  }

  /**
   * Resolves once this node's state machine has applied everything committed when the call
   * was made (a linearizable read point, confirmed by a heartbeat round of the leader). Reads
   * that arrive while a round is in flight share the next round.
   */
  readIndex(opts: RequestOptions = {}): Promise<void> {
    if (this.state !== NodeState.Running) return Promise.reject(this.notRunning());
    return new Promise((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
      const w: ReadWaiter = {
        resolve,
        reject,
        done: false,
        timer: setTimeout(() => this.finishRead(w, new NodeError(NodeErrorCode.Timeout, `read index not reached within ${timeoutMs} ms`)), timeoutMs),
      };
      this.readQueue.push(w);
      if (!this.readRound) this.issueReadRound();
    });
  }

  private issueReadRound(): void {
    const waiters = this.readQueue.filter((w) => !w.done);
    this.readQueue = [];
    if (waiters.length === 0) return;
    this.readCounter = (this.readCounter + 1) >>> 0;
    const ctx = wrap(this.incarnation, this.readCounter, EMPTY);
    let r;
    try {
      r = this.raft.readIndex(ctx);
    } catch (e) {
      this.fail(e);
      return;
    }
    if (!r.ok) {
      const err = new NodeError(NodeErrorCode.Dropped, `read index dropped by member ${this.id}: ${r.reason}`);
      for (const w of waiters) this.finishRead(w, err);
      return;
    }
    // A forwarded request or its answer can be lost: ask again with a fresh context.
    const retry = setTimeout(() => {
      if (this.readRound?.ctx !== ctx) return;
      this.readQueue = this.readRound.waiters.concat(this.readQueue);
      this.readRound = undefined;
      this.issueReadRound();
    }, this.electionTimeoutMs);
    this.readRound = { ctx, waiters, retry };
    this.kick();
  }

  private finishRead(w: ReadWaiter, err?: NodeError): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    if (err) w.reject(err);
    else w.resolve();
  }

  /**
   * Hands leadership to `to`; resolves once this node sees `to` lead. Only the leader can do
   * this: the core would forward the request from a follower with the transferee as sender,
   * which the transports refuse (a member only sends messages from itself).
   */
  transferLeadership(to: NodeId, opts: RequestOptions = {}): Promise<void> {
    if (this.state !== NodeState.Running) return Promise.reject(this.notRunning());
    if (this.leader === to) return Promise.resolve();
    if (this.role !== Role.Leader) {
      const who = this.leader === NONE ? 'no leader is known' : `the leader is member ${this.leader}`;
      return Promise.reject(new NodeError(NodeErrorCode.Dropped, `member ${this.id} cannot transfer leadership: only the leader can (${who})`));
    }
    return new Promise((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
      const off = this.onLeaderChange((c) => {
        if (c.leader !== to) return;
        off();
        clearTimeout(timer);
        resolve();
      });
      const timer = setTimeout(() => {
        off();
        reject(new NodeError(NodeErrorCode.Timeout, `leadership did not move to ${to} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.input(() => this.raft.transferLeadership(to));
    });
  }

  status(): NodeStatus {
    const s = this.raft.status();
    const progress: NodeStatus['progress'] = {};
    for (const [id, p] of s.progress) progress[String(id)] = p;
    return {
      id: this.id,
      state: this.state,
      role: s.role,
      leader: s.leader,
      term: s.term,
      vote: s.vote,
      commit: s.commit,
      applied: this.applied,
      lastIndex: s.lastIndex,
      snapshotIndex: this.log.snapshot().meta.index,
      voters: s.conf.voters,
      learners: s.conf.learners,
      progress,
    };
  }

  get isLeader(): boolean {
    return this.role === Role.Leader;
  }

  get leaderId(): NodeId {
    return this.leader;
  }

  private notRunning(): NodeError {
    if (this.failure) return this.failure;
    return new NodeError(NodeErrorCode.Stopped, `raft node ${this.id} is ${this.state}`);
  }

  // ---- the Ready loop -------------------------------------------------------------------------

  /** Schedules the loop after the current I/O callbacks, so their work lands in one batch. */
  private kick(): void {
    if (this.loop || this.kickPending || this.state !== NodeState.Running) return;
    this.kickPending = true;
    setImmediate(this.runLoop);
  }

  private readonly runLoop = (): void => {
    this.kickPending = false;
    if (this.loop || this.state !== NodeState.Running) return;
    this.loop = this.drain()
      .catch((e: unknown) => this.fail(e))
      .finally(() => {
        this.loop = undefined;
      });
  };

  private async drain(): Promise<void> {
    while (this.state === NodeState.Running && this.raft.hasReady()) {
      const rd = this.raft.ready();
      await this.handleReady(rd);
      this.raft.advance(rd);
      if (this.applied - this.lastSnapshotIndex >= this.snapshotEvery) await this.takeSnapshot();
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    const sendFirst =
      this.leaderSendsBeforePersist &&
      rd.messages.length > 0 &&
      (rd.softState?.role ?? this.role) === Role.Leader &&
      rd.snapshot === undefined &&
      (rd.hardState === undefined || (rd.hardState.term === this.term && rd.hardState.vote === this.vote));
    if (sendFirst) this.transport.send(rd.messages);

    // 1. persist: snapshot, entries, hard state. Term and vote changes and new entries are
    // fsynced (mustSync); a commit-only change rides along with the next write.
    if (rd.mustSync || rd.snapshot || rd.entries.length > 0) {
      const hardState = rd.hardState ?? this.unsavedHardState;
      await this.storage.save({
        entries: rd.entries,
        ...(hardState ? { hardState } : {}),
        ...(rd.snapshot ? { snapshot: rd.snapshot } : {}),
      });
      this.unsavedHardState = undefined;
    } else if (rd.hardState) {
      this.unsavedHardState = rd.hardState;
    }
    if (this.state !== NodeState.Running) return;
    // save() applied the batch to the log the core reads; a deferred commit is applied here.
    if (rd.hardState) {
      this.log.setHardState(rd.hardState);
      this.term = rd.hardState.term;
      this.vote = rd.hardState.vote;
    }
    if (rd.entries.length > 0) this.trackPersisted(rd.entries);

    // 2. send: everything the messages depend on is on disk now.
    if (rd.messages.length > 0 && !sendFirst) this.transport.send(rd.messages);

    // 3. apply: the snapshot first, then the committed entries after it.
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    if (rd.committedEntries.length > 0) await this.applyEntries(rd.committedEntries);
    for (const rs of rd.readStates) this.onReadState(rs.index, rs.context);
    if (rd.softState) this.onSoftState(rd.softState.leader, rd.softState.role);
  }

  /** Records where our proposals landed in the log; a proposal whose slot was overwritten is lost. */
  private trackPersisted(entries: Entry[]): void {
    const first = entries[0]!.index;
    if (this.proposals.size === 0) return;
    if (first <= this.maxRecordedIndex) {
      // Part of the log was replaced: every proposal recorded from `first` on is gone unless
      // this batch carries it again at the same index.
      for (const p of this.proposals.values()) {
        if (p.index < first) continue;
        const e = entries[p.index - first];
        if (e && counterOf(this.incarnation, e.data) === p.counter) continue;
        this.settleProposal(p, new NodeError(NodeErrorCode.Lost, `entry ${p.index} was overwritten by a new leader (leadership changed before it committed)`));
      }
    }
    for (const e of entries) {
      const c = counterOf(this.incarnation, e.data);
      if (c === undefined) continue;
      const p = this.proposals.get(c);
      if (!p) continue;
      p.index = e.index;
      if (e.index > this.maxRecordedIndex) this.maxRecordedIndex = e.index;
    }
  }

  private installSnapshot(snap: Snapshot): void {
    this.sm.restore(snap.data);
    this.conf = { voters: [...snap.meta.conf.voters], learners: [...snap.meta.conf.learners] };
    this.applied = snap.meta.index;
    this.lastSnapshotIndex = snap.meta.index;
    this.logger.info(`raft node ${this.id}: installed snapshot at ${snap.meta.index} (term ${snap.meta.term})`);
    for (const p of this.proposals.values()) {
      if (p.index === 0) continue;
      if (p.index <= snap.meta.index) {
        this.settleProposal(p, new NodeError(NodeErrorCode.Unknown, `entry ${p.index} was covered by a snapshot from the leader: it may or may not have been applied`));
      } else {
        p.index = 0; // dropped from our log with everything after the snapshot
      }
    }
    this.maxRecordedIndex = 0;
    for (const p of this.proposals.values()) this.maxRecordedIndex = Math.max(this.maxRecordedIndex, p.index);
    this.releaseReads();
  }

  private async applyEntries(entries: Entry[]): Promise<void> {
    let forSm: Entry[] = [];
    const mine: { p: PendingProposal; index: number }[] = [];
    for (const e of entries) {
      if (e.index <= this.applied) continue;
      if (e.type === EntryType.ConfChange) {
        // keep log order: everything before the change is applied first
        if (forSm.length > 0) await this.sm.apply(forSm);
        forSm = [];
        this.applyMembershipChange(decodeConfChange(e.data), e.index);
        continue;
      }
      if (e.data.byteLength === 0) continue;
      forSm.push({ term: e.term, index: e.index, type: e.type, data: payloadOf(e.data) });
      const c = counterOf(this.incarnation, e.data);
      if (c === undefined) continue;
      const p = this.proposals.get(c);
      if (p) mine.push({ p, index: e.index });
    }
    if (forSm.length > 0) await this.sm.apply(forSm);
    this.applied = Math.max(this.applied, entries[entries.length - 1]!.index);
    for (const { p, index } of mine) {
      if (!this.proposals.delete(p.counter)) continue;
      clearTimeout(p.timer);
      p.resolve({ index });
    }
    this.releaseReads();
  }

  private applyMembershipChange(cc: ConfChange, index: number): void {
    this.conf = nextConf(this.conf, cc);
    this.sm.applyConfChange?.(cc, this.conf, index);
    const w = this.confWaiter;
    if (w && w.cc.type === cc.type && w.cc.node === cc.node) {
      this.confWaiter = undefined;
      clearTimeout(w.timer);
      w.resolve({ index });
    }
  }

  /**
   * Proposes a membership change (one at a time) and resolves once it is applied here.
   * Rejects with Dropped when another change is still in progress or this member does not
   * lead, Timeout when it was not applied in time (it may still be).
   */
  proposeConfChange(cc: ConfChange, opts: RequestOptions = {}): Promise<{ index: number }> {
    if (this.state !== NodeState.Running) return Promise.reject(this.notRunning());
    if (this.confWaiter) return Promise.reject(new NodeError(NodeErrorCode.Dropped, 'another membership change is in progress'));
    return new Promise((resolve, reject) => {
      const r = this.raft.proposeConfChange(cc);
      if (!r.ok) {
        reject(new NodeError(NodeErrorCode.Dropped, `membership change dropped by member ${this.id}: ${r.reason}`));
        return;
      }
      const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
      const timer = setTimeout(() => {
        if (this.confWaiter?.timer === timer) this.confWaiter = undefined;
        reject(new NodeError(NodeErrorCode.Timeout, `membership change not applied within ${timeoutMs} ms (it may still be)`));
      }, timeoutMs);
      this.confWaiter = { cc, resolve, reject, timer };
      this.kick();
    });
  }

  /** The membership as of the last applied entry. */
  membership(): ConfState {
    return { voters: [...this.conf.voters], learners: [...this.conf.learners] };
  }

  private settleProposal(p: PendingProposal, err: NodeError): void {
    if (!this.proposals.delete(p.counter)) return;
    clearTimeout(p.timer);
    p.reject(err);
  }

  private onReadState(index: number, ctx: Uint8Array): void {
    const round = this.readRound;
    if (!round || !bytesEqual(round.ctx, ctx)) return; // an answer to a round we gave up on
    clearTimeout(round.retry);
    this.readRound = undefined;
    this.readsAwaitingApply.push({ index, waiters: round.waiters });
    this.releaseReads();
    if (this.readQueue.length > 0) this.issueReadRound();
  }

  private releaseReads(): void {
    if (this.readsAwaitingApply.length === 0) return;
    const still: { index: number; waiters: ReadWaiter[] }[] = [];
    for (const r of this.readsAwaitingApply) {
      if (r.index <= this.applied) for (const w of r.waiters) this.finishRead(w);
      else still.push(r);
    }
    this.readsAwaitingApply = still;
  }

  private onSoftState(leader: NodeId, role: Role): void {
    const changed = leader !== this.leader;
    const prevRole = this.role;
    this.leader = leader;
    this.role = role;
    if (prevRole === Role.Leader && role !== Role.Leader) {
      this.logger.info(`raft node ${this.id}: lost leadership in term ${this.term}`);
    }
    if (!changed) return;
    this.logger.info(`raft node ${this.id}: leader is ${leader === NONE ? 'unknown' : leader} in term ${this.term} (${role})`);
    const c: LeaderChange = { leader, term: this.term, role };
    for (const h of [...this.leaderListeners]) {
      try {
        h(c);
      } catch (e) {
        this.logger.warn(`raft node ${this.id}: leader-change listener threw: ${(e as Error).message}`);
      }
    }
    // A read round sent to a leader that is gone will not be answered: ask the new one.
    if (this.readRound && leader !== NONE) {
      clearTimeout(this.readRound.retry);
      this.readQueue = this.readRound.waiters.concat(this.readQueue);
      this.readRound = undefined;
      this.issueReadRound();
    }
  }

  private async takeSnapshot(): Promise<void> {
    const index = this.applied;
    const conf = this.raft.status().conf;
    const snap = this.log.createSnapshot(index, conf, this.sm.snapshot(), this.snapshotKeep);
    this.lastSnapshotIndex = index;
    await this.storage.saveSnapshotAndCompact(snap);
    this.logger.info(`raft node ${this.id}: snapshot at ${index}, log now starts at ${this.log.firstIndex()}`);
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
