// The space quota (etcd --quota-backend-bytes): a write that would take the store past the
// quota raises the NOSPACE alarm through the log and is refused with etcd's "database space
// exceeded". While the alarm is active every member refuses writes (the applier enforces it
// too, so a write proposed before the alarm cannot slip through); reads, deletes and
// compaction still work, and `etcdctl alarm disarm` lifts it once compaction made room.
import { AlarmRequest_AlarmAction, AlarmType } from '../../../proto/gen/etcd/etcdserverpb/rpc.js';
import type { StoreStateMachine } from '../apply/store-state-machine.js';
import { StoreError } from '../store-error.js';
import type { Proposer } from './proposer.js';

export class Quota {
  constructor(
    private readonly sm: StoreStateMachine,
    private readonly proposer: Proposer,
    private readonly memberId: number,
    /** Bytes; 0 = no quota. */
    readonly quotaBytes: number,
  ) {}

  /** The store's size as Status reports it (dbSize). */
  usedBytes(): number {
    return this.sm.mvcc.stats().approxBytes;
  }

  /** Throws "database space exceeded" if a write of `cost` bytes must be refused. */
  async check(cost: number): Promise<void> {
    if (this.sm.alarms.has(AlarmType.NOSPACE)) throw new StoreError('no-space');
    if (this.quotaBytes <= 0 || this.usedBytes() + cost <= this.quotaBytes) return;
    await this.raise();
    throw new StoreError('no-space');
  }

  /** Raises NOSPACE for this member (a no-op if it is already active). */
  async raise(): Promise<void> {
    await this.proposer.propose({ alarm: { action: AlarmRequest_AlarmAction.ACTIVATE, memberID: this.memberId, alarm: AlarmType.NOSPACE } });
  }
}
