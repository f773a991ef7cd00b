// The public ConfigMap kube-public/cluster-info (contract C2): the cluster CA and the API
// servers. parseClusterInfo is pure; fetchClusterInfo reads it anonymously over TLS without
// verifying the server — the only trust comes from the caller pinning the CA with its hash.
import { X509Certificate } from 'node:crypto';
import { ShoalClient, isUnavailable, validateServer } from '../../client/index.js';
import type { Clock, RetryPolicy } from '../../client/index.js';
import type { KubeObject } from '../../api/index.js';
import { JoinError, JoinErrorCode } from './join-error.js';

export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';

export interface ClusterInfo {
  readonly caPem: string;
  /** host:port of every API server, in the order published. */
  readonly servers: readonly string[];
}

export function parseClusterInfo(cm: KubeObject): ClusterInfo {
  const bad = (detail: string): never => {
    throw new JoinError(JoinErrorCode.BadClusterInfo, `ConfigMap ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME}: ${detail}`);
  };
  const data = (cm as { data?: Record<string, unknown> }).data ?? {};
  const caPem = data['ca.crt'];
  if (typeof caPem !== 'string' || !caPem.includes('-----BEGIN CERTIFICATE-----')) return bad('data["ca.crt"] is missing or not a PEM certificate');
  try {
    new X509Certificate(caPem);
  } catch (e) {
    return bad(`data["ca.crt"] does not parse: ${(e as Error).message}`);
  }
  const rawServers = data['servers'];
  if (typeof rawServers !== 'string') return bad('data["servers"] is missing (want "host:port,host:port,...")');
  const servers = rawServers.split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) return bad('data["servers"] lists no API server');
  for (const s of servers) {
    const problem = validateServer(s);
    if (problem !== undefined) bad(`data["servers"]: ${problem}`);
  }
  return { caPem, servers };
}

/** A short retry budget: a join against a wrong address should fail in seconds, not minutes. */
export const joinRetryPolicy: RetryPolicy = { maxAttempts: 3, maxElapsedMs: 10_000, backoff: { initialMs: 200, factor: 2, maxMs: 2_000, jitter: 0.2 } };

export async function fetchClusterInfo(server: string, clock: Clock): Promise<ClusterInfo> {
  const client = new ShoalClient({ servers: [server], credentials: { kind: 'tls', skipServerVerification: true }, retry: joinRetryPolicy, callTimeoutMs: 10_000, clock });
  try {
    const cm = await client.resource('configmaps', CLUSTER_INFO_NAMESPACE).get(CLUSTER_INFO_NAME);
    return parseClusterInfo(cm);
  } catch (e) {
    if (e instanceof JoinError) throw e;
    if (isUnavailable(e)) throw new JoinError(JoinErrorCode.Unreachable, `cannot reach the API server at ${server} over TLS: ${(e as Error).message}`, { cause: e });
    throw new JoinError(JoinErrorCode.BadClusterInfo, `cannot read ConfigMap ${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} from ${server}: ${(e as Error).message}`, { cause: e });
  } finally {
    client.close();
  }
}
