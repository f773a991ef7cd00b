// The plugin interfaces, after kube-scheduler's framework: a plugin implements one or more of
// PreFilter (once per pod: compute state, reject early, or Skip its Filter), Filter (per node:
// can the pod run here?), Score (per feasible node, 0..100 after normalize; weighted). Plugins
// are pure: they read the snapshot and the pod and return values; they never do I/O.
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Status } from './status.js';

/** The nodes and the pods counted on them, as one cycle sees them. */
export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
}

/** Per-cycle scratch space: a PreFilter/PreScore leaves data here for its Filter/Score. */
export type CycleState = Map<string, unknown>;

export interface PreFilterPlugin {
  readonly name: string;
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status;
}

export interface FilterPlugin {
  readonly name: string;
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface NodeScore {
  readonly node: NodeInfo;
  score: number;
}

export interface ScorePlugin {
  readonly name: string;
  /** Once per pod, with the feasible nodes, before any score(); false = this plugin has nothing to say (all score 0). */
  preScore?(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[], snapshot: Snapshot): boolean;
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rescales the raw scores to 0..100 in place. */
  normalize?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

export type Plugin = Partial<PreFilterPlugin & FilterPlugin & ScorePlugin> & { readonly name: string };

export const MAX_NODE_SCORE = 100;

export const isPreFilter = (p: Plugin): p is PreFilterPlugin & Plugin => typeof p.preFilter === 'function';
export const isFilter = (p: Plugin): p is FilterPlugin & Plugin => typeof p.filter === 'function';
export const isScore = (p: Plugin): p is ScorePlugin & Plugin => typeof p.score === 'function';

/** Scales scores to 0..MAX_NODE_SCORE by the largest (reverse: the largest becomes 0). */
export function normalizeByMax(scores: NodeScore[], reverse = false): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  for (const s of scores) {
    if (max === 0) s.score = reverse ? MAX_NODE_SCORE : 0;
    else {
      const v = Math.floor((s.score * MAX_NODE_SCORE) / max);
      s.score = reverse ? MAX_NODE_SCORE - v : v;
    }
  }
}

/** Scales scores to 0..MAX_NODE_SCORE between the smallest and the largest (negative raw scores allowed). */
export function normalizeMinMax(scores: NodeScore[]): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s.score < min) min = s.score;
    if (s.score > max) max = s.score;
  }
  for (const s of scores) s.score = max > min ? Math.floor(((s.score - min) * MAX_NODE_SCORE) / (max - min)) : 0;
}
