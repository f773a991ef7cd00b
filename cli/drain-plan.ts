// Which pods `drain` evicts, skips or refuses, with kubectl's rules and texts (pure):
// - mirror pods (static pods' API copies) are skipped: deleting them does nothing;
// - DaemonSet pods would be recreated on the node at once: refused unless --ignore-daemonsets,
//   which skips them;
// - pods no controller owns would be gone for good: refused unless --force;
// - pods with emptyDir volumes lose that data: refused unless --delete-emptydir-data;
// - finished pods (Succeeded/Failed) are always fine to remove.
import type { KubeObject } from '../api/kind.js';
import { controllerRef } from '../workloads/index.js';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface DrainFlags {
  readonly ignoreDaemonSets: boolean;
  readonly deleteEmptyDirData: boolean;
  readonly force: boolean;
}

export interface DrainPlan {
  /** Pods to evict, in the order given. */
  readonly evict: KubeObject[];
  /** `cannot delete <what>: ns/a, ns/b` lines: drain must stop when any. */
  readonly errors: string[];
  /** `<what>: ns/a, ns/b` lines printed as warnings. */
  readonly warnings: string[];
}

const PROBLEMS = {
  daemonSet: { fatal: 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)', warning: 'ignoring DaemonSet-managed Pods' },
  unmanaged: { fatal: 'Pods declare no controller (use --force to override)', warning: 'deleting Pods that declare no controller' },
  localStorage: { fatal: 'Pods with local storage (use --delete-emptydir-data to override)', warning: 'deleting Pods with local storage' },
} as const;
type Problem = keyof typeof PROBLEMS;

const podName = (p: KubeObject): string => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;

function finished(p: KubeObject): boolean {
  const phase = (p.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function hasEmptyDir(p: KubeObject): boolean {
  const volumes = (p.spec as { volumes?: { emptyDir?: unknown }[] } | undefined)?.volumes ?? [];
  return volumes.some((v) => v.emptyDir !== undefined);
}

export function planDrain(pods: readonly KubeObject[], flags: DrainFlags): DrainPlan {
  const fatal = new Map<Problem, string[]>();
  const warned = new Map<Problem, string[]>();
  const note = (to: Map<Problem, string[]>, problem: Problem, p: KubeObject): void => void to.set(problem, [...(to.get(problem) ?? []), podName(p)]);
  const evict: KubeObject[] = [];
  for (const p of pods) {
    if (p.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) continue;
    const owner = controllerRef(p);
    if (owner?.kind === 'DaemonSet' && !finished(p)) {
      note(flags.ignoreDaemonSets ? warned : fatal, 'daemonSet', p);
      continue;
    }
    let refused = false;
    if (owner === undefined && !finished(p)) {
      if (flags.force) note(warned, 'unmanaged', p);
      else (note(fatal, 'unmanaged', p), (refused = true));
    }
    if (hasEmptyDir(p) && !finished(p)) {
      if (flags.deleteEmptyDirData) note(warned, 'localStorage', p);
      else (note(fatal, 'localStorage', p), (refused = true));
    }
    if (!refused) evict.push(p);
  }
  const lines = (m: Map<Problem, string[]>, text: (problem: Problem) => string): string[] => [...m].map(([problem, names]) => `${text(problem)}: ${names.join(', ')}`);
  return {
    evict,
    errors: lines(fatal, (problem) => `cannot delete ${PROBLEMS[problem].fatal}`),
    warnings: lines(warned, (problem) => PROBLEMS[problem].warning),
  };
}
