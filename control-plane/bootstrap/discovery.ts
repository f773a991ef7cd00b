// Discovery for join (kubeadm's token discovery, with the CA pinned by hash): read
// kube-public/cluster-info anonymously over TLS without verifying the server (we do not know
// the CA yet), and accept its CA only when its public key hashes to --ca-cert-hash. Everything
// after that verifies the server against the pinned CA.
import { credentials, Metadata } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { ApiClient } from '../../proto/gen/shoal/api/v1/api.js';
import { checkCaCertHash, PkiError } from '../pki/index.js';
import { BootstrapError } from './bootstrap-error.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, clusterInfoServers } from './cluster-objects.js';

export interface ClusterInfo {
  readonly caCert: string;
  readonly servers: readonly string[];
}

/** Pure: the CA and servers of a cluster-info object, the CA checked against the pin. */
export function verifiedClusterInfo(cm: { data?: Record<string, string> }, caCertHash: string): ClusterInfo {
  const caCert = cm.data?.['ca.crt'];
  if (caCert === undefined || caCert === '') throw new BootstrapError('discovery-failed', `${CLUSTER_INFO_NAMESPACE}/${CLUSTER_INFO_NAME} has no ca.crt`);
  try {
    checkCaCertHash(caCert, caCertHash);
  } catch (e) {
    if (e instanceof PkiError) throw new BootstrapError('ca-hash-mismatch', `${e.message}; refusing to trust this cluster (check --ca-cert-hash, or the address: someone may be in the middle)`, { cause: e });
    throw e;
  }
  return { caCert, servers: clusterInfoServers(cm) };
}

/** Reads cluster-info from `server` (tls: unverified TLS; otherwise plaintext for an API server without TLS). */
export function fetchClusterInfo(server: string, tls: boolean, timeoutMs = 15_000): Promise<{ data?: Record<string, string> }> {
  const creds = tls ? credentials.createSsl(null, null, null, { rejectUnauthorized: false }) : credentials.createInsecure();
  const client = new ApiClient(server, creds);
  return new Promise<{ data?: Record<string, string> }>((resolve, reject) => {
    client.get(
      { resource: 'configmaps', namespace: CLUSTER_INFO_NAMESPACE, name: CLUSTER_INFO_NAME },
      new Metadata(),
      { deadline: new Date(Date.now() + timeoutMs) },
      (e: ServiceError | null, r) => {
        if (e !== null) reject(new BootstrapError('discovery-failed', `${server}: ${e.details || e.message}`, { cause: e }));
        else {
          try {
            resolve(JSON.parse(Buffer.from(r.object).toString('utf8')) as { data?: Record<string, string> });
          } catch (err) {
            reject(new BootstrapError('discovery-failed', `${server}: cluster-info is not JSON`, { cause: err }));
          }
        }
      },
    );
  }).finally(() => client.close());
}
