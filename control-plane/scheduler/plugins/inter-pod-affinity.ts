// InterPodAffinity: required pod affinity (the node's topology domain — e.g. zone, hostname —
// already has a matching pod), required anti-affinity (it has none), and existing pods' required
// anti-affinity against this pod; preferred affinity/anti-affinity add/subtract their weight for
// domains with matching pods (score).
// Term namespaces: `namespaces`, else the pod's own; an empty namespaceSelector ({}) means all
// namespaces (other namespaceSelectors are not evaluated: the scheduler does not cache namespaces).
import type { Affinity, Pod } from '../../../api/index.js';
import { labelSelectorFromObject } from '../../../api/index.js';
import { normalizeMinMax, type FilterPlugin, type PreFilterPlugin, type ScorePlugin, type Snapshot } from '../framework/plugin.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { SKIP, SUCCESS, unschedulable } from '../framework/status.js';

export const NAME = 'InterPodAffinity';
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

type PodAffinity = NonNullable<Affinity['podAffinity']>;
export type PodAffinityTerm = NonNullable<PodAffinity['requiredDuringSchedulingIgnoredDuringExecution']>[number];

/** Does the term (declared by a pod in `ownerNamespace`) select `pod`? A term without labelSelector selects nothing. */
export function termSelects(term: PodAffinityTerm, ownerNamespace: string, pod: Pod): boolean {
  if (term.labelSelector === undefined) return false;
  const ns = pod.metadata.namespace ?? '';
  const sel = term.namespaceSelector;
  const allNamespaces = sel !== undefined && sel.matchLabels === undefined && sel.matchExpressions === undefined;
  const namespaces = term.namespaces?.length ? term.namespaces : [ownerNamespace];
  if (!allNamespaces && !namespaces.includes(ns)) return false;
  return labelSelectorFromObject(term.labelSelector).matches(pod.metadata.labels);
}

const required = (a: PodAffinity | undefined): readonly PodAffinityTerm[] => a?.requiredDuringSchedulingIgnoredDuringExecution ?? [];

/** topologyKey → values in which this pod may not run. */
type Domains = Map<string, Set<string>>;

function addDomain(d: Domains, key: string, value: string | undefined): void {
  if (value === undefined) return;
  let s = d.get(key);
  if (s === undefined) d.set(key, (s = new Set()));
  s.add(value);
}

const inDomains = (d: Domains, labels: Readonly<Record<string, string>>): boolean => {
  for (const [key, values] of d) {
    const v = labels[key];
    if (v !== undefined && values.has(v)) return true;
  }
  return false;
};

interface FilterState {
  /** Domains closed by existing pods' anti-affinity. */
  readonly existingAnti: Domains;
  /** Per required affinity term: domain values with a matching pod. */
  readonly affinity: readonly Set<string>[];
  /** True when no pod matches any affinity term and the pod matches its own terms (the first pod of a group). */
  readonly selfAffine: boolean;
  readonly anti: Domains;
}

/** The filter's view of the cluster for one pod. Pure. */
export function computeFilterState(pod: PodInfo, snapshot: Snapshot): FilterState {
  const affTerms = required(pod.pod.spec.affinity?.podAffinity);
  const antiTerms = required(pod.pod.spec.affinity?.podAntiAffinity);
  const existingAnti: Domains = new Map();
  const affinity = affTerms.map(() => new Set<string>());
  const anti: Domains = new Map();
  for (const n of snapshot.nodes) {
    if (n.podsWithRequiredAntiAffinity > 0)
      for (const other of n.pods.values())
        if (other.hasRequiredAntiAffinity)
          for (const t of required(other.pod.spec.affinity?.podAntiAffinity)) if (termSelects(t, other.namespace, pod.pod)) addDomain(existingAnti, t.topologyKey, n.labels[t.topologyKey]);
    if (affTerms.length === 0 && antiTerms.length === 0) continue;
    for (const other of n.pods.values()) {
      affTerms.forEach((t, i) => {
        const v = n.labels[t.topologyKey];
        if (v !== undefined && termSelects(t, pod.namespace, other.pod)) affinity[i]!.add(v);
      });
      for (const t of antiTerms) if (termSelects(t, pod.namespace, other.pod)) addDomain(anti, t.topologyKey, n.labels[t.topologyKey]);
    }
  }
  const selfAffine = affinity.every((s) => s.size === 0) && affTerms.every((t) => termSelects(t, pod.namespace, pod.pod));
  return { existingAnti, affinity, selfAffine, anti };
}

/** The reason the node fails, or undefined. Pure. */
export function affinityVerdict(s: FilterState, pod: PodInfo, node: NodeInfo): string | undefined {
  if (inDomains(s.existingAnti, node.labels)) return REASON_EXISTING_ANTI_AFFINITY;
  const affTerms = required(pod.pod.spec.affinity?.podAffinity);
  if (!s.selfAffine) {
    for (const [i, t] of affTerms.entries()) {
      const v = node.labels[t.topologyKey];
      if (v === undefined || !s.affinity[i]!.has(v)) return REASON_AFFINITY;
    }
  }
  if (inDomains(s.anti, node.labels)) return REASON_ANTI_AFFINITY;
  return undefined;
}

const FILTER_KEY = `${NAME}/filter`;
const SCORE_KEY = `${NAME}/score`;

/** "key\0value" → summed preferred weights (affinity +, anti-affinity −). */
export function preferredDomainWeights(pod: PodInfo, snapshot: Snapshot): Map<string, number> {
  const a = pod.pod.spec.affinity;
  const terms = [
    ...(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({ term: p.podAffinityTerm, w: p.weight })),
    ...(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({ term: p.podAffinityTerm, w: -p.weight })),
  ];
  const weights = new Map<string, number>();
  if (terms.length === 0) return weights;
  for (const n of snapshot.nodes)
    for (const other of n.pods.values())
      for (const { term, w } of terms) {
        const v = n.labels[term.topologyKey];
        if (v === undefined || !termSelects(term, pod.namespace, other.pod)) continue;
        const k = `${term.topologyKey}\0${v}`;
        weights.set(k, (weights.get(k) ?? 0) + w);
      }
  return weights;
}

export const interPodAffinity: PreFilterPlugin & FilterPlugin & ScorePlugin = {
  name: NAME,
  preFilter(state, pod, snapshot) {
    const a = pod.pod.spec.affinity;
    const own = required(a?.podAffinity).length + required(a?.podAntiAffinity).length;
    if (own === 0 && !snapshot.nodes.some((n) => n.podsWithRequiredAntiAffinity > 0)) return SKIP;
    state.set(FILTER_KEY, computeFilterState(pod, snapshot));
    return SUCCESS;
  },
  filter(state, pod, node) {
    const s = state.get(FILTER_KEY) as FilterState | undefined;
    if (s === undefined) return SUCCESS;
    const reason = affinityVerdict(s, pod, node);
    return reason === undefined ? SUCCESS : unschedulable(NAME, reason);
  },
  preScore(state, pod, _feasible, snapshot) {
    const w = preferredDomainWeights(pod, snapshot);
    if (w.size === 0) return false;
    state.set(SCORE_KEY, w);
    return true;
  },
  score(state, _pod, node) {
    const w = state.get(SCORE_KEY) as Map<string, number> | undefined;
    if (w === undefined) return 0;
    let sum = 0;
    for (const [k, v] of Object.entries(node.labels)) sum += w.get(`${k}\0${v}`) ?? 0;
    return sum;
  },
  normalize(_state, _pod, scores) {
    normalizeMinMax(scores);
  },
};
