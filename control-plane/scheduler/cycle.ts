// One scheduling cycle as a pure function: (pod, snapshot, profile, rng, start index) → a
// decision. PreFilter once, Filter node by node from a rotating start until enough feasible nodes
// are found (kube-scheduler's percentageOfNodesToScore), Score the feasible ones, pick the best;
// ties are broken by the injected RNG. A pod that fits nowhere is a value with per-reason node
// counts and kube-scheduler's message, never an exception.
import type { Rng } from '../../client/index.js';
import type { CycleState, NodeScore, Snapshot } from './framework/plugin.js';
import type { NodeInfo } from './framework/node-info.js';
import type { PodInfo } from './framework/pod-info.js';
import { numFeasibleNodesToFind, type Profile } from './framework/profile.js';
import { assertNever } from './framework/status.js';

export type Decision =
  | {
      readonly kind: 'scheduled';
      readonly node: string;
      /** Nodes the filters looked at, and how many passed. */
      readonly evaluated: number;
      readonly feasible: number;
      /** Where the next cycle starts filtering. */
      readonly nextStartIndex: number;
    }
  | {
      readonly kind: 'unschedulable';
      /** reason → how many nodes gave it. */
      readonly reasons: ReadonlyMap<string, number>;
      readonly message: string;
      readonly nextStartIndex: number;
    };

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

/**
 * kube-scheduler's FitError text: `0/5 nodes are available: 2 node(s) had untolerated taint
 * {edge: true}, 3 Insufficient memory.` — "count reason" strings sorted as strings (Go's
 * sort.Strings: byte order), joined by ", ".
 */
export function fitErrorMessage(allNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (allNodes === 0) return `0/0 nodes are available: ${NO_NODES_MESSAGE}.`;
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${allNodes} nodes are available: ${parts.join(', ')}.`;
}

export interface CycleInput {
  readonly pod: PodInfo;
  readonly snapshot: Snapshot;
  readonly profile: Profile;
  readonly rng: Rng;
  /** Index of the node to filter first (rotates so load spreads over the whole cluster). */
  readonly startIndex?: number;
}

export function schedulePod(input: CycleInput): Decision {
  const { pod, snapshot, profile } = input;
  const nodes = snapshot.nodes;
  const n = nodes.length;
  const start = n === 0 ? 0 : (input.startIndex ?? 0) % n;
  const reasons = new Map<string, number>();
  const fail = (next: number): Decision => ({ kind: 'unschedulable', reasons, message: fitErrorMessage(n, reasons), nextStartIndex: next });
  if (n === 0) return fail(0);

  const state: CycleState = new Map();
  const skipped = new Set<string>();
  for (const p of profile.preFilters) {
    const s = p.preFilter(state, pod, snapshot);
    switch (s.code) {
      case 'Success':
        break;
      case 'Skip':
        skipped.add(p.name);
        break;
      case 'Unschedulable':
        // Rejected before any node: every node fails for these reasons.
        for (const r of s.reasons) reasons.set(r, n);
        return fail(start);
      default:
        assertNever(s);
    }
  }
  const filters = profile.filters.filter((f) => !skipped.has(f.name));

  const want = numFeasibleNodesToFind(n, profile.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  let evaluated = 0;
  for (; evaluated < n && feasible.length < want; evaluated++) {
    const node = nodes[(start + evaluated) % n]!;
    let ok = true;
    for (const f of filters) {
      const s = f.filter(state, pod, node);
      if (s.code === 'Unschedulable') {
        for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
        ok = false;
        break;
      }
    }
    if (ok) feasible.push(node);
  }
  const next = (start + evaluated) % n;
  if (feasible.length === 0) return fail(next);
  if (feasible.length === 1) return { kind: 'scheduled', node: feasible[0]!.name, evaluated, feasible: 1, nextStartIndex: next };

  const total = scoreNodes(state, pod, feasible, snapshot, profile);
  return { kind: 'scheduled', node: pickBest(feasible, total, input.rng), evaluated, feasible: feasible.length, nextStartIndex: next };
}

/** Weighted sum of every score plugin's normalized scores, per feasible node. */
export function scoreNodes(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[], snapshot: Snapshot, profile: Profile): number[] {
  const total = new Array<number>(feasible.length).fill(0);
  for (const { plugin, weight } of profile.scores) {
    if (plugin.preScore !== undefined && !plugin.preScore(state, pod, feasible, snapshot)) continue;
    const scores: NodeScore[] = feasible.map((node) => ({ node, score: plugin.score(state, pod, node) }));
    plugin.normalize?.(state, pod, scores);
    scores.forEach((s, i) => (total[i]! += s.score * weight));
  }
  return total;
}

/** The highest total; among equals each has the same chance (reservoir sampling with the RNG). */
export function pickBest(nodes: readonly NodeInfo[], total: readonly number[], rng: Rng): string {
  let best = -Infinity;
  let chosen = '';
  let ties = 0;
  total.forEach((t, i) => {
    if (t > best) {
      best = t;
      chosen = nodes[i]!.name;
      ties = 1;
    } else if (t === best) {
      ties++;
      if (rng() * ties < 1) chosen = nodes[i]!.name;
    }
  });
  return chosen;
}
