// The `kubernetes` Service and its Endpoints (pure), after Kubernetes' lease endpoint reconciler:
// every API server holds a Lease in kube-system (apiserver-<name>, its advertise address in an
// annotation) and renews it; the Endpoints default/kubernetes list the addresses of the API
// servers whose lease is live. A server that stops cleanly deletes its lease and removes itself;
// one that dies drops out when its lease expires.
import type { KubeObject } from '../../api/kind.js';

export const KUBERNETES_SERVICE = { namespace: 'default', name: 'kubernetes' } as const;
export const APISERVER_LEASE_NAMESPACE = 'kube-system';
export const APISERVER_LEASE_PREFIX = 'apiserver-';
/** Marks the API servers' leases (Kubernetes' apiserver identity lease label). */
export const APISERVER_LEASE_LABEL = 'apiserver.kubernetes.io/identity';
export const ADVERTISE_ANNOTATION = 'shoal.io/advertise-address';

export interface Advertise {
  readonly ip: string;
  readonly port: number;
}

export function kubernetesService(clusterIP: string, port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: KUBERNETES_SERVICE.name, namespace: KUBERNETES_SERVICE.namespace, labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], sessionAffinity: 'None', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
  };
}

/** The lease name of an API server (a DNS subdomain made from its name). */
export const leaseName = (serverName: string): string => `${APISERVER_LEASE_PREFIX}${serverName.toLowerCase().replace(/[^a-z0-9.-]/g, '-')}`.slice(0, 253);

export function apiServerLease(serverName: string, advertise: Advertise, durationSeconds: number, now: Date, previous?: KubeObject): KubeObject {
  const renewTime = now.toISOString();
  const prevSpec = (previous?.spec ?? {}) as { acquireTime?: string };
  return {
    ...(previous ?? {}),
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(previous?.metadata ?? {}),
      name: leaseName(serverName),
      namespace: APISERVER_LEASE_NAMESPACE,
      labels: { ...(previous?.metadata.labels ?? {}), [APISERVER_LEASE_LABEL]: 'kube-apiserver' },
      annotations: { ...(previous?.metadata.annotations ?? {}), [ADVERTISE_ANNOTATION]: `${advertise.ip}:${advertise.port}` },
    },
    spec: { holderIdentity: serverName, leaseDurationSeconds: durationSeconds, acquireTime: prevSpec.acquireTime ?? renewTime, renewTime },
  };
}

/** An API server lease's address, if it is one and live at now. */
export function liveAddress(lease: KubeObject, now: Date): Advertise | undefined {
  if (lease.metadata.labels?.[APISERVER_LEASE_LABEL] === undefined) return undefined;
  const spec = (lease.spec ?? {}) as { renewTime?: string; leaseDurationSeconds?: number };
  const renewed = Date.parse(spec.renewTime ?? '');
  if (Number.isNaN(renewed) || renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime()) return undefined;
  const m = /^(.+):(\d+)$/.exec(lease.metadata.annotations?.[ADVERTISE_ANNOTATION] ?? '');
  return m === null ? undefined : { ip: m[1]!, port: Number(m[2]) };
}

/** The Endpoints subsets for these addresses: one subset per port, addresses sorted. */
export function endpointSubsets(addresses: readonly Advertise[]): unknown[] {
  const byPort = new Map<number, Set<string>>();
  for (const a of addresses) byPort.set(a.port, (byPort.get(a.port) ?? new Set()).add(a.ip));
  return [...byPort.keys()]
    .sort((a, b) => a - b)
    .map((port) => ({ addresses: [...byPort.get(port)!].sort().map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }));
}
