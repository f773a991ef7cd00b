// Watches node heartbeats (Leases in kube-node-lease and the Ready condition), marks silent nodes
// Ready=Unknown with the unreachable NoExecute taint, and evicts pods from NoExecute-tainted nodes
// once their tolerations run out, rate-limited, and not at all in a full disruption. Time passing
// is what changes health, so every node is looked at each monitor period.
import type { Lease, Node, Pod } from '../../../api/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { isPodActive } from '../shared/pod-state.js';
import { ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { canonicalJson } from '../../../workloads/index.js';
import { desiredTaints, evictionTime, fullDisruption, nodeHealth } from './reconcile.js';
import type { NodeHealth } from './reconcile.js';
import { timestamp as stamp } from '../shared/time.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLifecycleOptions {
  /** Silence after which a node is Unknown (default 40 s). */
  readonly gracePeriodMs?: number;
  /** How often every node is re-examined (default 5 s). */
  readonly monitorPeriodMs?: number;
  /** Pod evictions per second at most (default 10). */
  readonly evictionsPerSecond?: number;
}


export class NodeLifecycleController extends Controller {
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  /** node name → when this controller last saw its heartbeat change (local clock). */
  private readonly lastSeen = new Map<string, { mark: string; at: number }>();
  private readonly startedAt: number;
  private ticker: Promise<void> | undefined;
  private tokens: number;
  private tokensAt: number;
  private readonly graceMs: number;
  private readonly monitorMs: number;
  private readonly rate: number;

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory; readonly events: EventSink; readonly options?: NodeLifecycleOptions }) {
    super('node-lifecycle', d);
    this.graceMs = d.options?.gracePeriodMs ?? 40_000;
    this.monitorMs = d.options?.monitorPeriodMs ?? 5_000;
    this.rate = d.options?.evictionsPerSecond ?? 10;
    if (!(this.graceMs > 0 && this.monitorMs > 0 && this.rate > 0)) throw new RangeError('node lifecycle: gracePeriodMs, monitorPeriodMs and evictionsPerSecond must be > 0');
    this.startedAt = d.clock.now();
    this.tokens = this.rate;
    this.tokensAt = this.startedAt;
    this.nodes = d.informers.get<Node>('nodes');
    this.leases = d.informers.get<Lease>('leases');
    this.pods = d.informers.get<Pod>('pods');
    this.enqueueAll(this.nodes);
    this.leases.addHandlers({
      onAdd: (l) => this.noteLease(l),
      onUpdate: (_o, l) => this.noteLease(l),
    });
  }

  private noteLease(l: Lease): void {
    if (l.metadata.namespace !== NODE_LEASE_NAMESPACE) return;
    this.queue.add(l.metadata.name ?? '');
  }

  /** Heartbeat marks: the lease renewTime and the Ready condition's heartbeat. */
  private seen(node: Node): number {
    const name = node.metadata.name ?? '';
    const lease = this.leases.cache.getByName(NODE_LEASE_NAMESPACE, name);
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const mark = `${lease?.spec.renewTime ?? ''}|${ready?.lastHeartbeatTime ?? ''}`;
    const prev = this.lastSeen.get(name);
    if (prev === undefined) {
      // First sight: give it a full grace period from now (or from start).
      const entry = { mark, at: Math.max(this.startedAt, this.clock.now() - 0) };
      this.lastSeen.set(name, entry);
      return entry.at;
    }
    if (prev.mark !== mark) {
      prev.at = this.clock.now();
      (prev as { mark: string }).mark = mark;
    }
    return prev.at;
  }

  override start(): void {
    super.start();
    this.ticker ??= (async () => {
      while (!this.signal.aborted) {
        await this.clock.sleep(this.monitorMs, this.signal);
        for (const k of this.nodes.cache.keys()) this.queue.add(k);
      }
    })();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.ticker;
  }

  private health(node: Node): NodeHealth {
    return nodeHealth(node, this.seen(node), this.clock.now(), this.graceMs);
  }

  private takeToken(): boolean {
    const now = this.clock.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.tokensAt) / 1000) * this.rate);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const node = this.nodes.cache.get(key);
    if (node === undefined) {
      this.lastSeen.delete(key);
      return;
    }
    const now = this.clock.now();
    const health = this.health(node);
    const nodes = this.d.client.resource<Node>('nodes', '');
    // Writes are pinned to the version they were computed from: a status the agent posted
    // meanwhile wins (Conflict → retried against the fresh object) instead of being overwritten.
    let version = node.metadata.resourceVersion;
    if (health === 'Unknown') {
      const conds = node.status?.conditions ?? [];
      const ready = conds.find((c) => c.type === 'Ready');
      if (ready?.status !== 'Unknown') {
        const next = [...conds.filter((c) => c.type !== 'Ready'), { ...(ready ?? { type: 'Ready' }), type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp(now) }];
        const written = await ignoreNotFound(nodes.patchStatus(key, { metadata: { resourceVersion: version }, status: { conditions: next } }));
        if (written === undefined) return;
        version = written.metadata.resourceVersion;
        this.d.events.event(node, 'Normal', 'NodeNotReady', `Node ${key} status is now: NodeNotReady`);
      }
    }
    const taints = desiredTaints(node, health, stamp(now));
    if (canonicalJson(taints) !== canonicalJson(node.spec.taints ?? [])) {
      await ignoreNotFound(nodes.patch(key, { metadata: { resourceVersion: version }, spec: { taints: taints.length > 0 ? taints : null } }));
    }
    // Pods on a silent node are no longer known to be ready: endpoints stop sending them traffic.
    if (health === 'Unknown') {
      for (const p of this.pods.cache.list()) {
        if (p.spec.nodeName !== key || !isPodActive(p)) continue;
        const conds = p.status?.conditions ?? [];
        const ready = conds.find((c) => c.type === 'Ready');
        if (ready === undefined || ready.status === 'False') continue;
        const next = [...conds.filter((c) => c.type !== 'Ready'), { ...ready, status: 'False', reason: 'NodeNotReady', lastTransitionTime: stamp(now) }];
        await ignoreNotFound(this.d.client.resource<Pod>('pods', p.metadata.namespace ?? '').patchStatus(p.metadata.name ?? '', { status: { conditions: next } }));
      }
    }
    // Evictions, unless most nodes are silent.
    const all = this.nodes.cache.list().map((n) => (n.metadata.name === key ? health : this.health(n)));
    if (fullDisruption(all)) return { requeueAfterMs: this.monitorMs };
    let next: number | undefined;
    const onNode = this.pods.cache.list().filter((p) => p.spec.nodeName === key && isPodActive(p));
    for (const p of onNode) {
      const at = evictionTime(p, taints);
      if (at === undefined) continue;
      if (at > now) {
        next = Math.min(next ?? Infinity, at - now);
        continue;
      }
      if (!this.takeToken()) {
        next = Math.min(next ?? Infinity, 1000 / this.rate);
        continue;
      }
      await ignoreNotFound(this.d.client.resource<Pod>('pods', p.metadata.namespace ?? '').delete(p.metadata.name ?? ''));
      this.d.events.event(p, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`);
    }
    return next === undefined ? undefined : { requeueAfterMs: Math.max(20, next + 20) };
  }
}
