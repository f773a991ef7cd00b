// `shoal-control-plane init` and `join` (issue 5, "Bootstrap and PKI"): planning of a host's
// flag set, SANs and state file is pure; the data directory, discovery, the store's membership
// and the API calls are the I/O edges.
export { BOOTSTRAP_ERRORS, BootstrapError } from './bootstrap-error.js';
export type { BootstrapErrorCode } from './bootstrap-error.js';
export { dataDirLayout } from './data-dir-layout.js';
export type { DataDirLayout } from './data-dir-layout.js';
export { DEFAULT_PORTS, INIT_USAGE, JOIN_USAGE, parseInitOptions, parseJoinOptions } from './host-options.js';
export type { HostOptions, HostPorts, JoinOptions } from './host-options.js';
export { allSans, hostSans } from './host-sans.js';
export { ALL_FEATURES, CLUSTER_TOKEN, apiServer, clientUrl, controlPlaneFlags, flagArgs, foundingCluster, hostPort, peerUrl } from './control-plane-flags.js';
export type { ClusterMember, ClusterPlan, Features, FlagSet, FlagValue } from './control-plane-flags.js';
export { expandConfigFile, parseFlagsYaml, readFlagsFile, renderStateFile, takeConfigFile, writeStateFile } from './state-file.js';
export { CERTS_SECRET_NAME, CERTS_SECRET_NAMESPACE, certsSecret, generateCertificateKey, openBundle, sealBundle, sealedOf } from './certificate-bundle.js';
export type { CertificateBundle } from './certificate-bundle.js';
export { BOOTSTRAPPERS_GROUP, CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, DEFAULT_TOKEN_GROUP, certsReaderBinding, certsReaderRole, clusterInfo, clusterInfoServers, initBootstrapToken, joinLines, withServer } from './cluster-objects.js';
export type { JoinLines } from './cluster-objects.js';
export { clientConfig } from './client-configs.js';
export { fetchClusterInfo, verifiedClusterInfo } from './discovery.js';
export type { ClusterInfo } from './discovery.js';
export { StoreMembership, clusterMembers } from './store-membership.js';
export { readClusterRanges, withClusterRanges } from './cluster-service-ranges.js';
export type { ClusterRanges } from './cluster-service-ranges.js';
export type { StoreClientTls } from './store-membership.js';
export { detectFeatures } from './features.js';
export { prepareInit } from './init.js';
export type { BootstrapDeps, HostRun } from './init.js';
export { prepareJoin } from './join.js';
