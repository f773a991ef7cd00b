// The pure core of the ReplicaSet / ReplicationController controller: given the owner, the pods
// of its namespace and what the informer has confirmed, what to adopt, release, create, delete,
// and the status to report.
import type { KubeObject } from '../../../api/kind.js';
import type { Pod, PodTemplateSpec } from '../../../api/index.js';
import { claim } from '../shared/owner-refs.js';
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable } from '../shared/pod-state.js';
import { newControllerRef } from '../shared/owner-refs.js';

/** At most this many creations or deletions per sync (Kubernetes' burstReplicas). */
export const BURST_REPLICAS = 500;

export interface ReplicaInput {
  readonly owner: KubeObject;
  readonly replicas: number;
  readonly minReadySeconds: number;
  readonly matches: (p: Pod) => boolean;
  /** Every pod of the owner's namespace (from the cache). */
  readonly pods: readonly Pod[];
  readonly nowMs: number;
  /** False while earlier creations/deletions are not yet seen: then only adopt/release/status. */
  readonly expectationsSatisfied: boolean;
}

export interface ReplicaStatusCounts {
  readonly replicas: number;
  readonly fullyLabeledReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
}

export interface ReplicaPlan {
  readonly adopt: Pod[];
  readonly release: Pod[];
  readonly create: number;
  /** In the order they should go. */
  readonly delete: Pod[];
  readonly status: ReplicaStatusCounts;
  /** When a ready pod will turn available (minReadySeconds): sync again then. */
  readonly requeueAfterMs: number | undefined;
}

export function planReplicas(input: ReplicaInput): ReplicaPlan {
  const { owned, adopt, release } = claim(input.owner, input.pods, input.matches);
  const active = owned.filter(isPodActive);
  let create = 0;
  let del: Pod[] = [];
  const diff = active.length - input.replicas;
  if (input.expectationsSatisfied && input.owner.metadata.deletionTimestamp === undefined) {
    if (diff < 0) create = Math.min(-diff, BURST_REPLICAS);
    else if (diff > 0) del = rankForDeletion(active).slice(0, Math.min(diff, BURST_REPLICAS));
  }
  let requeueAfterMs: number | undefined;
  for (const p of active) {
    const ms = msUntilAvailable(p, input.minReadySeconds, input.nowMs);
    if (ms !== undefined && ms > 0) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, ms + 50);
  }
  const status: ReplicaStatusCounts = {
    replicas: active.length,
    fullyLabeledReplicas: active.length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((p) => isPodAvailable(p, input.minReadySeconds, input.nowMs)).length,
  };
  return { adopt, release, create, delete: del, status, requeueAfterMs };
}

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

const created = (p: Pod): number => {
  const t = Date.parse(p.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
};

/**
 * Pods in the order a scale-down removes them: not yet scheduled first, then Pending before
 * Unknown before Running, not ready before ready, then the newest first (name breaks ties).
 */
export function rankForDeletion(pods: readonly Pod[]): Pod[] {
  const scheduled = (p: Pod): number => ((p.spec.nodeName ?? '') === '' ? 0 : 1);
  return [...pods].sort(
    (a, b) =>
      scheduled(a) - scheduled(b) ||
      (PHASE_ORDER[a.status?.phase ?? 'Pending'] ?? 0) - (PHASE_ORDER[b.status?.phase ?? 'Pending'] ?? 0) ||
      Number(isPodReady(a)) - Number(isPodReady(b)) ||
      created(b) - created(a) ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

/** Slow start: batches of 1, 2, 4, ... adding up to n (a failing batch stops the rest). */
export function slowStartBatches(n: number): number[] {
  const out: number[] = [];
  let left = n;
  for (let size = 1; left > 0; size *= 2) {
    const b = Math.min(size, left);
    out.push(b);
    left -= b;
  }
  return out;
}

/** The pod an owner creates from its template. */
export function podFromTemplate(owner: KubeObject, template: PodTemplateSpec, extraLabels: Readonly<Record<string, string>> = {}): Pod {
  const tm = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name ?? 'pod'}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(tm.labels ?? {}), ...extraLabels },
      ...(tm.annotations === undefined ? {} : { annotations: { ...tm.annotations } }),
      ownerReferences: [newControllerRef(owner)],
    },
    spec: structuredClone(template.spec),
  } as Pod;
}
