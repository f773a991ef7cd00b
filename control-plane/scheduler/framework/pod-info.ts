// A pod with what the plugins need computed once (requests, host ports, owner) so a cycle over
// thousands of nodes parses nothing.
import type { Pod } from '../../../api/index.js';
import { nonZeroRequests, podRequests, type Resources } from './resources.js';

export interface PodInfo {
  readonly pod: Pod;
  /** "namespace/name" */
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly requests: Resources;
  readonly nonZero: { readonly milliCPU: number; readonly memory: number };
  /** "TCP/8080" for every host port of an app container (hostNetwork: every container port). */
  readonly hostPorts: readonly string[];
  /** uid of the controlling owner (ReplicaSet, StatefulSet...), if any. */
  readonly ownerUid: string | undefined;
  readonly priority: number;
  readonly hasRequiredAntiAffinity: boolean;
}

export function hostPortsOf(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of pod.spec.containers)
    for (const p of c.ports ?? []) {
      const port = p.hostPort ?? (pod.spec.hostNetwork ? p.containerPort : undefined);
      if (port !== undefined && port > 0) out.push(`${p.protocol ?? 'TCP'}/${port}`);
    }
  return out;
}

export function podInfo(pod: Pod): PodInfo {
  const namespace = pod.metadata.namespace ?? '';
  const requests = podRequests(pod);
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true);
  return {
    pod,
    key: `${namespace}/${pod.metadata.name ?? ''}`,
    uid: pod.metadata.uid ?? '',
    namespace,
    requests,
    nonZero: nonZeroRequests(requests),
    hostPorts: hostPortsOf(pod),
    ownerUid: owner?.uid,
    priority: pod.spec.priority ?? 0,
    hasRequiredAntiAffinity: (pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0,
  };
}
