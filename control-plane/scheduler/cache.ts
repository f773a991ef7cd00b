// The scheduler's view of the cluster, fed by the node and pod informers (no store read per
// pod). Pods count on their node from the moment the scheduler sends the bind (assume), so
// back-to-back decisions never oversubscribe a node; a failed bind forgets the pod; the informer
// seeing the pod bound confirms it. An assumed pod whose binding finished but that the informer
// never reports is dropped after assumedTtlMs (a lost watch event must not leak capacity forever).
import type { Node, Pod } from '../../api/index.js';
import type { Snapshot } from './framework/plugin.js';
import { NodeInfo } from './framework/node-info.js';
import { podInfo, type PodInfo } from './framework/pod-info.js';

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
  /** When an assumed pod's bind succeeded (its expiry clock starts then). */
  bindFinishedAt: number | undefined;
}

export class CacheError extends Error {
  readonly code = 'SchedulerCacheInvariant';
  constructor(message: string) {
    super(message);
    this.name = 'CacheError';
  }
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private nodeList: NodeInfo[] | undefined;
  private readonly pods = new Map<string, PodState>();
  /** Pods bound to nodes the cache has not seen (yet): counted when the node arrives. */
  private readonly orphans = new Map<string, Map<string, PodInfo>>();

  constructor(private readonly assumedTtlMs = 15 * 60_000) {}

  /** Every known node, in a stable order (the cycle's rotating start index relies on it). */
  snapshot(): Snapshot {
    this.nodeList ??= [...this.nodes.values()];
    return { nodes: this.nodeList };
  }

  node(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  get podCount(): number {
    return this.pods.size;
  }

  setNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const existing = this.nodes.get(name);
    if (existing !== undefined) {
      existing.setNode(node);
      return;
    }
    const info = new NodeInfo(node);
    for (const p of this.orphans.get(name)?.values() ?? []) info.addPod(p);
    this.orphans.delete(name);
    this.nodes.set(name, info);
    this.nodeList = undefined;
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (info === undefined) return;
    this.nodes.delete(name);
    this.nodeList = undefined;
    // Its pods stay known: if the node comes back they count again.
    if (info.pods.size > 0) this.orphans.set(name, new Map(info.pods));
  }

  /** A pod the informer reports bound (and not finished): confirms an assumed one, moving it if the server put it elsewhere. */
  addOrUpdatePod(pod: Pod): void {
    const info = podInfo(pod);
    const node = pod.spec.nodeName ?? '';
    if (node === '') throw new CacheError(`addOrUpdatePod ${info.key}: the pod has no node`);
    const old = this.pods.get(info.key);
    if (old !== undefined) this.unplace(old);
    const st: PodState = { info, node, assumed: false, bindFinishedAt: undefined };
    this.pods.set(info.key, st);
    this.place(st);
  }

  /** The pod is gone, finished, or (for an assumed pod) its bind failed. */
  removePod(key: string): void {
    const st = this.pods.get(key);
    if (st === undefined) return;
    this.unplace(st);
    this.pods.delete(key);
  }

  /** Counts the pod on `node` now, before the bind reaches the server. */
  assume(info: PodInfo, node: string): void {
    if (this.pods.has(info.key)) throw new CacheError(`assume ${info.key}: already in the cache (on ${this.pods.get(info.key)!.node})`);
    const st: PodState = { info, node, assumed: true, bindFinishedAt: undefined };
    this.pods.set(info.key, st);
    this.place(st);
  }

  /** The bind call returned OK; the informer will confirm. */
  finishBinding(key: string, now: number): void {
    const st = this.pods.get(key);
    if (st?.assumed) st.bindFinishedAt = now;
  }

  /** The bind failed: the pod no longer counts anywhere. Only assumed pods are forgotten. */
  forget(key: string): void {
    const st = this.pods.get(key);
    if (st?.assumed) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed ?? false;
  }

  /** Node the cache has the pod on (assumed or confirmed). */
  nodeOf(key: string): string | undefined {
    return this.pods.get(key)?.node;
  }

  /** Drops assumed pods whose bind finished more than assumedTtlMs ago without confirmation; returns their keys. */
  cleanupExpired(now: number): string[] {
    const gone: string[] = [];
    for (const [key, st] of this.pods)
      if (st.assumed && st.bindFinishedAt !== undefined && now - st.bindFinishedAt > this.assumedTtlMs) {
        this.removePod(key);
        gone.push(key);
      }
    return gone;
  }

  private place(st: PodState): void {
    const n = this.nodes.get(st.node);
    if (n !== undefined) n.addPod(st.info);
    else {
      let m = this.orphans.get(st.node);
      if (m === undefined) this.orphans.set(st.node, (m = new Map()));
      m.set(st.info.key, st.info);
    }
  }

  private unplace(st: PodState): void {
    const n = this.nodes.get(st.node);
    if (n !== undefined) n.removePod(st.info.key);
    const m = this.orphans.get(st.node);
    if (m !== undefined) {
      m.delete(st.info.key);
      if (m.size === 0) this.orphans.delete(st.node);
    }
  }
}
