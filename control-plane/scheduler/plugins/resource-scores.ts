// NodeResourcesLeastAllocated and NodeResourcesBalancedAllocation: scores from the CPU and
// memory the node would have requested with this pod (zero requests count as the defaults).
// Least-allocated spreads load (more free = higher); balanced prefers nodes whose CPU and memory
// fractions stay close to each other.
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework/plugin.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';

export const LEAST_ALLOCATED = 'NodeResourcesLeastAllocated';
export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

/** (free after the pod / allocatable) × 100; 0 when it would not fit or nothing is allocatable. */
export function leastAllocatedScore(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/** (1 − |cpuFraction − memFraction| / 2) × 100: the standard deviation of two fractions. */
export function balancedScore(cpuFraction: number, memFraction: number): number {
  const std = Math.abs(Math.min(cpuFraction, 1) - Math.min(memFraction, 1)) / 2;
  return Math.floor((1 - std) * MAX_NODE_SCORE);
}

function withPod(pod: PodInfo, node: NodeInfo): { cpu: number; mem: number } {
  return { cpu: node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, mem: node.nonZeroRequested.memory + pod.nonZero.memory };
}

export const leastAllocated: ScorePlugin = {
  name: LEAST_ALLOCATED,
  score(_state, pod, node) {
    const r = withPod(pod, node);
    return Math.floor((leastAllocatedScore(r.cpu, node.allocatable.milliCPU) + leastAllocatedScore(r.mem, node.allocatable.memory)) / 2);
  },
};

export const balancedAllocation: ScorePlugin = {
  name: BALANCED_ALLOCATION,
  score(_state, pod, node) {
    const r = withPod(pod, node);
    const a = node.allocatable;
    if (a.milliCPU <= 0 || a.memory <= 0) return 0;
    return balancedScore(r.cpu / a.milliCPU, r.mem / a.memory);
  },
};
