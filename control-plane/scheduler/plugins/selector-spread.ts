// SelectorSpread: spreads the pods of one owner (the controller in ownerReferences) across nodes
// and zones (label topology.kubernetes.io/zone): fewer pods of the owner on a node, and in its
// zone, score higher. Zones weigh 2/3 when the nodes have zones. As kube-scheduler's
// SelectorSpread, zone counts are summed over the nodes being scored (the feasible ones).
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

export const selectorSpread: ScorePlugin = {
  name: NAME,
  preScore(_state, pod) {
    return pod.ownerUid !== undefined;
  },
  score(_state, pod, node) {
    return pod.ownerUid === undefined ? 0 : (node.ownerCounts.get(pod.ownerUid) ?? 0);
  },
  normalize(_state, _pod, scores: NodeScore[]) {
    const inZone = new Map<string, number>();
    for (const s of scores) {
      const z = zoneOf(s.node);
      if (z !== undefined) inZone.set(z, (inZone.get(z) ?? 0) + s.score);
    }
    const out = spreadScores(scores.map((s) => ({ onNode: s.score, zone: zoneOf(s.node) })), inZone);
    scores.forEach((s, i) => (s.score = out[i]!));
  },
};
