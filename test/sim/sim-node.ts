// One simulated member: a Raft, its MemoryStorage (the "disk", which survives crashes), its
// state machine (volatile: rebuilt from the snapshot on restart) and the driver loop that
// carries out the Ready contract: persist -> send -> apply -> advance.

import type { RaftConfig } from '../../raft/core/config.js';
import type { ProposeResult, RaftStatus } from '../../raft/core/raft.js';
import type { ConfChange, Entry, Message, NodeId, ReadState, Ready, Snapshot } from '../../raft/core/types.js';
import type { MemoryStorage } from '../../raft/storage/memory-storage.js';
import type { Rng } from './rng.js';
import { SimStateMachine } from './state-machine.js';
import { InvariantViolation } from './violation.js';

/** The public surface of Raft the harness drives (a fake can stand in for plumbing tests). */
export interface RaftLike {
  tick(): void;
  step(m: Message): void;
  campaign(): void;
  propose(data: Uint8Array): ProposeResult;
  proposeConfChange(cc: ConfChange): ProposeResult;
  readIndex(context: Uint8Array): ProposeResult;
  transferLeadership(to: NodeId): void;
  reportUnreachable(id: NodeId): void;
  reportSnapshot(id: NodeId, ok: boolean): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(rd: Ready): void;
  status(): RaftStatus;
}

export type RaftFactory = (config: RaftConfig) => RaftLike;

/** Raft settings shared by every member of one run (the id, storage and random are per member). */
export type MemberSettings = Omit<RaftConfig, 'id' | 'storage' | 'random' | 'applied' | 'logger'>;

/** Where in the driver loop a crash strikes. */
export type CrashPoint = 'before-persist' | 'before-send' | 'before-apply';

/** What the driver reports to the cluster; the cluster checks invariants in these callbacks. */
export interface DriverHooks {
  /** Asked once per Ready: crash the member at this point of the loop, or carry on. */
  crashPoint(node: SimNode, rd: Ready): CrashPoint | undefined;
  /** The Ready's snapshot, entries and hard state are now durable; the log ended at lastBefore. */
  persisted(node: SimNode, rd: Ready, lastBefore: number): void;
  send(m: Message): void;
  /** The state machine was replaced by the snapshot's. */
  snapshotApplied(node: SimNode, snap: Snapshot): void;
  /** The state machine applied `e` (its applied index is now e.index). */
  applied(node: SimNode, e: Entry): void;
  readState(node: SimNode, rs: ReadState): void;
  crashed(node: SimNode, at: CrashPoint): void;
}

const MAX_READY_ROUNDS = 1000;

export class SimNode {
  raft: RaftLike | undefined;
  sm: SimStateMachine | undefined;
  /** Counts starts; messages and snapshot reports are matched to the incarnation that sent them. */
  incarnation = 0;
  /** Removed from the membership and shut down for good. */
  retired = false;

  constructor(
    readonly id: NodeId,
    /** Durable: survives crashes. */
    readonly storage: MemoryStorage,
  ) {}

  get up(): boolean {
    return this.raft !== undefined;
  }

  /**
   * Starts (or restarts) the member from its storage. The state machine is rebuilt from the
   * snapshot, so Raft is told applied = snapshot index and replays the committed entries after it.
   */
  start(factory: RaftFactory, settings: MemberSettings, rng: Rng): void {
    if (this.raft !== undefined) throw new Error(`node ${this.id} is already up`);
    const snap = this.storage.snapshot();
    this.sm = SimStateMachine.fromSnapshot(snap);
    const r = rng.fork();
    this.raft = factory({
      ...settings,
      id: this.id,
      storage: this.storage,
      random: () => r.next(),
      applied: snap.meta.index,
    });
    this.incarnation++;
  }

  /** Loses everything that is not in storage. */
  crash(): void {
    this.raft = undefined;
    this.sm = undefined;
  }

  /** Hands every pending Ready to the driver loop until the core has nothing more. */
  drain(hooks: DriverHooks): void {
    for (let i = 0; this.raft !== undefined && this.raft.hasReady(); i++) {
      if (i >= MAX_READY_ROUNDS) {
        throw new InvariantViolation('ready-converges', `node ${this.id} still hasReady() after ${i} rounds`);
      }
      this.handleReady(this.raft, hooks);
    }
  }

  private handleReady(raft: RaftLike, hooks: DriverHooks): void {
    const rd = raft.ready();
    const crash = hooks.crashPoint(this, rd);
    if (crash === 'before-persist') return this.crashAt(crash, hooks);

    // 1. persist: one atomic step (a crash loses all of it or none of it)
    const lastBefore = this.storage.lastIndex();
    if (rd.snapshot !== undefined && !this.storage.applySnapshot(rd.snapshot)) {
      throw new InvariantViolation(
        'ready-contract',
        `node ${this.id}: Ready.snapshot at ${rd.snapshot.meta.index} is not newer than storage's ${this.storage.snapshot().meta.index}`,
      );
    }
    this.storage.append(rd.entries);
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
    hooks.persisted(this, rd, lastBefore);
    if (crash === 'before-send') return this.crashAt(crash, hooks);

    // 2. send
    for (const m of rd.messages) hooks.send(m);
    if (crash === 'before-apply') return this.crashAt(crash, hooks);

    // 3. apply
    const sm = this.sm!;
    let current = sm;
    if (rd.snapshot !== undefined) {
      if (rd.snapshot.meta.index <= sm.applied) {
        throw new InvariantViolation(
          'ready-contract',
          `node ${this.id}: Ready.snapshot at ${rd.snapshot.meta.index} is not past applied ${sm.applied}`,
        );
      }
      current = SimStateMachine.fromSnapshot(rd.snapshot);
      this.sm = current;
      hooks.snapshotApplied(this, rd.snapshot);
    }
    for (const e of rd.committedEntries) {
      if (e.index !== current.applied + 1) {
        throw new InvariantViolation(
          'ready-contract',
          `node ${this.id}: committed entry ${e.index}/${e.term} handed out with applied at ${current.applied}`,
        );
      }
      current.apply(e);
      hooks.applied(this, e);
    }
    for (const rs of rd.readStates) hooks.readState(this, rs);

    // 4. advance
    raft.advance(rd);
  }

  private crashAt(at: CrashPoint, hooks: DriverHooks): void {
    this.crash();
    hooks.crashed(this, at);
  }
}

