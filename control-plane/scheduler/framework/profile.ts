// A profile: which plugins run and how much each score weighs. Validated once, at construction.
import { isFilter, isPreFilter, isScore, type FilterPlugin, type Plugin, type PreFilterPlugin, type ScorePlugin } from './plugin.js';

export interface Profile {
  readonly preFilters: readonly PreFilterPlugin[];
  readonly filters: readonly FilterPlugin[];
  readonly scores: readonly { readonly plugin: ScorePlugin; readonly weight: number }[];
  /** 0 = adaptive (kube-scheduler's: 50% − nodes/125, at least 5%); else 1..100. */
  readonly percentageOfNodesToScore: number;
}

export class ProfileError extends Error {
  readonly code = 'InvalidSchedulerProfile';
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** Weights by plugin name; a score plugin with no weight (or weight 0) does not score. */
export function makeProfile(plugins: readonly Plugin[], weights: Readonly<Record<string, number>>, percentageOfNodesToScore = 0): Profile {
  const names = new Set<string>();
  for (const p of plugins) {
    if (names.has(p.name)) throw new ProfileError(`plugins: "${p.name}" is listed twice`);
    names.add(p.name);
  }
  for (const [name, w] of Object.entries(weights)) {
    const p = plugins.find((x) => x.name === name);
    if (p === undefined || !isScore(p)) throw new ProfileError(`weights: "${name}" is not a score plugin of this profile (have: ${plugins.filter(isScore).map((x) => x.name).join(', ')})`);
    if (!(Number.isInteger(w) && w >= 0 && w <= 100)) throw new ProfileError(`weights.${name}: must be an integer 0..100, got ${w}`);
  }
  if (!(Number.isInteger(percentageOfNodesToScore) && percentageOfNodesToScore >= 0 && percentageOfNodesToScore <= 100))
    throw new ProfileError(`percentageOfNodesToScore: must be an integer 0..100 (0 = adaptive), got ${percentageOfNodesToScore}`);
  return {
    preFilters: plugins.filter(isPreFilter),
    filters: plugins.filter(isFilter),
    scores: plugins.filter(isScore).flatMap((plugin) => ((weights[plugin.name] ?? 0) > 0 ? [{ plugin, weight: weights[plugin.name]! }] : [])),
    percentageOfNodesToScore,
  };
}

/** Stop filtering once this many feasible nodes are found (as kube-scheduler: at least 100 nodes, or all). */
export function numFeasibleNodesToFind(allNodes: number, percentage: number): number {
  const MIN = 100;
  if (allNodes < MIN || percentage >= 100) return allNodes;
  let pct = percentage;
  if (pct === 0) pct = Math.max(5, 50 - Math.floor(allNodes / 125));
  return Math.max(MIN, Math.floor((allNodes * pct) / 100));
}
