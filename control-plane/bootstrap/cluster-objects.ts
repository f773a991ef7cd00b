// The objects init publishes once its API server answers (pure): ConfigMap
// kube-public/cluster-info (contract C2), a bootstrap token Secret (C3), and the Role +
// RoleBinding that let bootstrap tokens read the sealed control-plane certificates — and
// nothing else in kube-system. Also the join lines init prints.
import type { KubeObject } from '../../api/kind.js';
import { bootstrapTokenSecret } from '../apiserver/security/index.js';
import { CERTS_SECRET_NAME, CERTS_SECRET_NAMESPACE } from './certificate-bundle.js';

export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
export const DEFAULT_TOKEN_GROUP = 'system:bootstrappers:shoal:default-node-token';
export const DEFAULT_TOKEN_TTL_MS = 24 * 3_600_000;
export const CERTS_READER_NAME = 'shoal:bootstrap-control-plane-certs';

export function clusterInfo(caCertPem: string, servers: readonly string[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CLUSTER_INFO_NAME, namespace: CLUSTER_INFO_NAMESPACE },
    data: { 'ca.crt': caCertPem, servers: servers.join(',') },
  } as KubeObject;
}

/** The servers listed by a cluster-info ConfigMap. */
export function clusterInfoServers(cm: { data?: Record<string, string> }): string[] {
  return (cm.data?.['servers'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** cluster-info's servers with `server` added (kept in order, no duplicates). */
export function withServer(servers: readonly string[], server: string): string[] {
  return servers.includes(server) ? [...servers] : [...servers, server];
}

export function certsReaderRole(): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: CERTS_READER_NAME, namespace: CERTS_SECRET_NAMESPACE },
    rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [CERTS_SECRET_NAME], verbs: ['get'] }],
  } as KubeObject;
}

export function certsReaderBinding(): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: CERTS_READER_NAME, namespace: CERTS_SECRET_NAMESPACE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: CERTS_READER_NAME },
    subjects: [{ kind: 'Group', name: BOOTSTRAPPERS_GROUP, apiGroup: 'rbac.authorization.k8s.io' }],
  } as KubeObject;
}

export function initBootstrapToken(token: string, now: Date, ttlMs = DEFAULT_TOKEN_TTL_MS): KubeObject {
  // RFC 3339 at second precision, as Kubernetes writes it.
  const expiration = new Date(Math.floor((now.getTime() + ttlMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return bootstrapTokenSecret({ token, expiration, extraGroups: [DEFAULT_TOKEN_GROUP], description: 'created by shoal-control-plane init' }) as unknown as KubeObject;
}

export interface JoinLines {
  readonly worker: string;
  readonly controlPlane: string;
}

export function joinLines(server: string, token: string, caHash: string, certificateKey: string): JoinLines {
  const base = `${server} --token ${token} --ca-cert-hash ${caHash}`;
  return {
    worker: `shoal-agent join ${base}`,
    controlPlane: `shoal-control-plane join ${base} --certificate-key ${certificateKey} --data-dir <dir> --name <name> --advertise-address <ip>`,
  };
}
