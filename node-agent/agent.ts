// The node agent: registers the node and keeps its Lease and status fresh, watches the pods bound
// to it (field selector spec.nodeName) and runs one PodWorker loop per pod.
// - Edge autonomy: every pod seen is cached on disk; a restarted agent whose API server does not
//   answer within cachedPodsWaitMs runs the cached pods without it. When the API answers first,
//   its list decides: a cached pod it no longer binds here (evicted or deleted while this node was
//   off, its replacement running elsewhere) is never started again; its containers are removed.
// - Adoption: workers find their containers by label, so a restarted agent takes over running
//   containers without restarting them.
// - Containers of pods that no longer exist are removed, but only once the informer has synced
//   in this process (an agent that never reached the API server removes nothing).
// stop() ends the loops and leaves every container as it is.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Pod, PodStatus } from '../api/index.js';
import { buildInfo, isNotFound } from '../client/index.js';
import type { Clock, Informer, ShoalClient } from '../client/index.js';
import { ApiConfigSource } from './api-config-source.js';
import { DiskCache } from './disk-cache.js';
import { ApiEventSink } from './events.js';
import type { EventSink } from './events.js';
import { Label, nodeSelectorLabels } from './labels.js';
import type { Logger } from './logger.js';
import { readHostFacts, readHostUsage } from './node/host-facts.js';
import { NodeHeartbeat } from './node/node-heartbeat.js';
import type { HostReader } from './node/node-heartbeat.js';
import { defaultReservations, defaultThresholds } from './node/node-status.js';
import type { Reservations, Thresholds } from './node/node-status.js';
import { defaultCrashLoopBackoff, validateBackoffPolicy } from './pod/crash-loop-backoff.js';
import type { BackoffPolicy } from './pod/crash-loop-backoff.js';
import type { ConfigSource } from './pod/config-data.js';
import { PodWorker, SyncOutcome } from './pod/pod-worker.js';
import { statusMergePatch } from './pod/status-patch.js';
import { ContainerStateKind } from './runtime/index.js';
import type { ContainerRuntime } from './runtime/index.js';
import type { PodNetworkStatus } from './pod-network/index.js';
import type { HostFacts } from './node/host-facts.js';

/** What the Node reports as nodeInfo.kubeletVersion and tunnels announce. */
export const AGENT_VERSION = `shoal-agent/${buildInfo().version}`;

export interface AgentConfig {
  readonly nodeName: string;
  readonly dataDir: string;
  /** Each pod is reconciled at least this often (ms); changes wake it sooner. */
  readonly syncIntervalMs?: number;
  readonly leaseRenewMs?: number;
  readonly leaseDurationSeconds?: number;
  /** How often the node's measurements are checked (a write happens only on change). */
  readonly statusCheckMs?: number;
  readonly statusMaxAgeMs?: number;
  /** How often orphan containers and stale cached pods are looked for. */
  readonly housekeepingMs?: number;
  readonly orphanGraceSeconds?: number;
  /** How long cached pods wait at start for the API server's pod list before they run without it. */
  readonly cachedPodsWaitMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly reservations?: Reservations;
  readonly thresholds?: Thresholds;
  readonly maxPods?: number;
  /** The node's InternalIP (--node-ip): first in status.addresses and the pods' hostIP; default: the host's first address. */
  readonly nodeIP?: string;
}

export interface AgentDeps {
  readonly client: ShoalClient;
  readonly runtime: ContainerRuntime;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: AgentConfig;
  readonly host?: HostReader;
  readonly events?: EventSink;
  readonly configSource?: ConfigSource;
  readonly metrics?: Registry;
  /** The pod network (host-gw): pods wait until it is ready and join its docker network; absent = Docker's default bridge. */
  readonly podNetwork?: { status(): PodNetworkStatus; containerStarted?(): void };
}

interface WorkerSlot {
  readonly worker: PodWorker;
  wake: () => void;
  done: Promise<void>;
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`agent config ${name}: must be a positive number, got ${v}`);
  return v;
}

