// The service proxy's I/O side: the iptables executor (one back end's binaries), back-end
// detection on the host, the proxier (informers → change tracker → rate-limited sync → restore),
// the canary and jump-rule checks, metrics, and cleanup of both back ends.
export { CommandIptables, IptablesError, IptablesErrorCode, iptablesBinary, restoreError } from './iptables-executor.js';
export type { CommandIptablesOptions, IptablesExecutor, IptablesResult } from './iptables-executor.js';
export { probeBackend } from './backend-probe.js';
export type { ProbeOptions, ProbedBackend } from './backend-probe.js';
export { ChangeTracker } from './change-tracker.js';
export type { PendingChanges } from './change-tracker.js';
export { SyncRunner } from './sync-runner.js';
export type { SyncRunnerOptions } from './sync-runner.js';
export { CANARY_TABLES, ensureCanary, ensureJumpRules, missingHostRules } from './host-checks.js';
export type { CanaryTable } from './host-checks.js';
export { ProxyMetrics } from './proxy-metrics.js';
export type { SyncMode } from './proxy-metrics.js';
export { applyRuleset, stageRestore, DEFAULT_CHUNK_CHAINS } from './apply-ruleset.js';
export { ServiceProxier } from './proxier.js';
export type { ProxierConfig, ProxierDeps, SyncReport } from './proxier.js';
export { cleanupServiceProxy, cleanupBackend, foreignJumps, splitRuleWords } from './cleanup.js';
export type { ProxyCleanupResult } from './cleanup.js';
