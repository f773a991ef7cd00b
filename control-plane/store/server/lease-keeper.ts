// Runs the lease clock on the leader: starts it on promotion (extending every remaining TTL),
// follows grants and revokes as they are applied, renews on keepalive, and proposes a revoke
// through the log for each lease that expires (the leader is the only member that expires
// leases; followers only apply the revokes). It also checkpoints remaining TTLs into the log
// now and then, so a new leader resumes from them instead of restarting full TTLs.
import type { RaftNode } from '../../../raft/index.js';
import type { AppliedEntry, StoreStateMachine } from '../apply/store-state-machine.js';
import { StoreError } from '../store-error.js';
import { LeaseClock } from './lease-clock.js';
import type { Proposer } from './proposer.js';

export interface LeaseKeeperOptions {
  node: RaftNode;
  sm: StoreStateMachine;
  proposer: Proposer;
  /** Added to every remaining TTL on promotion (etcd: one election timeout). */
  extendMs: number;
  /** How often the leader looks for expired leases. */
  checkIntervalMs?: number;
  /** How often the leader records remaining TTLs in the log (etcd: 5 min). */
  checkpointIntervalMs?: number;
  /** Revokes in flight at once (bounds the burst when many leases expire together). */
  maxRevokesInFlight?: number;
  now?: () => number;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface TimeToLive {
  /** Seconds left; -1 if the lease is unknown or expired. */
  ttl: number;
  grantedTtl: number;
  keys: Uint8Array[];
}

export class LeaseKeeper {
  private readonly clock = new LeaseClock();
  private readonly node: RaftNode;
  private readonly sm: StoreStateMachine;
  private readonly proposer: Proposer;
  private readonly extendMs: number;
  private readonly maxRevokesInFlight: number;
  private readonly now: () => number;
  private readonly logger: LeaseKeeperOptions['logger'];
  private readonly revoking = new Set<number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly offs: (() => void)[] = [];
  private stopped = false;

  constructor(o: LeaseKeeperOptions) {
    this.node = o.node;
    this.sm = o.sm;
    this.proposer = o.proposer;
    this.extendMs = o.extendMs;
    this.maxRevokesInFlight = o.maxRevokesInFlight ?? 16;
    this.now = o.now ?? (() => performance.now());
    this.logger = o.logger;
    this.offs.push(
      o.node.onLeaderChange((c) => this.onLeaderChange(c.leader)),
      o.sm.onApplied((a) => this.onApplied(a)),
      o.sm.onRestored(() => {
        if (this.clock.isPrimary) this.promote();
      }),
    );
    const check = setInterval(() => this.expireDue(), o.checkIntervalMs ?? 500);
    const checkpoint = setInterval(() => this.checkpoint(), o.checkpointIntervalMs ?? 5 * 60_000);
    check.unref();
    checkpoint.unref();
    this.timers.push(check, checkpoint);
  }

  get isPrimary(): boolean {
    return this.clock.isPrimary;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const off of this.offs) off();
    this.clock.demote();
  }

  /** Keepalive on the leader: the new TTL, or 0 if the lease is unknown or expired. */
  async renew(id: number): Promise<number> {
    this.requirePrimary();
    let ttl = this.clock.renew(id, this.now());
    if (ttl === undefined && this.clock.remainingSec(id, this.now()) === undefined) {
      // Maybe granted but not applied here yet: catch up, then look again.
      await this.proposer.linearizableRead();
      this.requirePrimary();
      const l = this.sm.mvcc.lease(id);
      if (l !== undefined && this.clock.remainingSec(id, this.now()) === undefined) this.clock.grant(id, l.ttl, this.now());
      ttl = this.clock.renew(id, this.now());
    }
    if (ttl === undefined) return 0;
    // A recorded checkpoint would make a new leader use less than the full TTL: clear it.
    const l = this.sm.mvcc.lease(id);
    if (l !== undefined && l.remainingTtl > 0) {
      this.proposer.propose({ leaseCheckpoint: { checkpoints: [{ ID: id, remainingTTL: 0 }] } }).catch(() => {});
    }
    return ttl;
  }

  /** TimeToLive on the leader. */
  async timeToLive(id: number, withKeys: boolean): Promise<TimeToLive> {
    this.requirePrimary();
    if (this.sm.mvcc.lease(id) === undefined) await this.proposer.linearizableRead();
    const l = this.sm.mvcc.lease(id);
    const left = this.clock.remainingSec(id, this.now());
    if (l === undefined || left === undefined || left <= 0) return { ttl: -1, grantedTtl: l?.ttl ?? 0, keys: [] };
    return { ttl: left, grantedTtl: l.ttl, keys: withKeys ? this.sm.mvcc.leaseKeys(id) : [] };
  }

  private requirePrimary(): void {
    if (!this.clock.isPrimary) throw new StoreError('not-leader');
  }

  private onLeaderChange(leader: number): void {
    if (leader === this.node.id) this.promote();
    else if (this.clock.isPrimary) {
      this.clock.demote();
      this.revoking.clear();
    }
  }

  private promote(): void {
    const leases = this.sm.mvcc.leases();
    this.clock.promote(leases, this.now(), this.extendMs);
    if (leases.length > 0) this.logger.info({ leases: leases.length, extendMs: this.extendMs }, 'leader: lease clock started, remaining TTLs extended');
  }

  private onApplied(a: AppliedEntry): void {
    if (!a.result.ok) return;
    const r = a.result.response;
    if (r.type === 'leaseGrant') this.clock.grant(r.id, r.ttl, this.now());
    else if (r.type === 'leaseRevoke' && a.request.leaseRevoke !== undefined) this.clock.revoke(a.request.leaseRevoke.ID);
  }

  private expireDue(): void {
    if (this.stopped || !this.clock.isPrimary) return;
    const room = this.maxRevokesInFlight - this.revoking.size;
    if (room <= 0) return;
    for (const id of this.clock.expired(this.now(), room + this.revoking.size)) {
      if (this.revoking.has(id) || this.revoking.size >= this.maxRevokesInFlight) continue;
      this.revoking.add(id);
      this.proposer.propose({ leaseRevoke: { ID: id } }).then(
        (r) => {
          this.revoking.delete(id);
          if (r.ok || r.error.code === 'lease-not-found') this.clock.revoke(id);
        },
        (e: unknown) => {
          this.revoking.delete(id);
          this.logger.warn({ lease: id, err: (e as Error).message }, 'expired lease: revoke failed; will retry');
        },
      );
    }
  }

  private checkpoint(): void {
    if (this.stopped || !this.clock.isPrimary) return;
    const cps = this.clock.checkpoints(this.now());
    for (let i = 0; i < cps.length; i += 1000) {
      const checkpoints = cps.slice(i, i + 1000).map((c) => ({ ID: c.id, remainingTTL: c.remainingSec }));
      this.proposer.propose({ leaseCheckpoint: { checkpoints } }).catch((e: unknown) => {
        this.logger.warn({ err: (e as Error).message }, 'lease checkpoint failed');
      });
    }
  }
}