export class Agent {
  readonly nodeName: string;
  readonly dataDir: string;
  readonly metrics: Registry;
  readonly heartbeat: NodeHeartbeat;
  private readonly workers = new Map<string, WorkerSlot>();
  private readonly podCache: DiskCache<Pod>;
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private informer: Informer<Pod> | undefined;
  private readonly events: EventSink;
  private readonly configSource: ConfigSource;
  private readonly backoff: BackoffPolicy;
  private readonly m: { pods: Gauge; syncs: Counter; syncErrors: Counter; starts: Counter; statusWrites: Counter };
  private readonly c: Required<Omit<AgentConfig, 'backoff' | 'reservations' | 'thresholds'>>;
  private registered = false;
  private readonly cachedFingerprints = new Map<string, string>();

  constructor(private readonly deps: AgentDeps) {
    const cfg = deps.config;
    if (!cfg.nodeName) throw new RangeError('agent config nodeName: required');
    if (!cfg.dataDir) throw new RangeError('agent config dataDir: required');
    this.c = {
      nodeName: cfg.nodeName,
      dataDir: resolve(cfg.dataDir),
      syncIntervalMs: positive('syncIntervalMs', cfg.syncIntervalMs ?? 1_000),
      leaseRenewMs: positive('leaseRenewMs', cfg.leaseRenewMs ?? 10_000),
      leaseDurationSeconds: positive('leaseDurationSeconds', cfg.leaseDurationSeconds ?? 40),
      statusCheckMs: positive('statusCheckMs', cfg.statusCheckMs ?? 10_000),
      statusMaxAgeMs: positive('statusMaxAgeMs', cfg.statusMaxAgeMs ?? 300_000),
      housekeepingMs: positive('housekeepingMs', cfg.housekeepingMs ?? 10_000),
      orphanGraceSeconds: cfg.orphanGraceSeconds ?? 10,
      cachedPodsWaitMs: positive('cachedPodsWaitMs', cfg.cachedPodsWaitMs ?? 10_000),
      maxPods: positive('maxPods', cfg.maxPods ?? 110),
      nodeIP: cfg.nodeIP ?? '',
    };
    this.nodeName = this.c.nodeName;
    this.dataDir = this.c.dataDir;
    this.backoff = validateBackoffPolicy(cfg.backoff ?? defaultCrashLoopBackoff);
    this.podCache = new DiskCache<Pod>(join(this.dataDir, 'cache', 'pods'));
    this.events = deps.events ?? new ApiEventSink(deps.client, this.nodeName, deps.clock, deps.log);
    this.configSource = deps.configSource ?? new ApiConfigSource(deps.client, this.dataDir, deps.log);
    const host = deps.host ?? { facts: readHostFacts, usage: readHostUsage };
    const nodeIP = this.c.nodeIP;
    // --node-ip comes first in the addresses (InternalIP) whatever the host's interfaces say.
    const facts = nodeIP === '' ? host.facts : async (): Promise<HostFacts> => {
      const f = await host.facts();
      return { ...f, addresses: [nodeIP, ...f.addresses.filter((a) => a !== nodeIP)] };
    };
    const net = deps.podNetwork;
    this.heartbeat = new NodeHeartbeat(deps.client, deps.runtime, { facts, usage: () => host.usage() }, deps.clock, deps.log, {
      nodeName: this.nodeName,
      reservations: cfg.reservations ?? defaultReservations,
      thresholds: cfg.thresholds ?? defaultThresholds,
      maxPods: this.c.maxPods,
      agentVersion: AGENT_VERSION,
      leaseDurationSeconds: this.c.leaseDurationSeconds,
      statusMaxAgeMs: this.c.statusMaxAgeMs,
      events: this.events,
      ...(net === undefined
        ? {}
        : {
            network: () => {
              const s = net.status();
              return s.ready ? { ready: true } : { ready: false, reason: s.reason, message: s.message };
            },
          }),
    });
    this.metrics = deps.metrics ?? new Registry();
    const reg = [this.metrics];
    this.m = {
      pods: new Gauge({ name: 'shoal_agent_pods', help: 'Pods this agent runs', registers: reg }),
      syncs: new Counter({ name: 'shoal_agent_pod_syncs_total', help: 'Pod reconcile passes', registers: reg }),
      syncErrors: new Counter({ name: 'shoal_agent_pod_sync_errors_total', help: 'Pod reconcile passes that failed', registers: reg }),
      starts: new Counter({ name: 'shoal_agent_container_starts_total', help: 'Containers started', registers: reg }),
      statusWrites: new Counter({ name: 'shoal_agent_node_status_writes_total', help: 'NodeStatus writes', registers: reg }),
    };
  }

