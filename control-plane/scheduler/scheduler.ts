// The scheduler: informers of nodes and pods feed the cache and the queue (handlers only record);
// one loop pops a pod, runs the pure cycle over the cache's snapshot, assumes the pod on the
// chosen node and sends the bind without waiting for it (up to parallelBinds at once); failures
// become an event and a condition. start()/stop() so leader election can gate it.
import type { Logger } from 'pino';
import type { Event, Node, Pod } from '../../api/index.js';
import type { Clock, Informer, Rng, ShoalClient } from '../../client/index.js';
import { isConflict, isNotFound, systemClock, systemRng } from '../../client/index.js';
import { SchedulerCache } from './cache.js';
import { schedulePod, type Decision } from './cycle.js';
import { FailureRecorder, podEvent, SCHEDULED } from './failure-recorder.js';
import { podInfo } from './framework/pod-info.js';
import { makeProfile, type Profile } from './framework/profile.js';
import { schedulerConfig, type SchedulerConfig } from './config.js';
import { DEFAULT_PLUGINS } from './plugins/index.js';
import { SchedulingQueue, type QueuedPod } from './queue.js';

export interface SchedulerOptions {
  readonly client: ShoalClient;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly rng?: Rng;
  readonly config?: Partial<SchedulerConfig>;
}

export interface SchedulerStats {
  readonly scheduled: number;
  readonly unschedulable: number;
  readonly bindErrors: number;
  readonly queue: ReturnType<SchedulingQueue['counts']>;
}

const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const keyOf = (p: Pod): string => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
/** What the filters read from a pending pod; a change of anything else (its status) is not a reason to retry. */
const podInputs = (p: Pod): string => JSON.stringify([p.spec, p.metadata.labels, p.metadata.annotations]);
/** What the filters read from a node. */
const nodeInputs = (n: Node): string =>
  JSON.stringify([n.spec, n.metadata.labels, n.metadata.annotations, n.status?.allocatable, n.status?.capacity, n.status?.conditions?.find((c) => c.type === 'Ready')?.status]);

export class Scheduler {
  readonly config: SchedulerConfig;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  private readonly profile: Profile;
  private readonly client: ShoalClient;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly log: Logger;
  private readonly failures: FailureRecorder;
  private podInformer: Informer<Pod> | undefined;
  private nodeInformer: Informer<Node> | undefined;
  private stopping: AbortController | undefined;
  private loops: Promise<unknown> | undefined;
  private readonly binds = new Set<Promise<void>>();
  private nextStart = 0;
  private counters = { scheduled: 0, unschedulable: 0, bindErrors: 0 };

  constructor(o: SchedulerOptions) {
    this.config = schedulerConfig(o.config);
    this.profile = makeProfile(DEFAULT_PLUGINS, this.config.weights, this.config.percentageOfNodesToScore);
    this.client = o.client;
    this.clock = o.clock ?? systemClock;
    this.rng = o.rng ?? systemRng;
    this.log = o.log.child({ component: 'scheduler' });
    this.cache = new SchedulerCache(this.config.assumedTtlMs);
    this.queue = new SchedulingQueue({ clock: this.clock, initialBackoffMs: this.config.initialBackoffMs, maxBackoffMs: this.config.maxBackoffMs, maxUnschedulableMs: this.config.maxUnschedulableMs });
    this.failures = new FailureRecorder(this.client, this.clock, this.rng, this.log, this.config.schedulerName);
  }

  get running(): boolean {
    return this.stopping !== undefined && !this.stopping.signal.aborted;
  }

  stats(): SchedulerStats {
    return { ...this.counters, queue: this.queue.counts() };
  }

  /** Lists and watches nodes and pods, then schedules until stop(). Resolves once the caches are synced (false: stopped first). */
  async start(opts: { readonly syncTimeoutMs?: number } = {}): Promise<boolean> {
    if (this.stopping !== undefined) throw new Error('Scheduler.start: already started (a stopped scheduler is not restarted; make a new one)');
    const stopping = (this.stopping = new AbortController());
    const onError = (err: unknown): void => this.log.warn({ err }, 'informer error');
    this.nodeInformer = this.client.informer<Node>('nodes', { namespace: '', clock: this.clock, rng: this.rng, onError });
    this.podInformer = this.client.informer<Pod>('pods', { namespace: '', clock: this.clock, rng: this.rng, onError });
    this.nodeInformer.addHandlers({
      onAdd: (n) => this.onNode(undefined, n),
      onUpdate: (old, n) => this.onNode(old, n),
      onDelete: (n) => this.cache.removeNode(n.metadata.name ?? ''),
    });
    this.podInformer.addHandlers({
      onAdd: (p) => this.onPod(undefined, p),
      onUpdate: (old, p) => this.onPod(old, p),
      onDelete: (p) => this.onPodDelete(p),
    });
    this.nodeInformer.start();
    this.podInformer.start();
    const timeout = opts.syncTimeoutMs ?? 60_000;
    const synced = (await this.nodeInformer.waitForSync({ timeoutMs: timeout, signal: stopping.signal })) && (await this.podInformer.waitForSync({ timeoutMs: timeout, signal: stopping.signal }));
    if (!synced || stopping.signal.aborted) return false;
    this.log.info({ nodes: this.cache.nodeCount }, 'scheduler caches synced; scheduling');
    this.loops = Promise.all([this.scheduleLoop(stopping.signal), this.flushLoop(stopping.signal)]);
    return true;
  }

