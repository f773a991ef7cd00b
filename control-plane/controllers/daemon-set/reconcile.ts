// The pure core of the DaemonSet controller: one pod per eligible node.
// - eligible: nodeSelector matches the node's labels and every NoSchedule/NoExecute taint is
//   tolerated (DaemonSet pods tolerate not-ready, unreachable and cordoned nodes);
// - an existing pod stays on a node that became ineligible only through a NoSchedule taint
//   (NoExecute, or a nodeSelector change, removes it);
// - RollingUpdate replaces outdated pods (controller-revision-hash label) while at most
//   maxUnavailable eligible nodes lack an available pod; OnDelete waits for someone to delete.
import type { DaemonSet, Node, Pod, Toleration } from '../../../api/index.js';
import { scaledValue } from '../../../api/index.js';
import { isPodActive, isPodAvailable, isPodReady } from '../shared/pod-state.js';
import { untolerated } from '../shared/taints.js';
import { podTemplateHash } from '../../../workloads/index.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';

/** Tolerations every DaemonSet pod gets, so node trouble or a cordon never evicts it. */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
] as Toleration[];

export interface DaemonPlan {
  /** Node names that need a pod. */
  readonly create: string[];
  readonly delete: Pod[];
  readonly status: NonNullable<DaemonSet['status']>;
  readonly hash: string;
}

export function daemonTolerations(ds: DaemonSet): Toleration[] {
  const own = ds.spec.template.spec.tolerations ?? [];
  return [...own, ...DAEMON_TOLERATIONS.filter((d) => !own.some((t) => t.key === d.key && t.effect === d.effect))];
}

function nodeFit(ds: DaemonSet, node: Node): { run: boolean; keep: boolean } {
  const sel = ds.spec.template.spec.nodeSelector ?? {};
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) return { run: false, keep: false };
  const tol = daemonTolerations(ds);
  const taints = node.spec.taints ?? [];
  if (untolerated(taints, tol, ['NoExecute']).length > 0) return { run: false, keep: false };
  if (untolerated(taints, tol, ['NoSchedule']).length > 0) return { run: false, keep: true };
  return { run: true, keep: true };
}

export function planDaemonSet(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], nowMs: number): DaemonPlan {
  const hash = podTemplateHash(ds.spec.template);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const byNode = new Map<string, Pod[]>();
  for (const p of pods.filter(isPodActive)) {
    const n = p.spec.nodeName ?? '';
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const create: string[] = [];
  const del: Pod[] = [];
  const outdated: Pod[] = [];
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  const nodeNames = new Set(nodes.map((n) => n.metadata.name ?? ''));
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const fit = nodeFit(ds, node);
    const here = byNode.get(name) ?? [];
    if (fit.run) desired++;
    if (!fit.run && !fit.keep) {
      del.push(...here);
      if (here.length > 0) misscheduled++;
      continue;
    }
    if (!fit.run && here.length > 0) misscheduled++;
    if (here.length === 0) {
      if (fit.run) create.push(name);
      continue;
    }
    // Keep the oldest-looking one (current revision first); extras go.
    const sorted = [...here].sort((a, b) => Number(b.metadata.labels?.[REVISION_HASH_LABEL] === hash) - Number(a.metadata.labels?.[REVISION_HASH_LABEL] === hash) || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    const [keep, ...extra] = sorted as [Pod, ...Pod[]];
    del.push(...extra);
    if (fit.run) {
      current++;
      if (isPodReady(keep)) ready++;
      if (isPodAvailable(keep, minReady, nowMs)) available++;
      if (keep.metadata.labels?.[REVISION_HASH_LABEL] === hash) updated++;
      else outdated.push(keep);
    }
  }
  // Pods on nodes that no longer exist.
  for (const [n, ps] of byNode) if (!nodeNames.has(n)) del.push(...ps);

  const strategy = ds.spec.updateStrategy;
  if (strategy.type === 'RollingUpdate') {
    const maxUnavailable = Math.max(1, scaledValue(strategy.rollingUpdate?.maxUnavailable ?? 1, desired, false));
    let unavailable = desired - available;
    for (const p of outdated) {
      const avail = isPodAvailable(p, minReady, nowMs);
      if (!avail) del.push(p); // already unavailable: replacing it costs nothing
      else if (unavailable < maxUnavailable) {
        del.push(p);
        unavailable++;
      }
    }
  }
  const status = {
    ...(ds.status ?? {}),
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: Math.max(0, desired - available),
    observedGeneration: ds.metadata.generation ?? 0,
  } as NonNullable<DaemonSet['status']>;
  return { create, delete: del, status, hash };
}