  /** Pods with a worker, by uid. */
  podUids(): string[] {
    return [...this.workers.keys()];
  }

  get hasSynced(): boolean {
    return this.informer?.hasSynced() ?? false;
  }

  async start(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    await this.heartbeat.hostFacts();
    const cached = [...(await this.podCache.all()).values()];
    this.deps.log.info({ node: this.nodeName, cachedPods: cached.length }, 'agent starting');
    const informer = this.deps.client.informer<Pod>('pods', { namespace: '', fieldSelector: `spec.nodeName=${this.nodeName}`, clock: this.deps.clock, onError: (e) => this.deps.log.debug({ err: (e as Error).message }, 'pod watch') });
    informer.addHandlers({
      onAdd: (p) => this.upsert(p, true),
      onUpdate: (_o, p) => this.upsert(p, true),
      onDelete: (p) => this.removed(p),
    });
    this.informer = informer.start();
    this.loops.push(this.runCachedPods(informer, cached));
    this.loops.push(this.every(this.c.leaseRenewMs, () => this.beat()));
    this.loops.push(this.every(this.c.statusCheckMs, async () => this.registered && (await this.heartbeat.updateStatus()) && this.m.statusWrites.inc()));
    this.loops.push(this.every(this.c.housekeepingMs, () => this.housekeeping()));
  }

