// Joining a cluster and keeping the node's identity fresh: `shoal-agent join` (cluster-info
// discovery pinned by the CA hash, bootstrap-token CSR, files on disk), agent.yaml for
// `shoal-agent run`, and certificate rotation before expiry.
export { JoinError, JoinErrorCode } from './join-error.js';
export { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, fetchClusterInfo, joinRetryPolicy, parseClusterInfo } from './cluster-info.js';
export type { ClusterInfo } from './cluster-info.js';
export { CSR_API_VERSION, CSR_KIND, CSR_RESOURCE, NODE_CLIENT_SIGNER, NODE_CLIENT_USAGES, csrOutcome, nodeCsrObject, nodeSubject } from './node-csr.js';
export type { CertificateSigningRequest, CsrCondition, CsrOutcome } from './node-csr.js';
export { DEFAULT_CSR_TIMEOUT_MS, apiFailure, requestNodeCertificate } from './request-certificate.js';
export type { IssuedNodeCertificate, RequestOptions } from './request-certificate.js';
export { AGENT_CONFIG_FILE, loadNodeCredentials, nodePaths, writeNodeCredentials } from './node-files.js';
export type { NodeCredentials, NodePaths } from './node-files.js';
export { loadAgentConfig, parseAgentConfig, saveAgentConfig, serializeAgentConfig, validNodeName } from './agent-config-file.js';
export type { AgentConfigFile } from './agent-config-file.js';
export { DEFAULT_DATA_DIR, JOIN_USAGE, joinCluster, parseJoinArgs } from './join.js';
export type { JoinOptions, JoinResult } from './join.js';
export { CertificateRotator, ROTATION_WINDOW, certificateWindow, renewNodeCertificate, retryDelay, rotationDeadline } from './rotation.js';
export type { RotatorOptions } from './rotation.js';
export { resolveRunConfig } from './run-config.js';
export type { ResolvedRun, RunFlags } from './run-config.js';
