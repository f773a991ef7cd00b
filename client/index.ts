// Shoal's typed API client: connection with failover and retries, typed CRUD and watch per
// resource, informers (list+watch caches with handlers), and the ~/.shoal/config file.
//
//   const { config, path } = await loadConfig({ env: process.env, homeDir: os.homedir() });
//   const client = new ShoalClient(await clientOptionsFromConfig(config, path));
//   const pods = client.resource('pods');                 // ResourceClient<Pod>, config namespace
//   await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { ... } });
//   await client.resource('deployments').updateWithRetry('web', (d) => { d.spec.replicas = 3; return d; });
//   for await (const ev of pods.watch({ resourceVersion: list.resourceVersion })) { ... }
//   const inf = client.informer('pods', { namespace: '', fieldSelector: `spec.nodeName=${node}` });
//   inf.addHandlers({ onAdd, onUpdate, onDelete }); inf.start(); await inf.waitForSync();
//   client.close();
//
// Retry rules: reads, list, watch, discovery, version are retried across servers with backoff.
// Writes are retried only when they provably never reached a server (connect refused); otherwise
// they fail with reason OutcomeUnknown and are never resent blindly — updateWithRetry (a CAS loop)
// is the safe way to retry an update; a create that is OutcomeUnknown should be checked with get.
export { ShoalClient } from './shoal-client.js';
export type { ShoalClientOptions, ApiResource, ComponentStatus, Member, VersionResponse } from './shoal-client.js';
export { Connection, defaultRetryPolicy, validateServer } from './connection.js';
export type { CallKind, CallOptionsIn, ConnectionOptions, RetryPolicy } from './connection.js';
export { channelCredentials, callMetadata, insecureCredentials } from './credentials.js';
export type { ClientCredentials } from './credentials.js';
export { backoffDelay, defaultBackoff, validateBackoff } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { systemClock, systemRng } from './clock.js';
export type { Clock, Rng } from './clock.js';
export { buildInfo, gitCommitOf, sourceBuildInfo, versionLine, versionReport } from './build-info.js';
export type { BuildInfo, VersionReport } from './build-info.js';
export {
  ApiError,
  ApiErrorReason,
  isAlreadyExists,
  isCancelled,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isOutcomeUnknown,
  isTimeout,
  isUnauthorized,
  isUnavailable,
  neverSent,
  parseCauses,
  reasonForCode,
  toApiError,
} from './errors.js';
export type { StatusCause } from './errors.js';
export { ResourceClient, PropagationPolicy } from './resource-client.js';
export type { DeleteOptions, ListOptions, MergePatch, NamespaceOption, ObjectList, ResourceWatchOptions, WriteOptions } from './resource-client.js';
export { Watch } from './watch.js';
export type { WatchEvent, WatchEventType, WatchOptions } from './watch.js';
export { updateWithRetry } from './update-with-retry.js';
export type { UpdatableResource, UpdateWithRetryOptions } from './update-with-retry.js';
export { objectKey } from './object-json.js';
export {
  ConfigError,
  ConfigErrorCode,
  clientOptionsFromConfig,
  configPath,
  defaultConfig,
  loadConfig,
  parseConfig,
  saveConfig,
  serializeConfig,
  validateConfig,
} from './config.js';
export type { ConfigLocation, CredentialsConfig, LoadedConfig, ShoalConfig } from './config.js';
export { Informer } from './informer.js';
export type { InformerHandlers, InformerOptions, ListerWatcher } from './informer.js';
export { CacheStore, byNamespace, namespaceIndex } from './cache-store.js';
export type { CacheReader, IndexFunc } from './cache-store.js';
export { applyWatchEvent, compareResourceVersions, relistDiff } from './cache-events.js';
export type { CacheEvent } from './cache-events.js';
export type { InputOf, ObjectOf, ResourceName, ResourceTypes } from './resource-types.js';
export { PodStreams } from './pod-streams.js';
export type { ImageLoadOptions, OutputSink, PodExecOptions, PodLogsOptions } from './pod-streams.js';
