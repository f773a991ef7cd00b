// Node IPAM (kube-controller-manager's range allocator): every Node without spec.podCIDR gets the
// lowest free block of the cluster CIDR, written once with the resourceVersion it was computed
// from (spec.podCIDR and spec.podCIDRs; never reassigned). On start, blocks that nodes already
// hold are marked before anything is handed out; a deleted node frees its block; when none is
// left the node gets a Warning event CIDRNotAvailable and is retried later. A node holding a
// block this allocator cannot mark (another cluster CIDR or mask: a control-plane host started
// with other flags) stops all allocation, as kube-controller-manager does: handing out blocks
// from a range that does not match could overlap the blocks already in use.
import type { Node } from '../../../api/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { isNotFound } from '../../../client/index.js';
import { Controller } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { CidrAllocator } from './cidr-allocator.js';

export interface NodeIpamOptions {
  /** Default 10.244.0.0/16 (kubeadm's). */
  readonly clusterCIDR?: string;
  /** Default 24. */
  readonly nodeCIDRMaskSize?: number;
  /** How soon a node that found no free block is tried again (default 30 s; a release retries at once). */
  readonly retryMs?: number;
}

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;

export class NodeIpamController extends Controller {
  readonly allocator: CidrAllocator;
  private readonly nodes: Informer<Node>;
  /** node name → the block it holds (or was given and is being written). */
  private readonly held = new Map<string, string>();
  private readonly retryMs: number;
  /** Blocks held by nodes that this allocator cannot mark: while any, nothing is allocated. */
  private readonly foreign = new Map<string, string>();

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory; readonly events: EventSink; readonly options?: NodeIpamOptions }) {
    super('node-ipam', d);
    this.allocator = new CidrAllocator(d.options?.clusterCIDR ?? DEFAULT_CLUSTER_CIDR, d.options?.nodeCIDRMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE);
    this.retryMs = d.options?.retryMs ?? 30_000;
    this.nodes = d.informers.get<Node>('nodes');
    this.enqueueAll(this.nodes);
  }

  /** Runs after the first full list: every block already held is marked before any is handed out. */
  override start(): void {
    for (const n of this.nodes.cache.list()) this.note(n);
    super.start();
  }

  private note(n: Node): void {
    const name = n.metadata.name ?? '';
    const cidr = n.spec.podCIDR;
    if (cidr === undefined || cidr === '' || this.held.get(name) === cidr) return;
    const prev = this.held.get(name);
    if (prev !== undefined) this.allocator.release(prev);
    const r = this.allocator.occupy(cidr);
    if (r.ok) {
      this.held.set(name, cidr);
      this.foreign.delete(name);
    } else {
      this.foreign.set(name, r.reason);
      this.log.error({ node: name, podCIDR: cidr, reason: r.reason }, 'node has a pod CIDR this allocator cannot mark; no pod CIDR is allocated until that is fixed (same --cluster-cidr and --node-cidr-mask-size on every control-plane host)');
    }
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const node = this.nodes.cache.get(key);
    if (node === undefined) return this.free(key);
    if (node.spec.podCIDR !== undefined && node.spec.podCIDR !== '') {
      this.note(node);
      return;
    }
    const [foreignNode, why] = [...this.foreign][0] ?? [];
    if (foreignNode !== undefined) {
      this.d.events.event(node, 'Warning', 'CIDRNotAvailable', `Node ${key} status is now: CIDRNotAvailable (node ${foreignNode}: ${why ?? ''}; every control-plane host must use the same --cluster-cidr and --node-cidr-mask-size)`);
      return { requeueAfterMs: this.retryMs };
    }
    // A block given earlier whose write is not visible yet (or failed): the same one again.
    let cidr = this.held.get(key);
    if (cidr === undefined) {
      cidr = this.allocator.allocate();
      if (cidr === undefined) {
        this.d.events.event(node, 'Warning', 'CIDRNotAvailable', `Node ${key} status is now: CIDRNotAvailable (no free /${this.allocator.maskSize} left in the cluster CIDR)`);
        return { requeueAfterMs: this.retryMs };
      }
      this.held.set(key, cidr);
    }
    try {
      await this.d.client.resource<Node>('nodes', '').patch(key, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    } catch (e) {
      if (isNotFound(e)) return this.free(key);
      throw e; // Conflict: retried against the fresh object, which may already have its CIDR.
    }
    this.log.info({ node: key, podCIDR: cidr }, 'pod CIDR allocated');
  }

  private free(name: string): void {
    if (this.foreign.delete(name)) for (const n of this.nodes.cache.list()) if (!n.spec.podCIDR) this.queue.add(n.metadata.name ?? '');
    const cidr = this.held.get(name);
    if (cidr === undefined) return;
    this.held.delete(name);
    this.allocator.release(cidr);
    this.log.info({ node: name, podCIDR: cidr }, 'pod CIDR released');
    // Nodes that found none may get this one now.
    for (const n of this.nodes.cache.list()) if (!n.spec.podCIDR) this.queue.add(n.metadata.name ?? '');
  }
}
