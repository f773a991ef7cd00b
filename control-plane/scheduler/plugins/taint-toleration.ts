// TaintToleration: a node's NoSchedule and NoExecute taints keep out pods that do not tolerate
// them (filter); PreferNoSchedule taints only lower the node's score.
import type { Taint, Toleration } from '../../../api/index.js';
import { normalizeByMax, type FilterPlugin, type ScorePlugin } from '../framework/plugin.js';
import { SUCCESS, unschedulable } from '../framework/status.js';

export const NAME = 'TaintToleration';

export const untoleratedTaintReason = (t: Pick<Taint, 'key' | 'value'>): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;

/** Kubernetes' matching: empty effect matches every effect; Exists with no key matches every taint. */
export function tolerates(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (t.key === undefined || t.key === '') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint the tolerations do not cover, if any. */
export function firstUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  return taints.find((taint) => taint.effect !== 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint)));
}

/** PreferNoSchedule taints not tolerated (tolerations with effect "" or PreferNoSchedule count). */
export function intolerablePreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  const ts = tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  let n = 0;
  for (const taint of taints) if (taint.effect === 'PreferNoSchedule' && !ts.some((t) => tolerates(t, taint))) n++;
  return n;
}

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: NAME,
  filter(_state, pod, node) {
    const taint = firstUntoleratedTaint(node.node.spec.taints ?? [], pod.pod.spec.tolerations ?? []);
    return taint === undefined ? SUCCESS : unschedulable(NAME, untoleratedTaintReason(taint));
  },
  score(_state, pod, node) {
    return intolerablePreferNoSchedule(node.node.spec.taints ?? [], pod.pod.spec.tolerations ?? []);
  },
  normalize(_state, _pod, scores) {
    normalizeByMax(scores, true);
  },
};
