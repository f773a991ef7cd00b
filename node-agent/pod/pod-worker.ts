// One pod on this node: a reconcile loop that moves the runtime's containers toward the pod's
// spec. Each sync() lists the pod's containers (by label: the runtime is the truth, the worker
// keeps only backoff and probe state), then:
//   deleting → stop every container with the grace period, remove them, delete the pod (grace 0);
//   init containers in order, each to a successful exit, before any app container;
//   app containers: create/start missing ones, probe running ones (a failed liveness or startup
//   probe kills the container), restart exited ones per restartPolicy with crash-loop backoff;
// and finally computes the pod's status and hands it to the status writer when it changed.
// Every container start is a new container (restart count in its labels); the one before is
// kept (for lastState and logs --previous), older ones are removed.
import { rm } from 'node:fs/promises';
import type { Container, Pod, PodStatus } from '../../api/index.js';
import type { Clock } from '../../client/index.js';
import { ContainerKindLabel, Label } from '../labels.js';
import type { ContainerInfo, ContainerRuntime } from '../runtime/index.js';
import { ContainerStateKind } from '../runtime/index.js';
import { ProbeKind, ProbeResult, ProbeTracker } from '../probe/probe-tracker.js';
import { runProbe } from '../probe/probe-runner.js';
import type { Logger } from '../logger.js';
import type { EventSink } from '../events.js';
import { fetchConfigData } from './config-data.js';
import type { ConfigSource } from './config-data.js';
import { containerEnv } from './container-env.js';
import { buildContainerSpec, containerHash } from './container-spec.js';
import { crashLoopDelayMs, nextConsecutive } from './crash-loop-backoff.js';
import type { BackoffPolicy } from './crash-loop-backoff.js';
import { computePodStatus, WaitingReason } from './pod-status.js';
import type { ContainerObservation } from './pod-status.js';
import { shouldRestart, shouldRestartInit } from './restart-decision.js';
import { claimsRootFor, podDirFor, prepareVolumes } from './volumes.js';
import type { PodNetworkStatus } from '../pod-network/index.js';

export interface PodWorkerDeps {
  readonly runtime: ContainerRuntime;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nodeName: string;
  /** Absolute. */
  readonly dataDir: string;
  readonly hostIP: () => string;
  readonly config: ConfigSource;
  readonly events: EventSink;
  /** Writes a changed status; a rejection means "try again next sync". */
  readonly writeStatus: (pod: Pod, status: PodStatus) => Promise<void>;
  /** The final delete (grace 0) once the containers of a deleting pod are gone. */
  readonly deletePod: (pod: Pod) => Promise<void>;
  readonly backoff: BackoffPolicy;
  readonly onContainerStart?: () => void;
  /** The pod network (host-gw): containers wait until it is ready and join its network; absent = the runtime's default network. */
  readonly podNetwork?: () => PodNetworkStatus;
}

/** What a worker knows of one container name between syncs. */
interface ContainerMemory {
  /** Consecutive restarts (for the backoff). */
  consecutive: number;
  /** Id of the exit already counted. */
  countedExit?: string;
  notBefore: number;
  waiting?: { reason: WaitingReason; message?: string };
  /** Probe trackers of the current instance. */
  probesOf?: string;
  probes: Map<ProbeKind, ProbeTracker>;
  /** A kill for a failed probe or a changed spec is under way: don't kill it again. */
  killing?: string;
}

export const SyncOutcome = { Running: 'running', Terminated: 'terminated' } as const;
export type SyncOutcome = (typeof SyncOutcome)[keyof typeof SyncOutcome];

export const restartCountOf = (c: ContainerInfo): number => Number.parseInt(c.labels[Label.RestartCount] ?? '0', 10) || 0;

export class PodWorker {
  private pod: Pod;
  private removed = false;
  private readonly memory = new Map<string, ContainerMemory>();
  private lastWritten = '';
  private statusFailures = 0;

