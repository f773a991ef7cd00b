// Leases as replicated state: which leases exist, their granted TTL, the last checkpointed
// remaining TTL, and the keys attached to each. No clock here: the leader decides when a lease
// expires and proposes its revoke through the log.

import { keyBytes } from './bytes.js';
import { MvccBug } from './errors.js';
import type { LeaseInfo } from './types.js';

/** etcd's MaxLeaseTTL: 9,000,000,000 seconds. */
export const MAX_LEASE_TTL = 9_000_000_000;

interface LeaseState {
  readonly id: number;
  readonly ttl: number;
  remainingTtl: number;
  /** Attached keys as binary strings (see bytes.ts). */
  readonly keys: Set<string>;
}

export class LeaseTable {
  private readonly leases = new Map<number, LeaseState>();

  get size(): number {
    return this.leases.size;
  }

  has(id: number): boolean {
    return this.leases.has(id);
  }

  get(id: number): LeaseInfo | undefined {
    const l = this.leases.get(id);
    return l === undefined ? undefined : { id: l.id, ttl: l.ttl, remainingTtl: l.remainingTtl };
  }

  /** Every lease, by ID. */
  list(): LeaseInfo[] {
    return [...this.leases.values()]
      .sort((a, b) => a.id - b.id)
      .map((l) => ({ id: l.id, ttl: l.ttl, remainingTtl: l.remainingTtl }));
  }

  grant(id: number, ttl: number, remainingTtl = 0): void {
    if (this.leases.has(id)) throw new MvccBug(`lease ${id} granted twice`);
    this.leases.set(id, { id, ttl, remainingTtl, keys: new Set() });
  }

  /** Forgets the lease; its keys must have been deleted first. */
  remove(id: number): void {
    const l = this.leases.get(id);
    if (l === undefined) throw new MvccBug(`lease ${id} removed but unknown`);
    if (l.keys.size !== 0) throw new MvccBug(`lease ${id} removed with ${l.keys.size} keys attached`);
    this.leases.delete(id);
  }

  checkpoint(id: number, remainingTtl: number): void {
    const l = this.leases.get(id);
    if (l !== undefined) l.remainingTtl = remainingTtl;
  }

  attach(id: number, key: string): void {
    const l = this.leases.get(id);
    if (l === undefined) throw new MvccBug(`key attached to unknown lease ${id}`);
    l.keys.add(key);
  }

  detach(id: number, key: string): void {
    this.leases.get(id)?.keys.delete(key);
  }

  /** Attached keys as binary strings, in byte order. */
  keyStrings(id: number): string[] {
    const l = this.leases.get(id);
    return l === undefined ? [] : [...l.keys].sort();
  }

  /** Attached keys, in byte order. */
  keys(id: number): Uint8Array[] {
    return this.keyStrings(id).map(keyBytes);
  }
}
