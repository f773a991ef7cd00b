// Automatic compaction on the leader (etcd --auto-compaction-mode/--auto-compaction-retention).
// - revision: keep the last `retention` revisions; checked every `pollMs` (etcd: 5 minutes).
// - periodic: keep `retention` milliseconds of history; the current revision is sampled every
//   tenth of the retention (at most hourly) and the store is compacted to the newest sample
//   that is at least `retention` old.
// Only the leader proposes; a compaction already done or a future revision is simply skipped.
import type { RaftNode } from '../../../raft/index.js';
import type { StoreStateMachine } from '../apply/store-state-machine.js';
import type { Proposer } from './proposer.js';

export interface AutoCompactorOptions {
  node: RaftNode;
  sm: StoreStateMachine;
  proposer: Proposer;
  mode: 'revision' | 'periodic';
  /** Revisions (revision mode) or milliseconds (periodic mode); 0 disables. */
  retention: number;
  /** Revision mode's check interval (default 5 minutes). */
  pollMs?: number;
  now?: () => number;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export class AutoCompactor {
  private timer: NodeJS.Timeout | undefined;
  private readonly samples: { at: number; revision: number }[] = [];
  private inFlight = false;
  private readonly now: () => number;

  constructor(private readonly o: AutoCompactorOptions) {
    this.now = o.now ?? (() => performance.now());
    if (o.retention <= 0) return;
    const every = o.mode === 'revision' ? (o.pollMs ?? 5 * 60_000) : Math.max(1000, Math.min(3_600_000, Math.floor(o.retention / 10)));
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One step; exposed for tests. */
  tick(): void {
    const now = this.now();
    if (this.o.mode === 'periodic') {
      this.samples.push({ at: now, revision: this.o.sm.mvcc.revision });
      while (this.samples.length > 20) this.samples.shift();
    }
    if (!this.o.node.isLeader || this.inFlight) return;
    const target = this.target(now);
    if (target === undefined || target <= this.o.sm.mvcc.compactRevision) return;
    this.inFlight = true;
    this.o.proposer
      .propose({ compaction: { revision: target, physical: false } })
      .then((r) => {
        if (r.ok) this.o.logger.info({ revision: target, mode: this.o.mode }, 'auto compaction: compacted');
      })
      .catch((e: unknown) => this.o.logger.warn({ err: (e as Error).message }, 'auto compaction failed'))
      .finally(() => {
        this.inFlight = false;
      });
  }

  private target(now: number): number | undefined {
    if (this.o.mode === 'revision') {
      const t = this.o.sm.mvcc.revision - this.o.retention;
      return t > 0 ? t : undefined;
    }
    let best: number | undefined;
    for (const s of this.samples) if (now - s.at >= this.o.retention) best = s.revision;
    return best;
  }
}