  constructor(
    private readonly deps: PodWorkerDeps,
    pod: Pod,
  ) {
    this.pod = pod;
  }

  get uid(): string {
    return this.pod.metadata.uid ?? '';
  }

  get current(): Pod {
    return this.pod;
  }

  /** A newer version of the pod (its spec, or a deletionTimestamp). */
  update(pod: Pod): void {
    this.pod = pod;
  }

  /** The pod is gone from the API (or was never there): stop and remove its containers. */
  markRemoved(): void {
    this.removed = true;
  }

  private mem(name: string): ContainerMemory {
    let m = this.memory.get(name);
    if (!m) {
      m = { consecutive: 0, notBefore: 0, probes: new Map() };
      this.memory.set(name, m);
    }
    return m;
  }

  private get label(): string {
    return `${this.pod.metadata.namespace ?? 'default'}/${this.pod.metadata.name ?? ''}`;
  }

  /** One reconcile pass. */
  async sync(): Promise<SyncOutcome> {
    const all = await this.deps.runtime.list({ [Label.PodUid]: this.uid, [Label.Node]: this.deps.nodeName });
    if (this.removed || this.pod.metadata.deletionTimestamp !== undefined) return this.terminate(all);

    const byName = new Map<string, ContainerInfo[]>();
    for (const c of all) {
      const n = c.labels[Label.ContainerName] ?? '';
      byName.set(n, [...(byName.get(n) ?? []), c]);
    }
    // Newest first.
    for (const list of byName.values()) list.sort((a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt);

    const policy = this.pod.spec.restartPolicy;
    let initDone = true;
    for (const c of this.pod.spec.initContainers ?? []) {
      const cur = byName.get(c.name)?.[0];
      if (cur?.state === ContainerStateKind.Exited && cur.exitCode === 0) continue;
      initDone = false;
      if (!cur) await this.startNew(c, ContainerKindLabel.Init, 0);
      else if (cur.state === ContainerStateKind.Created) await this.startExisting(c, cur.id);
      else if (cur.state === ContainerStateKind.Exited && shouldRestartInit(policy, cur.exitCode)) await this.restart(c, ContainerKindLabel.Init, cur);
      break;
    }
    if (initDone) {
      for (const c of this.pod.spec.containers) {
        const cur = byName.get(c.name)?.[0];
        if (!cur) await this.startNew(c, ContainerKindLabel.App, 0);
        else if (cur.state === ContainerStateKind.Created) await this.startExisting(c, cur.id);
        else if (cur.state === ContainerStateKind.Running) await this.checkRunning(c, cur);
        else if (shouldRestart(policy, cur.exitCode)) await this.restart(c, ContainerKindLabel.App, cur);
        else this.mem(c.name).waiting = undefined;
      }
    }

    // What the runtime shows after this pass.
    const after = await this.deps.runtime.list({ [Label.PodUid]: this.uid, [Label.Node]: this.deps.nodeName });
    await this.pruneOld(after);
    await this.report(after);
    return SyncOutcome.Running;
  }

  private observe(c: Container, list: readonly ContainerInfo[]): ContainerObservation {
    const instances = list.filter((x) => x.labels[Label.ContainerName] === c.name).sort((a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt);
    const current = instances[0];
    const m = this.mem(c.name);
    const running = current?.state === ContainerStateKind.Running;
    // Trackers of another instance (or none yet) say nothing about this one.
    const mine = m.probesOf === current?.id;
    const startup = mine ? m.probes.get(ProbeKind.Startup) : undefined;
    const readiness = mine ? m.probes.get(ProbeKind.Readiness) : undefined;
    const started = running && (mine ? startup === undefined || startup.result === ProbeResult.Success : c.startupProbe === undefined);
    const unprobedReady = mine || c.readinessProbe === undefined;
    return {
      name: c.name,
      ...(current ? { current } : {}),
      ...(instances[1] ? { previous: instances[1] } : {}),
      restartCount: current ? restartCountOf(current) : 0,
      ...(m.waiting ? { waiting: m.waiting } : {}),
      started,
      ready: started && unprobedReady && (readiness === undefined || readiness.result === ProbeResult.Success),
    };
  }

  private async report(list: readonly ContainerInfo[]): Promise<void> {
    const status = computePodStatus({
      pod: this.pod,
      init: (this.pod.spec.initContainers ?? []).map((c) => this.observe(c, list)),
      app: this.pod.spec.containers.map((c) => this.observe(c, list)),
      hostIP: this.deps.hostIP(),
      now: this.deps.clock.now(),
    });
    const text = JSON.stringify(status);
    if (text === this.lastWritten) return;
    // Later passes build on this status (startTime, transition times), written or not yet.
    this.pod = { ...this.pod, status } as Pod;
    try {
      await this.deps.writeStatus(this.pod, status);
      this.lastWritten = text;
      this.statusFailures = 0;
    } catch (e) {
      // Offline for hours is normal at the edge: say it once, then quietly keep trying.
      this.statusFailures++;
      const level = this.statusFailures === 1 ? 'warn' : 'debug';
      this.deps.log[level]({ pod: this.label, err: (e as Error).message, failures: this.statusFailures }, 'pod status not written; retrying on the next sync');
    }
  }

  /** Keeps the newest instance and the one before it of each container; removes older ones. */
  private async pruneOld(list: readonly ContainerInfo[]): Promise<void> {
    const byName = new Map<string, ContainerInfo[]>();
    for (const c of list) {
      const n = c.labels[Label.ContainerName] ?? '';
      byName.set(n, [...(byName.get(n) ?? []), c]);
    }
    const known = new Set([...(this.pod.spec.initContainers ?? []), ...this.pod.spec.containers].map((c) => c.name));
    for (const [name, l] of byName) {
      l.sort((a, b) => restartCountOf(b) - restartCountOf(a) || b.createdAt - a.createdAt);
      const extra = known.has(name) ? l.slice(2).filter((c) => c.state !== ContainerStateKind.Running) : l;
      for (const c of extra) {
        if (c.state === ContainerStateKind.Running) await this.deps.runtime.stop(c.id, this.pod.spec.terminationGracePeriodSeconds);
        await this.deps.runtime.remove(c.id);
      }
    }
  }

  /** Runs the probes that are due; a failed liveness or startup probe kills the container. */
  private async checkRunning(c: Container, cur: ContainerInfo): Promise<void> {
    const m = this.mem(c.name);
    m.waiting = undefined;
    if (m.killing === cur.id) return;
    if (cur.labels[Label.SpecHash] !== containerHash(c)) {
      this.deps.events.record(this.pod, 'Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`, c.name);
      await this.kill(cur, m);
      return;
    }
    if (m.probesOf !== cur.id) {
      m.probesOf = cur.id;
      m.probes.clear();
      const startedAt = cur.startedAt ?? this.deps.clock.now();
      if (c.startupProbe) m.probes.set(ProbeKind.Startup, new ProbeTracker(ProbeKind.Startup, c.startupProbe, startedAt));
      if (c.livenessProbe) m.probes.set(ProbeKind.Liveness, new ProbeTracker(ProbeKind.Liveness, c.livenessProbe, startedAt));
      if (c.readinessProbe) m.probes.set(ProbeKind.Readiness, new ProbeTracker(ProbeKind.Readiness, c.readinessProbe, startedAt));
    }
    const startup = m.probes.get(ProbeKind.Startup);
    const kinds: ProbeKind[] = startup && startup.result !== ProbeResult.Success ? [ProbeKind.Startup] : [ProbeKind.Liveness, ProbeKind.Readiness];
    for (const kind of kinds) {
      const tracker = m.probes.get(kind);
      if (!tracker || !tracker.due(this.deps.clock.now())) continue;
      const outcome = await runProbe(this.deps.runtime, tracker.probe, { containerId: cur.id, ip: cur.ip, container: c });
      tracker.observe(outcome.ok, this.deps.clock.now(), outcome.message);
      if (!outcome.ok) this.deps.events.record(this.pod, 'Warning', 'Unhealthy', `${kind[0]?.toUpperCase()}${kind.slice(1)} probe failed: ${outcome.message}`, c.name);
      if (tracker.result === ProbeResult.Failure && kind !== ProbeKind.Readiness) {
        this.deps.events.record(this.pod, 'Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`, c.name);
        await this.kill(cur, m);
        return;
      }
    }
  }

  private async kill(cur: ContainerInfo, m: ContainerMemory): Promise<void> {
    m.killing = cur.id;
    await this.deps.runtime.stop(cur.id, this.pod.spec.terminationGracePeriodSeconds);
  }

  /** An exited container runs again once its backoff has passed. */
  private async restart(c: Container, kind: ContainerKindLabel, cur: ContainerInfo): Promise<void> {
    const m = this.mem(c.name);
    const now = this.deps.clock.now();
    if (m.countedExit !== cur.id) {
      // A worker new to this container (a restarted agent) goes on from the count in its labels.
      if (m.countedExit === undefined) m.consecutive = Number.parseInt(cur.labels[Label.Backoff] ?? '0', 10) || 0;
      m.countedExit = cur.id;
      const ranMs = (cur.finishedAt ?? now) - (cur.startedAt ?? now);
      m.consecutive = nextConsecutive(m.consecutive, ranMs, this.deps.backoff);
      const delay = crashLoopDelayMs(m.consecutive, this.deps.backoff);
      m.notBefore = Math.max(m.notBefore, (cur.finishedAt ?? now) + delay);
      if (m.notBefore > now)
        this.deps.events.record(this.pod, 'Warning', 'BackOff', `Back-off ${Math.round(delay / 1000)}s restarting failed container ${c.name} in pod ${this.label}`, c.name);
    }
    if (m.notBefore > now) {
      m.waiting = { reason: WaitingReason.CrashLoopBackOff, message: `back-off ${Math.round((m.notBefore - (cur.finishedAt ?? now)) / 1000)}s restarting failed container=${c.name} pod=${this.label}` };
      return;
    }
    await this.startNew(c, kind, restartCountOf(cur) + 1);
  }

  private async startExisting(c: Container, id: string): Promise<void> {
    try {
      await this.deps.runtime.start(id);
      this.deps.onContainerStart?.();
      this.deps.events.record(this.pod, 'Normal', 'Started', `Started container ${c.name}`, c.name);
    } catch (e) {
      this.failed(c, WaitingReason.CreateContainerError, (e as Error).message);
      await this.deps.runtime.remove(id);
    }
  }

  /** Sets why the container waits; the Warning event goes out once per new reason/message. */
  private failed(c: Container, reason: WaitingReason, message: string, eventReason = 'Failed', eventMessage = `Error: ${message}`): void {
    const m = this.mem(c.name);
    const same = m.waiting?.reason === reason && m.waiting.message === message;
    m.waiting = { reason, message };
    if (!same) this.deps.events.record(this.pod, 'Warning', eventReason, eventMessage, c.name);
  }

  /** Makes the image present per imagePullPolicy; false (with the waiting reason set) when not. */
  private async ensureImage(c: Container): Promise<boolean> {
    const rt = this.deps.runtime;
    const m = this.mem(c.name);
    const present = await rt.imagePresent(c.image);
    const policy = c.imagePullPolicy;
    if (policy === 'Never' || (policy === 'IfNotPresent' && present)) {
      if (present) {
        this.deps.events.record(this.pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c.name);
        return true;
      }
      const msg = `Container image "${c.image}" is not present with pull policy of Never`;
      this.failed(c, WaitingReason.ErrImageNeverPull, msg, 'ErrImageNeverPull', msg);
      return false;
    }
    try {
      this.deps.events.record(this.pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, c.name);
      await rt.pull(c.image);
      this.deps.events.record(this.pod, 'Normal', 'Pulled', `Successfully pulled image "${c.image}"`, c.name);
      return true;
    } catch (e) {
      // An edge site with no registry still runs what it has (pull policy Always included).
      if (present) {
        this.deps.events.record(this.pod, 'Warning', 'Failed', `Failed to pull image "${c.image}", using the local copy: ${(e as Error).message}`, c.name);
        return true;
      }
      m.consecutive++;
      m.notBefore = this.deps.clock.now() + Math.max(this.deps.backoff.initialMs, crashLoopDelayMs(m.consecutive, this.deps.backoff));
      this.failed(c, WaitingReason.ImagePullBackOff, `Back-off pulling image "${c.image}": ${(e as Error).message}`, 'Failed', `Failed to pull image "${c.image}": ${(e as Error).message}`);
      return false;
    }
  }

  private async startNew(c: Container, kind: ContainerKindLabel, restartCount: number): Promise<void> {
    const m = this.mem(c.name);
    if (m.notBefore > this.deps.clock.now()) return;
    // Never on Docker's default bridge when a pod network is configured: wait for it.
    const net = this.pod.spec.hostNetwork === true ? undefined : this.deps.podNetwork?.();
    if (net !== undefined && !net.ready) return this.failed(c, WaitingReason.ContainerCreating, `network is not ready: ${net.message}`, 'NetworkNotReady', `network is not ready: ${net.message}`);
    if (!(await this.ensureImage(c))) return;
    const data = await fetchConfigData(this.deps.config, this.pod);
    const podIP = this.pod.status?.podIP ?? '';
    const env = containerEnv(this.pod, c, data, { podIP, hostIP: this.deps.hostIP(), nodeName: this.deps.nodeName });
    if (!env.ok) return this.failed(c, WaitingReason.CreateContainerConfigError, env.message);
    const volumes = await prepareVolumes(podDirFor(this.deps.dataDir, this.uid), this.pod, data, claimsRootFor(this.deps.dataDir));
    if (!volumes.ok) return this.failed(c, WaitingReason.CreateContainerConfigError, volumes.message);
    const spec = buildContainerSpec({ pod: this.pod, container: c, kind, nodeName: this.deps.nodeName, restartCount, backoff: m.consecutive, env: env.env, volumes: volumes.volumes });
    let id: string;
    try {
      id = await this.deps.runtime.create(net?.ready === true ? { ...spec, network: net.network } : spec);
    } catch (e) {
      return this.failed(c, WaitingReason.CreateContainerError, (e as Error).message);
    }
    m.waiting = undefined;
    this.deps.events.record(this.pod, 'Normal', 'Created', `Created container ${c.name}`, c.name);
    await this.startExisting(c, id);
  }

  /** Stops every container with the pod's grace period, removes them and the pod's dir. */
  private async terminate(all: readonly ContainerInfo[]): Promise<SyncOutcome> {
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds;
    await Promise.all(
      all.map(async (c) => {
        if (c.state === ContainerStateKind.Running) {
          const name = c.labels[Label.ContainerName] ?? '';
          this.deps.events.record(this.pod, 'Normal', 'Killing', `Stopping container ${name}`, name);
          await this.deps.runtime.stop(c.id, grace);
        }
        await this.deps.runtime.remove(c.id);
      }),
    );
    await rm(podDirFor(this.deps.dataDir, this.uid), { recursive: true, force: true });
    if (!this.removed && this.pod.metadata.deletionTimestamp !== undefined) {
      try {
        await this.deps.deletePod(this.pod);
      } catch (e) {
        this.deps.log.warn({ pod: this.label, err: (e as Error).message }, 'final pod delete failed; retrying');
        return SyncOutcome.Running;
      }
    }
    return SyncOutcome.Terminated;
  }
}
