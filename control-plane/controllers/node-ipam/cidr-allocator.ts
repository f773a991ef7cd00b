// Pod CIDRs for nodes (pure): the cluster CIDR cut into blocks of the node mask size; allocate()
// hands out the lowest free block, occupy() marks one already held (a node that has its
// spec.podCIDR), release() frees it. The caller keeps which node holds which block.
import { cidrContains, CidrError, cidrSize, formatIpv4Cidr, parseIpv4Cidr } from '../../../api/net/ipv4-cidr.js';
import type { Ipv4Cidr } from '../../../api/net/ipv4-cidr.js';

export class CidrAllocatorConfigError extends Error {
  readonly code = 'CIDR_ALLOCATOR_CONFIG';
  override readonly name = 'CidrAllocatorConfigError';
}

export type OccupyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export class CidrAllocator {
  readonly cluster: Ipv4Cidr;
  readonly maskSize: number;
  private readonly used = new Set<number>();
  private readonly blocks: number;

  constructor(clusterCIDR: string, maskSize: number) {
    try {
      this.cluster = parseIpv4Cidr(clusterCIDR);
    } catch (e) {
      throw new CidrAllocatorConfigError(`cluster CIDR: ${(e as Error).message}`, { cause: e });
    }
    if (!Number.isInteger(maskSize) || maskSize < this.cluster.prefix || maskSize > 30) {
      throw new CidrAllocatorConfigError(`node CIDR mask size ${maskSize}: must be an integer between the cluster CIDR's prefix (${this.cluster.prefix}) and 30`);
    }
    this.maskSize = maskSize;
    this.blocks = 2 ** (maskSize - this.cluster.prefix);
  }

  get free(): number {
    return this.blocks - this.used.size;
  }

  private index(cidr: string): number | string {
    let c: Ipv4Cidr;
    try {
      c = parseIpv4Cidr(cidr);
    } catch (e) {
      return (e as CidrError).message;
    }
    if (c.prefix !== this.maskSize) return `${cidr} is not a /${this.maskSize}`;
    if (!cidrContains(this.cluster, c)) return `${cidr} is outside the cluster CIDR ${formatIpv4Cidr(this.cluster)}`;
    return (c.base - this.cluster.base) / cidrSize(c);
  }

  /** Marks a block as taken (idempotent); a block that is not one of ours is reported, not taken. */
  occupy(cidr: string): OccupyResult {
    const i = this.index(cidr);
    if (typeof i === 'string') return { ok: false, reason: i };
    this.used.add(i);
    return { ok: true };
  }

  release(cidr: string): void {
    const i = this.index(cidr);
    if (typeof i === 'number') this.used.delete(i);
  }

  /** The lowest free block, now taken; undefined when every block is in use. */
  allocate(): string | undefined {
    for (let i = 0; i < this.blocks; i++) {
      if (this.used.has(i)) continue;
      this.used.add(i);
      return formatIpv4Cidr({ base: this.cluster.base + i * 2 ** (32 - this.maskSize), prefix: this.maskSize });
    }
    return undefined;
  }
}
