// SelectorSpread: spreads the pods of one owner (the controller in ownerReferences) across nodes
// and zones (label topology.kubernetes.io/zone): fewer pods of the owner on a node, and in its
// zone, score higher. Zones weigh 2/3 when the nodes have zones, as kube-scheduler's SelectorSpread.
import { MAX_NODE_SCORE, type NodeScore, type ScorePlugin } from '../framework/plugin.js';
import type { NodeInfo } from '../framework/node-info.js';

export const NAME = 'SelectorSpread';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
const ZONE_WEIGHTING = 2 / 3;

export const zoneOf = (n: NodeInfo): string | undefined => n.labels[ZONE_LABEL];

/**
 * Scores from counts: `onNode` pods of the owner per node, `inZone` per zone (undefined = the
 * node has no zone). Pure, for the table tests.
 */
export function spreadScores(entries: readonly { onNode: number; zone: string | undefined }[], inZone: ReadonlyMap<string, number>): number[] {
  let maxNode = 0;
  for (const e of entries) maxNode = Math.max(maxNode, e.onNode);
  let maxZone = 0;
  for (const c of inZone.values()) maxZone = Math.max(maxZone, c);
  const haveZones = inZone.size > 0;
  return entries.map((e) => {
    let s = maxNode > 0 ? (MAX_NODE_SCORE * (maxNode - e.onNode)) / maxNode : MAX_NODE_SCORE;
    if (haveZones && e.zone !== undefined) {
      const z = maxZone > 0 ? (MAX_NODE_SCORE * (maxZone - (inZone.get(e.zone) ?? 0))) / maxZone : MAX_NODE_SCORE;
      s = s * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * z;
    }
    return Math.floor(s);
  });
}

const KEY = NAME;

export const selectorSpread: ScorePlugin = {
  name: NAME,
  preScore(state, pod, _feasible, snapshot) {
    if (pod.ownerUid === undefined) return false;
    // Zone totals count every node of the cluster, not only the feasible ones.
    const inZone = new Map<string, number>();
    for (const n of snapshot.nodes) {
      const z = zoneOf(n);
      if (z !== undefined) inZone.set(z, (inZone.get(z) ?? 0) + (n.ownerCounts.get(pod.ownerUid) ?? 0));
    }
    state.set(KEY, inZone);
    return true;
  },
  score(_state, pod, node) {
    return pod.ownerUid === undefined ? 0 : (node.ownerCounts.get(pod.ownerUid) ?? 0);
  },
  normalize(state, _pod, scores: NodeScore[]) {
    const inZone = (state.get(KEY) as Map<string, number> | undefined) ?? new Map<string, number>();
    const out = spreadScores(scores.map((s) => ({ onNode: s.score, zone: zoneOf(s.node) })), inZone);
    scores.forEach((s, i) => (s.score = out[i]!));
  },
};
