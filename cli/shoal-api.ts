// What shoalctl needs from the API, as one narrow interface. The real implementation adapts
// client/ (failover, errors with codes and causes); tests may pass their own. Objects are plain
// KubeObjects; failures are thrown as the client throws them and turned into CliErrors by
// toCliError at the command edge.
import type { KubeObject } from '../api/kind.js';
import type { ImageLoadOptions, OutputSink, PodExecOptions, PodLogsOptions } from '../client/index.js';
import type { NodeStatsReply } from '../proto/gen/shoal/api/v1/tunnel.js';
import type { ComponentStatusView, MemberView } from './output/cluster-tables.js';
import type { DiscoveredResource } from './resources.js';

export interface ListOptions {
  /** undefined = all namespaces (or a cluster-scoped resource). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEventView {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

export interface WatchOptions extends ListOptions {
  /** Changes after this revision; "" = current state as ADDED events, then changes. */
  readonly resourceVersion: string;
}

export interface ServerVersion {
  readonly version: string;
  readonly gitCommit: string;
  readonly nodeVersion: string;
  readonly platform: string;
}

export interface ShoalApi {
  discovery(): Promise<DiscoveredResource[]>;
  get(resource: string, namespace: string, name: string): Promise<KubeObject>;
  list(resource: string, options: ListOptions): Promise<ListResult>;
  create(resource: string, namespace: string, object: KubeObject, dryRun: boolean): Promise<KubeObject>;
  /** A JSON merge patch; subresource "" (default) or e.g. "approval". */
  patch(resource: string, namespace: string, name: string, patch: unknown, dryRun: boolean, subresource?: string): Promise<KubeObject>;
  delete(resource: string, namespace: string, name: string, options: { gracePeriodSeconds?: number; dryRun: boolean }): Promise<KubeObject | undefined>;
  /** The pods/eviction subresource: deletes the pod honouring its grace period (or the one given). */
  evict(namespace: string, name: string, options: { gracePeriodSeconds?: number; dryRun: boolean }): Promise<KubeObject>;
  /** Calls onEvent for every event until signal aborts (resolves) or the stream fails (rejects). */
  watch(resource: string, options: WatchOptions, onEvent: (event: WatchEventView) => void, signal: AbortSignal): Promise<void>;
  version(): Promise<ServerVersion>;
  componentStatuses(): Promise<ComponentStatusView[]>;
  members(): Promise<MemberView[]>;
  /** A container's log into out (follow: until the container stops or options.signal aborts). */
  podLogs(options: PodLogsOptions, out: OutputSink): Promise<void>;
  /** Runs a command in a pod's container; resolves with its exit code. */
  podExec(options: PodExecOptions, stdout: OutputSink, stderr: OutputSink): Promise<number>;
  /** Streams a `docker save` tarball to a node's runtime; the image names it loaded. */
  imageLoad(options: ImageLoadOptions): Promise<{ readonly images: readonly string[]; readonly bytes: number }>;
  /** Usage of a node and its pods, measured now by its agent (shoalctl top). */
  nodeStats(node: string, signal?: AbortSignal): Promise<NodeStatsReply>;
  close(): void;
}
