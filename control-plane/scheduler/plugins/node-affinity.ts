// NodeAffinity: the pod's nodeSelector (every pair must match) and its required node affinity
// (any term; within a term every expression) filter nodes; preferred terms add their weight to
// the nodes they match (score).
import type { Affinity, Node, Pod } from '../../../api/index.js';
import { normalizeByMax, type FilterPlugin, type ScorePlugin } from '../framework/plugin.js';
import { SUCCESS, unschedulable } from '../framework/status.js';

export const NAME = 'NodeAffinity';
export const REASON = "node(s) didn't match Pod's node affinity/selector";

type NodeAffinity = NonNullable<Affinity['nodeAffinity']>;
type NodeSelectorTerm = NonNullable<NodeAffinity['requiredDuringSchedulingIgnoredDuringExecution']>['nodeSelectorTerms'][number];
type Requirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

function requirementMatches(r: Requirement, fields: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(fields, r.key);
  const v = fields[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(v!);
    case 'NotIn':
      return !has || !values.includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || !/^-?\d+$/.test(v!)) return false;
      const n = Number(v);
      const bound = Number(values[0]);
      return r.operator === 'Gt' ? n > bound : n < bound;
    }
  }
}

/** A term matches when all its expressions (labels) and fields (metadata.name) match; an empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const nodeFields = { 'metadata.name': node.metadata.name ?? '' };
  return exprs.every((r) => requirementMatches(r, labels)) && fields.every((r) => requirementMatches(r, nodeFields));
}

/** nodeSelector and required node affinity both hold. */
export function nodeMatchesPod(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required === undefined || required.nodeSelectorTerms.some((t) => termMatches(t, node));
}

/** Sum of the weights of the preferred terms the node matches. */
export function preferredWeight(pod: Pod, node: Node): number {
  let sum = 0;
  for (const p of pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) if (termMatches(p.preference, node)) sum += p.weight;
  return sum;
}

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: NAME,
  filter(_state, pod, node) {
    return nodeMatchesPod(pod.pod, node.node) ? SUCCESS : unschedulable(NAME, REASON);
  },
  preScore(_state, pod) {
    return (pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
  },
  score(_state, pod, node) {
    return preferredWeight(pod.pod, node.node);
  },
  normalize(_state, _pod, scores) {
    normalizeByMax(scores);
  },
};
