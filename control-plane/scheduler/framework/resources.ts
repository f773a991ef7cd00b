// Resource amounts as plain numbers: CPU in millicores, memory and ephemeral storage in bytes,
// pods as a count. Quantities are parsed once, when a pod or node enters the cache.
import { mustParseQuantity, toMillis, toUnits } from '../../../api/index.js';
import type { Node, Pod } from '../../../api/index.js';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  pods: number;
}

export const RESOURCE_NAMES = { milliCPU: 'cpu', memory: 'memory', ephemeralStorage: 'ephemeral-storage' } as const;
export type ScalarResource = keyof typeof RESOURCE_NAMES;

export const zeroResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0 });

/** A node without `pods` in its allocatable takes the agent's default. */
export const DEFAULT_MAX_PODS = 110;

/** Scoring counts a pod without requests as this much, as kube-scheduler does, so empty pods still spread. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

type ResourceMap = Readonly<Record<string, string>> | undefined;

function fromMap(m: ResourceMap): Resources {
  const r = zeroResources();
  if (m === undefined) return r;
  if (m.cpu !== undefined) r.milliCPU = toMillis(mustParseQuantity(m.cpu));
  if (m.memory !== undefined) r.memory = toUnits(mustParseQuantity(m.memory));
  if (m['ephemeral-storage'] !== undefined) r.ephemeralStorage = toUnits(mustParseQuantity(m['ephemeral-storage']));
  return r;
}

/** What a node offers: status.allocatable (capacity when absent); pods default to DEFAULT_MAX_PODS. */
export function nodeAllocatable(node: Node): Resources {
  const m = node.status?.allocatable ?? node.status?.capacity;
  const r = fromMap(m);
  r.pods = m?.pods !== undefined ? toUnits(mustParseQuantity(m.pods)) : DEFAULT_MAX_PODS;
  return r;
}

/**
 * What a pod asks for, as Kubernetes computes it: the sum over app containers, at least the
 * largest single init container (init containers run one at a time); pods = 1.
 */
export function podRequests(pod: Pod): Resources {
  const sum = zeroResources();
  for (const c of pod.spec.containers) {
    const r = fromMap(c.resources?.requests);
    sum.milliCPU += r.milliCPU;
    sum.memory += r.memory;
    sum.ephemeralStorage += r.ephemeralStorage;
  }
  for (const c of pod.spec.initContainers ?? []) {
    const r = fromMap(c.resources?.requests);
    sum.milliCPU = Math.max(sum.milliCPU, r.milliCPU);
    sum.memory = Math.max(sum.memory, r.memory);
    sum.ephemeralStorage = Math.max(sum.ephemeralStorage, r.ephemeralStorage);
  }
  sum.pods = 1;
  return sum;
}

/** CPU and memory for scoring: a zero request counts as the defaults above. */
export function nonZeroRequests(r: Resources): { milliCPU: number; memory: number } {
  return { milliCPU: r.milliCPU || DEFAULT_MILLI_CPU_REQUEST, memory: r.memory || DEFAULT_MEMORY_REQUEST };
}