  /** Stops scheduling; binds in flight finish (or fail) first. Pods stay pending for the next leader. */
  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.loops;
    await Promise.allSettled([...this.binds]);
    await Promise.all([this.podInformer?.stop(), this.nodeInformer?.stop()]);
  }

  // ------------------------------------------------------------------ event handlers (record only)

  private onNode(old: Node | undefined, n: Node): void {
    this.cache.setNode(n);
    if (old === undefined || nodeInputs(old) !== nodeInputs(n)) this.queue.moveAll();
  }

  private onPod(old: Pod | undefined, p: Pod): void {
    const key = keyOf(p);
    if ((p.spec.nodeName ?? '') !== '') {
      this.queue.delete(key);
      if (terminal(p)) this.cache.removePod(key);
      else this.cache.addOrUpdatePod(p);
      if (old !== undefined && (old.spec.nodeName ?? '') === '') this.failures.clear(p);
      return;
    }
    if (p.spec.schedulerName !== this.config.schedulerName || p.metadata.deletionTimestamp !== undefined || terminal(p)) {
      this.queue.delete(key);
      return;
    }
    // Our own bind is in flight: the pod is not pending any more as far as we know.
    if (this.cache.isAssumed(key)) return;
    if (this.queue.has(key) && old !== undefined && podInputs(old) === podInputs(p)) this.queue.refresh(podInfo(p));
    else this.queue.add(podInfo(p));
  }

  private onPodDelete(p: Pod): void {
    const key = keyOf(p);
    this.queue.delete(key);
    this.failures.clear(p);
    if (this.cache.nodeOf(key) !== undefined && !this.cache.isAssumed(key)) {
      this.cache.removePod(key);
      this.queue.moveAll(); // freed capacity, ports, anti-affinity
    }
  }

  // ------------------------------------------------------------------ loops

  private async scheduleLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.queue.wait(signal);
      if (signal.aborted) return;
      const e = this.queue.pop();
      if (e !== undefined) {
        try {
          this.scheduleOne(e);
        } catch (err) {
          // A broken invariant in one pod must not stop the scheduler: report, retry later.
          this.log.error({ err, pod: e.info.key }, 'scheduling cycle failed');
          this.queue.addBackoff(e);
        }
      }
      while (this.binds.size >= this.config.parallelBinds && !signal.aborted) await Promise.race(this.binds);
      // Let informer events and bind replies in between cycles.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private async flushLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.clock.sleep(this.config.flushIntervalMs, signal);
      if (signal.aborted) return;
      this.queue.flush();
      const expired = this.cache.cleanupExpired(this.clock.now());
      if (expired.length > 0) this.log.warn({ pods: expired }, 'assumed pods never seen bound; released');
    }
  }

  private scheduleOne(e: QueuedPod): void {
    const current = this.podInformer?.cache.get(e.info.key);
    // Deleted, bound by someone else, or handed to another scheduler since it was queued.
    if (current === undefined || (current.spec.nodeName ?? '') !== '' || current.spec.schedulerName !== this.config.schedulerName) {
      this.queue.done(e);
      return;
    }
    const decision: Decision = schedulePod({ pod: e.info, snapshot: this.cache.snapshot(), profile: this.profile, rng: this.rng, startIndex: this.nextStart });
    this.nextStart = decision.nextStartIndex;
    if (decision.kind === 'unschedulable') {
      this.counters.unschedulable++;
      this.queue.addUnschedulable(e);
      this.log.debug({ pod: e.info.key, message: decision.message }, 'unschedulable');
      void this.failures.record(current, decision.message);
      return;
    }
    this.cache.assume(e.info, decision.node);
    const bind = this.bind(e, current, decision.node);
    this.binds.add(bind);
    void bind.finally(() => this.binds.delete(bind));
  }

  private async bind(e: QueuedPod, pod: Pod, node: string): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    try {
      await this.failures.settled(pod);
      await this.client.resource<Pod>('pods', ns).bind(name, node);
    } catch (err) {
      this.cache.forget(e.info.key);
      this.counters.bindErrors++;
      if (isNotFound(err) || isConflict(err)) {
        // Gone, or already bound elsewhere: the informer will tell the cache where.
        this.queue.done(e);
        return;
      }
      this.log.warn({ err, pod: e.info.key, node }, 'bind failed; retrying after backoff');
      this.queue.addBackoff(e);
      return;
    }
    this.cache.finishBinding(e.info.key, this.clock.now());
    this.queue.done(e);
    this.counters.scheduled++;
    if (this.config.recordScheduledEvents) {
      const ev = podEvent(pod, 'Normal', SCHEDULED, `Successfully assigned ${ns}/${name} to ${node}`, this.config.schedulerName, this.clock.now(), this.rng);
      await this.client.resource<Event>('events', ns).create(ev).catch((err: unknown) => this.log.debug({ err }, 'Scheduled event not recorded'));
    }
  }
}