  /** Ends every loop; containers keep running (a new agent adopts them). */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const s of this.workers.values()) s.wake();
    await this.informer?.stop();
    await Promise.all([...this.loops, ...[...this.workers.values()].map((s) => s.done)]);
    if (this.events instanceof ApiEventSink) await this.events.close();
  }

  /**
   * The API's pod list first, the disk cache only without it: a pod evicted or deleted while this
   * node was off must not start again (its replacement already runs elsewhere).
   */
  private async runCachedPods(informer: Informer<Pod>, cached: readonly Pod[]): Promise<void> {
    if (cached.length === 0) return;
    const synced = await informer.waitForSync({ timeoutMs: this.c.cachedPodsWaitMs, signal: this.stopping.signal });
    if (this.stopping.signal.aborted) return;
    // Listed pods already have workers (from the informer); listed or not, offline every cached one runs.
    const left = cached.filter((p) => !this.workers.has(p.metadata.uid ?? ''));
    if (synced) {
      if (left.length > 0) this.deps.log.info({ pods: left.map((p) => p.metadata.name) }, 'cached pods no longer bound here: removing their containers, not starting them');
    } else {
      this.deps.log.warn({ pods: left.length, waitedMs: this.c.cachedPodsWaitMs }, 'the API server did not answer: running the cached pods');
    }
    for (const p of left) this.upsert(p, false, synced);
  }

  /** One housekeeping pass now (tests; the loop runs it every housekeepingMs). */
  async housekeeping(): Promise<void> {
    const inf = this.informer;
    if (!inf?.hasSynced()) return;
    const live = new Set(inf.cache.list().map((p) => p.metadata.uid ?? ''));
    for (const [uid, s] of this.workers) {
      if (!live.has(uid)) {
        s.worker.markRemoved();
        s.wake();
      }
    }
    const containers = await this.deps.runtime.list(nodeSelectorLabels(this.nodeName));
    for (const c of containers) {
      const uid = c.labels[Label.PodUid] ?? '';
      if (this.workers.has(uid)) continue;
      this.deps.log.info({ container: c.name, podUid: uid }, 'removing a container of a pod that no longer exists');
      if (c.state === ContainerStateKind.Running) await this.deps.runtime.stop(c.id, this.c.orphanGraceSeconds);
      await this.deps.runtime.remove(c.id);
    }
  }

  /** The pod network changed state: report it in the node's conditions now (not at the next check). */
  networkChanged(): void {
    if (!this.registered || this.stopping.signal.aborted) return;
    this.heartbeat.updateStatus().then(
      (written) => written && this.m.statusWrites.inc(),
      (e: unknown) => this.deps.log.warn({ err: (e as Error).message }, 'node status update failed'),
    );
  }

  private async beat(): Promise<void> {
    if (!this.registered) {
      await this.heartbeat.register();
      this.registered = true;
      this.m.statusWrites.inc();
    }
    await this.heartbeat.renewLease();
  }

  /** Runs f now and then every ms until stop(); failures are logged, never fatal. */
  private async every(ms: number, f: () => Promise<unknown>): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        await f();
      } catch (e) {
        this.deps.log.warn({ err: (e as Error).message }, 'periodic task failed; retrying');
      }
      await this.deps.clock.sleep(ms, signal);
    }
  }

  /** `gone`: the pod is no longer bound here; its worker only stops and removes its containers. */
  private upsert(pod: Pod, fromApi: boolean, gone = false): void {
    const uid = pod.metadata.uid;
    if (!uid || this.stopping.signal.aborted) return;
    if (fromApi) this.cachePod(uid, pod);
    const slot = this.workers.get(uid);
    if (slot) {
      slot.worker.update(pod);
      slot.wake();
      return;
    }
    const worker = new PodWorker(
      {
        runtime: this.deps.runtime,
        clock: this.deps.clock,
        log: this.deps.log,
        nodeName: this.nodeName,
        dataDir: this.dataDir,
        hostIP: () => this.heartbeat.hostIP,
        config: this.configSource,
        events: this.events,
        writeStatus: (p, s) => this.writeStatus(p, s),
        deletePod: (p) => this.deletePod(p),
        backoff: this.backoff,
        onContainerStart: () => {
          this.m.starts.inc();
          this.deps.podNetwork?.containerStarted?.();
        },
        ...(this.deps.podNetwork === undefined ? {} : { podNetwork: () => this.deps.podNetwork!.status() }),
      },
      pod,
    );
    if (gone) worker.markRemoved();
    const s: WorkerSlot = { worker, wake: () => undefined, done: Promise.resolve() };
    this.workers.set(uid, s);
    this.m.pods.set(this.workers.size);
    s.done = this.runWorker(s);
  }

  /**
   * Keeps the pod on disk for offline restarts. Status-only changes (most updates: the agent's own
   * status writes) are not written: edge disks are SD cards.
   */
  private cachePod(uid: string, pod: Pod): void {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = pod.metadata as Pod['metadata'] & { managedFields?: unknown };
    const fingerprint = JSON.stringify({ meta, spec: pod.spec });
    if (this.cachedFingerprints.get(uid) === fingerprint) return;
    this.cachedFingerprints.set(uid, fingerprint);
    this.podCache.put(uid, pod).catch((e: unknown) => this.deps.log.warn({ err: (e as Error).message }, 'pod cache write failed'));
  }

  private removed(pod: Pod): void {
    const s = this.workers.get(pod.metadata.uid ?? '');
    if (!s) return;
    s.worker.markRemoved();
    s.wake();
  }

  private async runWorker(s: WorkerSlot): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let outcome: SyncOutcome = SyncOutcome.Running;
      try {
        outcome = await s.worker.sync();
        this.m.syncs.inc();
      } catch (e) {
        this.m.syncErrors.inc();
        this.deps.log.warn({ pod: s.worker.current.metadata.name, err: (e as Error).message }, 'pod sync failed; retrying');
      }
      if (outcome === SyncOutcome.Terminated) {
        this.workers.delete(s.worker.uid);
        this.m.pods.set(this.workers.size);
        this.cachedFingerprints.delete(s.worker.uid);
        await this.podCache.delete(s.worker.uid);
        return;
      }
      const wake = new AbortController();
      s.wake = () => wake.abort();
      const onStop = (): void => wake.abort();
      signal.addEventListener('abort', onStop, { once: true });
      await this.deps.clock.sleep(this.c.syncIntervalMs, wake.signal);
      signal.removeEventListener('abort', onStop);
    }
  }

  private async writeStatus(pod: Pod, status: PodStatus): Promise<void> {
    try {
      await this.deps.client.resource<Pod>('pods', pod.metadata.namespace ?? 'default').patchStatus(pod.metadata.name ?? '', { status: statusMergePatch(status) }, { timeoutMs: 5_000 });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async deletePod(pod: Pod): Promise<void> {
    try {
      await this.deps.client.resource<Pod>('pods', pod.metadata.namespace ?? 'default').delete(pod.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid ?? '' } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
