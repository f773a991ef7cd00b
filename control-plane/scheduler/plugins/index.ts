// The in-tree plugins and the default profile: filter order (cheap first) and score weights as
// kube-scheduler's defaults.
export * as nodeUnschedulablePlugin from './node-unschedulable.js';
export * as nodeResourcesFitPlugin from './node-resources-fit.js';
export * as nodeAffinityPlugin from './node-affinity.js';
export * as taintTolerationPlugin from './taint-toleration.js';
export * as nodePortsPlugin from './node-ports.js';
export * as interPodAffinityPlugin from './inter-pod-affinity.js';
export * as volumeBindingPlugin from './volume-binding.js';
export * as resourceScoresPlugin from './resource-scores.js';
export * as selectorSpreadPlugin from './selector-spread.js';
import type { Plugin } from '../framework/plugin.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { nodeAffinity } from './node-affinity.js';
import { nodePorts } from './node-ports.js';
import { nodeResourcesFit } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { balancedAllocation, leastAllocated } from './resource-scores.js';
import { selectorSpread } from './selector-spread.js';
import { taintToleration } from './taint-toleration.js';
import { volumeBinding } from './volume-binding.js';

/** Every in-tree plugin, in the order filters run (a node stops at its first failing filter). */
export const DEFAULT_PLUGINS: readonly Plugin[] = [
  nodeUnschedulable,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  volumeBinding,
  taintToleration,
  interPodAffinity,
  leastAllocated,
  balancedAllocation,
  selectorSpread,
];

/** Score weights by plugin name (kube-scheduler's defaults; PodTopologySpread's 2 goes to SelectorSpread). */
export const DEFAULT_SCORE_WEIGHTS: Readonly<Record<string, number>> = {
  TaintToleration: 3,
  NodeAffinity: 2,
  InterPodAffinity: 2,
  NodeResourcesLeastAllocated: 1,
  NodeResourcesBalancedAllocation: 1,
  SelectorSpread: 2,
};
