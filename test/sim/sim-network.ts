// The simulated network: a virtual clock in ticks and the messages in flight. Every fault
// (delay, loss, duplication, partition) is decided by the seeded Rng, so a seed fixes the run.
// Reordering comes from random delays and from delivering a random message among those due.

import type { Message, NodeId } from '../../raft/core/types.js';
import { MessageType } from '../../raft/core/types.js';
import type { Rng } from './rng.js';

export interface NetworkFaults {
  /** Each copy of a message arrives 0..maxDelay ticks after it was sent. */
  maxDelay: number;
  /** Probability that a copy is lost. */
  dropRate: number;
  /**
   * Probability that a message is delivered twice. Never applied to Prop: a proposal is not
   * idempotent in Raft (deduplication is the application's job), and the harness checks that
   * every command is applied exactly once.
   */
  dupRate: number;
}

export const NO_FAULTS: NetworkFaults = { maxDelay: 0, dropRate: 0, dupRate: 0 };

export type LossReason = 'drop' | 'partition';

export interface InFlight {
  seq: number;
  msg: Message;
  sentAt: number;
  deliverAt: number;
  /** Set when the copy will never arrive; it still comes out of takeDue() so the cluster can
   *  report a failed snapshot or an unreachable peer to the sender. */
  lost: LossReason | undefined;
  duplicate: boolean;
  /** Set by the sender's side (the cluster): which incarnation of the sender sent it. */
  origin: number;
}

const linkKey = (from: NodeId, to: NodeId): number => from * 65536 + to;

export class SimNetwork {
  /** The virtual clock, in ticks. */
  now = 0;
  private seq = 0;
  private readonly due: InFlight[] = [];
  private readonly future = new Map<number, InFlight[]>();
  private inFuture = 0;
  private readonly blocked = new Set<number>();
  private partitionText = '';

  constructor(
    private readonly rng: Rng,
    public faults: NetworkFaults,
  ) {}

  /** Queues one message (and maybe a duplicate). The message is copied, as a real wire would. */
  send(m: Message): InFlight[] {
    const out = [this.enqueue(m, false)];
    if (m.type !== MessageType.Prop && this.rng.chance(this.faults.dupRate)) out.push(this.enqueue(m, true));
    return out;
  }

  private enqueue(m: Message, duplicate: boolean): InFlight {
    const msg: Message = { ...m, entries: m.entries.map((e) => ({ ...e })) };
    let lost: LossReason | undefined;
    if (this.isBlocked(m.from, m.to)) lost = 'partition';
    else if (this.rng.chance(this.faults.dropRate)) lost = 'drop';
    const delay = this.faults.maxDelay > 0 ? this.rng.int(this.faults.maxDelay + 1) : 0;
    const f: InFlight = { seq: ++this.seq, msg, sentAt: this.now, deliverAt: this.now + delay, lost, duplicate, origin: 0 };
    if (delay === 0) this.due.push(f);
    else {
      const list = this.future.get(f.deliverAt);
      if (list === undefined) this.future.set(f.deliverAt, [f]);
      else list.push(f);
      this.inFuture++;
    }
    return f;
  }

  /** Advances the clock one tick; messages whose time has come become due. */
  advance(): void {
    this.now++;
    const list = this.future.get(this.now);
    if (list !== undefined) {
      this.future.delete(this.now);
      this.inFuture -= list.length;
      for (const f of list) this.due.push(f);
    }
  }

  hasDue(): boolean {
    return this.due.length > 0;
  }

  get dueCount(): number {
    return this.due.length;
  }

  /** Removes and returns a random due message. A link cut since it was sent loses it now. */
  takeDue(): InFlight | undefined {
    if (this.due.length === 0) return undefined;
    const i = this.rng.int(this.due.length);
    const f = this.due[i]!;
    const lastF = this.due.pop()!;
    if (i < this.due.length) this.due[i] = lastF;
    if (f.lost === undefined && this.isBlocked(f.msg.from, f.msg.to)) f.lost = 'partition';
    return f;
  }

  get inFlight(): number {
    return this.due.length + this.inFuture;
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked.size > 0 && this.blocked.has(linkKey(from, to));
  }

  /** Nodes in different groups cannot talk (both directions). Replaces any earlier partition. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    this.blocked.clear();
    for (let a = 0; a < groups.length; a++) {
      for (let b = 0; b < groups.length; b++) {
        if (a === b) continue;
        for (const x of groups[a]!) for (const y of groups[b]!) this.blocked.add(linkKey(x, y));
      }
    }
    this.partitionText = groups.map((g) => `[${g.join(',')}]`).join('|');
  }

  /** Cuts one direction only: `from` can no longer reach `to` (asymmetric partition). */
  cut(from: NodeId, to: NodeId): void {
    this.blocked.add(linkKey(from, to));
    this.partitionText += ` ${from}-x->${to}`;
  }

  heal(): void {
    this.blocked.clear();
    this.partitionText = '';
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }

  describePartition(): string {
    return this.partitionText;
  }
}
