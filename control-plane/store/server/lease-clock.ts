// The leader's lease clock: when each lease expires. Only the leader keeps one (a follower's
// is empty); it is volatile, rebuilt whenever a member becomes leader. Pure: time comes in as
// an argument (milliseconds on a monotonic clock).
//
// Rules (etcd's lessor):
// - On promotion every lease gets its remaining TTL (the last checkpoint, else the granted
//   TTL) plus `extendMs`, so a leader change never expires leases in bulk: their holders get
//   at least one election timeout to reach the new leader.
// - A keepalive resets a lease to its full TTL; an expired lease cannot be renewed (its revoke
//   is on its way through the log).
import type { LeaseInfo } from '../mvcc/index.js';

interface Tracked {
  ttlSec: number;
  expiresAt: number;
}

export class LeaseClock {
  private readonly leases = new Map<number, Tracked>();
  private primary = false;

  get isPrimary(): boolean {
    return this.primary;
  }

  /** This member became leader: start the clock for every lease. */
  promote(leases: readonly LeaseInfo[], now: number, extendMs: number): void {
    this.primary = true;
    this.leases.clear();
    for (const l of leases) {
      const remaining = l.remainingTtl > 0 ? l.remainingTtl : l.ttl;
      this.leases.set(l.id, { ttlSec: l.ttl, expiresAt: now + extendMs + remaining * 1000 });
    }
  }

  demote(): void {
    this.primary = false;
    this.leases.clear();
  }

  /** A lease was granted (applied) while this member leads. */
  grant(id: number, ttlSec: number, now: number): void {
    if (!this.primary) return;
    this.leases.set(id, { ttlSec, expiresAt: now + ttlSec * 1000 });
  }

  /** A lease was revoked (applied). */
  revoke(id: number): void {
    this.leases.delete(id);
  }

  /** Keepalive: the new TTL in seconds, or undefined if the lease is unknown or expired. */
  renew(id: number, now: number): number | undefined {
    const l = this.leases.get(id);
    if (l === undefined || l.expiresAt <= now) return undefined;
    l.expiresAt = now + l.ttlSec * 1000;
    return l.ttlSec;
  }

  /** Whole seconds left (rounded up), or undefined if unknown; <= 0 once expired. */
  remainingSec(id: number, now: number): number | undefined {
    const l = this.leases.get(id);
    return l === undefined ? undefined : Math.ceil((l.expiresAt - now) / 1000);
  }

  /** Expired leases, soonest first, at most `limit`. */
  expired(now: number, limit: number): number[] {
    const out: { id: number; at: number }[] = [];
    for (const [id, l] of this.leases) if (l.expiresAt <= now) out.push({ id, at: l.expiresAt });
    out.sort((a, b) => a.at - b.at || a.id - b.id);
    return out.slice(0, limit).map((x) => x.id);
  }

  /** Remaining TTLs worth recording in the log (leases that have run for a while). */
  checkpoints(now: number): { id: number; remainingSec: number }[] {
    const out: { id: number; remainingSec: number }[] = [];
    for (const [id, l] of this.leases) {
      const remainingSec = Math.ceil((l.expiresAt - now) / 1000);
      if (remainingSec > 0 && remainingSec < l.ttlSec) out.push({ id, remainingSec });
    }
    return out.sort((a, b) => a.id - b.id);
  }
}
