// The chaos harness: a Cluster to break (EtcdCluster now, ShoalCluster later), a workload that
// records a history, a nemesis, a resuming watcher, and runChaos tying them to the checkers.
export type { Cluster, MemberInfo, MemberState } from './cluster.js';
export { ClusterError, ClusterErrorCode } from './cluster.js';
export { EtcdCluster } from './etcd-cluster.js';
export { createShoalCluster, SHOAL_LAUNCHER } from './shoal-cluster.js';
export type { ShoalClusterOptions } from './shoal-cluster.js';
export { MemoryCluster } from './memory-cluster.js';
export type { EtcdClusterOptions } from './etcd-cluster.js';
export { classifyWriteError, errorMessage } from './etcd-errors.js';
export type { ClassifiedError, ErrorCertainty } from './etcd-errors.js';
export { freePorts, waitForPort } from './free-port.js';
export { Nemesis, describeNemesisAction } from './nemesis.js';
export type { FaultKind, NemesisAction, NemesisActionKind, NemesisOptions } from './nemesis.js';
export { pick, pickWeighted, seededRng } from '../support/random.js';
export type { Rng } from '../support/random.js';
export { ResumingWatcher } from './resuming-watcher.js';
export type { ResumingWatcherOptions, WatchedEvent } from './resuming-watcher.js';
export { prefixEnd, runChaos } from './run-chaos.js';
export type { ChaosOptions, ChaosReport } from './run-chaos.js';
export { summarize } from './summary.js';
export type { SummaryInput } from './summary.js';
export { checkWatch } from './watch-check.js';
export type { WatchCheckInput, WatchCheckResult } from './watch-check.js';
export { runWorkload } from './workload.js';
export type { AcknowledgedChange, WorkloadOptions, WorkloadResult } from './workload.js';
