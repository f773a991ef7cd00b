// The pure core of the StatefulSet controller. Pods have stable names <set>-0 … <set>-(N-1).
// - OrderedReady: one step per sync; pod i is created only when 0..i-1 are Running and Ready;
//   scale-down removes the highest ordinal first, one at a time, after the others are ready.
//   Parallel: every missing pod at once, every extra at once.
// - A Failed pod is deleted (it comes back with the same name).
// - RollingUpdate: outdated pods with ordinal >= partition are replaced from the highest ordinal
//   down, one at a time, only while every pod is Running and Ready. OnDelete: never.
// - volumeClaimTemplates: each pod gets a persistentVolumeClaim volume per template, claim
//   <template>-<set>-<ordinal>: the agent makes it a local directory (<data-dir>/volumes/<ns>/<claim>)
//   on the node that first ran that ordinal, and keeps it; the pod is pinned to that node.
import type { Pod, StatefulSet } from '../../../api/index.js';
import { isPodActive, isPodReady } from '../shared/pod-state.js';
import { podTemplateHash } from '../../../workloads/index.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** Annotation on the set: JSON {ordinal: node} of where each ordinal's volumes live. */
export const VOLUME_NODES_ANNOTATION = 'shoal.io/volume-nodes';

export type StatefulAction = { readonly type: 'create'; readonly ordinal: number } | { readonly type: 'delete'; readonly pod: Pod; readonly reason: string };

export interface StatefulPlan {
  readonly actions: StatefulAction[];
  readonly status: NonNullable<StatefulSet['status']>;
  readonly hash: string;
}

export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata.name ?? ''}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

const runningReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p) && p.metadata.deletionTimestamp === undefined;

export function planStatefulSet(set: StatefulSet, pods: readonly Pod[]): StatefulPlan {
  const hash = podTemplateHash(set.spec.template);
  const n = set.spec.replicas;
  const ordered = set.spec.podManagementPolicy !== 'Parallel';
  const byOrdinal = new Map<number, Pod>();
  for (const p of pods) {
    const i = ordinalOf(set, p);
    if (i !== undefined) byOrdinal.set(i, p);
  }
  const actions: StatefulAction[] = [];
  const terminating = [...byOrdinal.values()].some((p) => p.metadata.deletionTimestamp !== undefined);

  // Failed pods go first (they come back under the same name).
  for (const p of byOrdinal.values()) if (p.status?.phase === 'Failed' && p.metadata.deletionTimestamp === undefined) actions.push({ type: 'delete', pod: p, reason: 'failed' });

  // Scale up / replace missing, in ordinal order.
  for (let i = 0; i < n; i++) {
    const p = byOrdinal.get(i);
    if (p === undefined) {
      actions.push({ type: 'create', ordinal: i });
      if (ordered) break;
      continue;
    }
    if (ordered && !runningReady(p)) break; // wait for this one before the next
  }
  const creating = actions.some((a) => a.type === 'create');
  // Scale down, highest ordinal first.
  const extra = [...byOrdinal.entries()].filter(([i, p]) => i >= n && p.metadata.deletionTimestamp === undefined).sort(([a], [b]) => b - a);
  if (extra.length > 0 && !creating) {
    if (!ordered) for (const [, p] of extra) actions.push({ type: 'delete', pod: p, reason: 'scale down' });
    else if (!terminating && [...byOrdinal.entries()].every(([i, p]) => i >= n || runningReady(p))) actions.push({ type: 'delete', pod: extra[0]![1], reason: 'scale down' });
  }
  // Rolling update, highest ordinal first, one at a time, only when all is well.
  const strategy = set.spec.updateStrategy;
  if (strategy.type === 'RollingUpdate' && actions.length === 0 && !terminating) {
    const partition = strategy.rollingUpdate?.partition ?? 0;
    const all = [...byOrdinal.entries()].filter(([i]) => i < n);
    if (all.length === n && all.every(([, p]) => runningReady(p))) {
      const outdated = all.filter(([i, p]) => i >= partition && p.metadata.labels?.[REVISION_LABEL] !== hash).sort(([a], [b]) => b - a);
      if (outdated.length > 0) actions.push({ type: 'delete', pod: outdated[0]![1], reason: 'rolling update' });
    }
  }
  const live = [...byOrdinal.values()].filter(isPodActive);
  const status = {
    ...(set.status ?? {}),
    observedGeneration: set.metadata.generation ?? 0,
    replicas: live.length,
    readyReplicas: live.filter(isPodReady).length,
    availableReplicas: live.filter(isPodReady).length,
    updatedReplicas: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === hash).length,
    currentReplicas: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === hash).length,
    currentRevision: hash,
    updateRevision: hash,
  } as NonNullable<StatefulSet['status']>;
  return { actions, status, hash };
}

/** The pod for `ordinal`: stable name and hostname, local volumes, pinned to its volumes' node. */
export function statefulPod(set: StatefulSet, ordinal: number, hash: string, volumeNode: string | undefined): Pod {
  const name = `${set.metadata.name ?? ''}-${ordinal}`;
  const tm = set.spec.template.metadata ?? {};
  const claims = (set.spec.volumeClaimTemplates ?? []).map((c) => ({
    name: c.metadata.name,
    persistentVolumeClaim: { claimName: `${c.metadata.name}-${set.metadata.name ?? ''}-${ordinal}` },
  }));
  const spec = structuredClone(set.spec.template.spec);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...(tm.labels ?? {}), [REVISION_LABEL]: hash, [POD_NAME_LABEL]: name },
      ...(tm.annotations ? { annotations: { ...tm.annotations } } : {}),
      ownerReferences: [{ apiVersion: set.apiVersion, kind: set.kind, name: set.metadata.name ?? '', uid: set.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      ...spec,
      hostname: name,
      ...(set.spec.serviceName ? { subdomain: set.spec.serviceName } : {}),
      volumes: [...(spec.volumes ?? []).filter((v) => !claims.some((c) => c.name === v.name)), ...claims],
      ...(volumeNode !== undefined ? { nodeName: volumeNode } : {}),
    },
  } as unknown as Pod;
}

export function volumeNodes(set: StatefulSet): Record<string, string> {
  try {
    const v: unknown = JSON.parse(set.metadata.annotations?.[VOLUME_NODES_ANNOTATION] ?? '{}');
    return typeof v === 'object' && v !== null ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}
