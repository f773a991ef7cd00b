// `shoal-agent join <host:port> --token T --ca-cert-hash sha256:H`: the bootstrap of a node's
// identity, as kubeadm does it.
//   1. read kube-public/cluster-info anonymously, TLS unverified (C2);
//   2. pin its CA with the hash — a mismatch stops here;
//   3. with TLS verified against that CA and the bootstrap token, send a CSR for
//      CN=system:node:<name>, O=system:nodes (C4) and take the signed certificate;
//   4. only then write pki/ca.crt, node.key, node.crt and agent.yaml.
// Any failure before step 4 leaves the data dir as it was.
import { hostname } from 'node:os';
import { ShoalClient, validateServer } from '../../client/index.js';
import type { Clock } from '../../client/index.js';
import { BOOTSTRAP_TOKEN_PATTERN, checkCaCertHash, PkiError } from '../../control-plane/pki/index.js';
import { saveAgentConfig, validNodeName } from './agent-config-file.js';
import type { AgentConfigFile } from './agent-config-file.js';
import { fetchClusterInfo, joinRetryPolicy } from './cluster-info.js';
import { JoinError, JoinErrorCode } from './join-error.js';
import { nodePaths, writeNodeCredentials } from './node-files.js';
import type { NodePaths } from './node-files.js';
import { requestNodeCertificate } from './request-certificate.js';
import type { IssuedNodeCertificate } from './request-certificate.js';

export const DEFAULT_DATA_DIR = '/var/lib/shoal';
const CA_HASH = /^sha256:[0-9a-f]{64}$/;

export interface JoinOptions {
  /** host:port of one API server. */
  readonly server: string;
  readonly token: string;
  readonly caCertHash: string;
  readonly dataDir: string;
  readonly nodeName: string;
  /** How long to wait for a CSR the server does not sign at once (default 60 s). */
  readonly csrTimeoutMs?: number;
}

export interface JoinResult {
  readonly paths: NodePaths;
  readonly config: AgentConfigFile;
  readonly csrName: string;
}

export const JOIN_USAGE = `usage: shoal-agent join <api-host:port> --token <id.secret> --ca-cert-hash sha256:<hex>
                        [--data-dir <dir>] [--node-name <name>]`;

/** Parses `join` arguments (argv after "join"). Pure, except for the host name default. */
export function parseJoinArgs(values: { token?: string | undefined; 'ca-cert-hash'?: string | undefined; 'data-dir'?: string | undefined; 'node-name'?: string | undefined }, positionals: readonly string[]): JoinOptions {
  const bad = (detail: string): never => {
    throw new JoinError(JoinErrorCode.BadArgs, `${detail}\n${JOIN_USAGE}`);
  };
  if (positionals.length !== 1) bad(`want exactly one API server address (host:port), got ${positionals.length}`);
  const server = positionals[0]!;
  const problem = validateServer(server);
  if (problem !== undefined) bad(`API server address: ${problem}`);
  const token = values.token ?? bad('--token is required (the line "shoalctl token create" prints has it)');
  // The token is never echoed: it is a credential.
  if (!BOOTSTRAP_TOKEN_PATTERN.test(token)) bad('--token: want "<6 of [a-z0-9]>.<16 of [a-z0-9]>"');
  const caCertHash = (values['ca-cert-hash'] ?? bad('--ca-cert-hash is required (sha256:<64 hex>, printed by "shoalctl token create")')).trim().toLowerCase();
  if (!CA_HASH.test(caCertHash)) bad(`--ca-cert-hash: want "sha256:" and 64 hex digits, got "${values['ca-cert-hash']}"`);
  const nodeName = (values['node-name'] ?? hostname()).toLowerCase();
  const nameProblem = validNodeName(nodeName);
  if (nameProblem !== undefined) bad(`--node-name: ${nameProblem}`);
  return { server, token, caCertHash, dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR, nodeName };
}

export async function joinCluster(o: JoinOptions, deps: { clock: Clock }): Promise<JoinResult> {
  const info = await fetchClusterInfo(o.server, deps.clock);
  try {
    checkCaCertHash(info.caPem, o.caCertHash);
  } catch (e) {
    if (e instanceof PkiError) {
      throw new JoinError(JoinErrorCode.CaHashMismatch, `the cluster CA served by ${o.server} does not match --ca-cert-hash ${o.caCertHash}: ${e.message}. Nothing was written. Check the hash (shoalctl token create prints it) and that ${o.server} is your cluster.`, { cause: e });
    }
    throw e;
  }
  // The address the user gave first, then the others the cluster publishes.
  const servers = [o.server, ...info.servers.filter((s) => s !== o.server)];
  const client = new ShoalClient({ servers, credentials: { kind: 'tls', ca: Buffer.from(info.caPem), token: o.token }, retry: joinRetryPolicy, callTimeoutMs: 15_000, clock: deps.clock });
  let issued: IssuedNodeCertificate;
  try {
    issued = await requestNodeCertificate(client, { nodeName: o.nodeName, caPem: info.caPem, credentialName: 'the bootstrap token', ...(o.csrTimeoutMs === undefined ? {} : { timeoutMs: o.csrTimeoutMs }) });
  } finally {
    client.close();
  }
  const paths = nodePaths(o.dataDir);
  await writeNodeCredentials(paths, { caPem: info.caPem, certPem: issued.certPem, keyPem: await issued.key.toPem() });
  const config: AgentConfigFile = { servers: info.servers, nodeName: o.nodeName, ca: paths.ca, cert: paths.cert, key: paths.key };
  await saveAgentConfig(paths.config, config);
  return { paths, config, csrName: issued.csrName };
}
