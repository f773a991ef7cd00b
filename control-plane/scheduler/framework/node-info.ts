// A node and the pods counted on it (running, bound but not yet running, and assumed), with the
// sums the filters and scores read. Kept up to date incrementally by the cache; the scheduling
// cycle only reads it.
import type { Node } from '../../../api/index.js';
import type { PodInfo } from './pod-info.js';
import { nodeAllocatable, zeroResources, type Resources } from './resources.js';

export class NodeInfo {
  node: Node;
  allocatable: Resources;
  /** Sum of the requests of the pods here. */
  readonly requested: Resources = zeroResources();
  /** The same with zero CPU/memory requests counted as the scoring defaults. */
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  /** "TCP/8080" → how many pods here use it. */
  readonly usedPorts = new Map<string, number>();
  /** controller uid → pods of that owner here. */
  readonly ownerCounts = new Map<string, number>();
  podsWithRequiredAntiAffinity = 0;
  /** The Ready condition is True (read once per node update, not once per pod). */
  ready: boolean;

  constructor(node: Node) {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.ready = isReady(node);
  }

  get name(): string {
    return this.node.metadata.name ?? '';
  }

  get labels(): Readonly<Record<string, string>> {
    return this.node.metadata.labels ?? {};
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.ready = isReady(node);
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    this.apply(p, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (p === undefined) return undefined;
    this.pods.delete(key);
    this.apply(p, -1);
    return p;
  }

  private apply(p: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * p.requests.milliCPU;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    r.pods += sign;
    this.nonZeroRequested.milliCPU += sign * p.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZero.memory;
    for (const port of p.hostPorts) bump(this.usedPorts, port, sign);
    if (p.ownerUid !== undefined) bump(this.ownerCounts, p.ownerUid, sign);
    if (p.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity += sign;
  }
}

export const isReady = (node: Node): boolean => node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

function bump(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n <= 0) m.delete(key);
  else m.set(key, n);
}
