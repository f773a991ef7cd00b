// Registration and heartbeats: the Node object (labels, capacity, conditions) and its Lease in
// kube-node-lease. The Lease is renewed every leaseRenewMs (cheap, small); the NodeStatus is
// written only when it changed or statusMaxAgeMs passed (edge disks are SD cards: few writes).
import type { Lease, Node } from '../../api/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/index.js';
import type { Clock, ShoalClient } from '../../client/index.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { rfc3339 } from '../time-format.js';
import type { HostFacts, HostUsage } from './host-facts.js';
import { buildNodeStatus, nodeLabels, statusFingerprint } from './node-status.js';
import type { NetworkState, Reservations, Thresholds } from './node-status.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeHeartbeatOptions {
  readonly nodeName: string;
  readonly reservations: Reservations;
  readonly thresholds: Thresholds;
  readonly maxPods: number;
  readonly agentVersion: string;
  readonly leaseDurationSeconds: number;
  readonly statusMaxAgeMs: number;
  /** The pod network's state for the node's conditions; absent = no pod network (--pod-network none). */
  readonly network?: () => NetworkState;
  /** Where "Starting", "NodeReady" and "NodeNotReady" go (absent: nowhere). */
  readonly events?: EventSink;
}

const readyOf = (status: Node['status'] | undefined): string | undefined => status?.conditions?.find((c) => c.type === 'Ready')?.status;

export interface HostReader {
  facts(): Promise<HostFacts>;
  usage(): Promise<HostUsage>;
}

export class NodeHeartbeat {
  private facts: HostFacts | undefined;
  private lastStatus: Node['status'] | undefined;
  private lastFingerprint = '';
  private lastWrite = Number.NEGATIVE_INFINITY;
  statusWrites = 0;
  leaseRenewals = 0;

  constructor(
    private readonly client: ShoalClient,
    private readonly runtime: ContainerRuntime,
    private readonly host: HostReader,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly o: NodeHeartbeatOptions,
  ) {}

  /** The host's first address ("" until known). */
  get hostIP(): string {
    return this.facts?.addresses[0] ?? '';
  }

  async hostFacts(): Promise<HostFacts> {
    this.facts ??= await this.host.facts();
    return this.facts;
  }

  /** Creates the Node (or adds the standard labels to an existing one). */
  async register(): Promise<void> {
    const facts = await this.hostFacts();
    this.o.events?.recordNode('Normal', 'Starting', `Starting ${this.o.agentVersion}.`);
    const nodes = this.client.resource<Node>('nodes', '');
    const labels = nodeLabels(facts, this.o.nodeName);
    try {
      const existing = await nodes.get(this.o.nodeName);
      this.lastStatus = existing.status;
      const missing = Object.entries(labels).some(([k, v]) => existing.metadata.labels?.[k] !== v);
      if (missing) await nodes.patch(this.o.nodeName, { metadata: { labels } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.o.nodeName, labels }, spec: {} } as unknown as Node);
      } catch (e2) {
        if (!isAlreadyExists(e2)) throw e2;
      }
    }
    await this.updateStatus(true);
    this.log.info({ node: this.o.nodeName, cpu: facts.cpuCores, memoryBytes: facts.memoryBytes, arch: facts.arch }, 'node registered');
  }

  /** Writes the NodeStatus when it changed, or when it is older than statusMaxAgeMs (or force). */
  async updateStatus(force = false): Promise<boolean> {
    const facts = await this.hostFacts();
    const usage = await this.host.usage();
    let runtimeVersion = '';
    let runtimeError = '';
    try {
      runtimeVersion = await this.runtime.version();
    } catch (e) {
      runtimeError = (e as Error).message;
    }
    const now = this.clock.now();
    const status = buildNodeStatus({ facts, usage, reservations: this.o.reservations, thresholds: this.o.thresholds, maxPods: this.o.maxPods, runtimeVersion, runtimeError, agentVersion: this.o.agentVersion, previous: this.lastStatus, now, ...(this.o.network === undefined ? {} : { network: this.o.network() }) });
    const fp = statusFingerprint(status);
    if (!force && fp === this.lastFingerprint && now - this.lastWrite < this.o.statusMaxAgeMs) return false;
    await this.client.resource<Node>('nodes', '').patchStatus(this.o.nodeName, { status });
    // What the Node said before (the control plane marks a silent node Unknown) against what it says now.
    const was = readyOf(this.lastStatus);
    const is = readyOf(status);
    if (is !== was && (is === 'True' || was === 'True')) {
      const why = is === 'True' ? '' : ` (${status?.conditions?.find((c) => c.type === 'Ready')?.message ?? ''})`;
      this.o.events?.recordNode('Normal', is === 'True' ? 'NodeReady' : 'NodeNotReady', `Node ${this.o.nodeName} status is now: ${is === 'True' ? 'NodeReady' : 'NodeNotReady'}${why}`);
    }
    this.lastStatus = status;
    this.lastFingerprint = fp;
    this.lastWrite = now;
    this.statusWrites++;
    return true;
  }

  /** Renews (or creates) the node's Lease. */
  async renewLease(): Promise<void> {
    const leases = this.client.resource<Lease>('leases', NODE_LEASE_NAMESPACE);
    const now = rfc3339(this.clock.now());
    const spec = { holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime: now };
    try {
      const cur = await leases.get(this.o.nodeName);
      await leases.update({ ...cur, spec: { ...cur.spec, ...spec } } as Lease);
      this.leaseRenewals++;
      return;
    } catch (e) {
      if (isConflict(e)) return; // the next renewal wins
      if (!isNotFound(e)) throw e;
    }
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.nodeName, namespace: NODE_LEASE_NAMESPACE }, spec: { ...spec, acquireTime: now } } as unknown as Lease;
    try {
      await leases.create(lease);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // The lease namespace does not exist yet on this cluster: make it once.
      await this.client
        .resource('namespaces', '')
        .create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASE_NAMESPACE } } as never)
        .catch((e2: unknown) => {
          if (!isAlreadyExists(e2)) throw e2;
        });
      await leases.create(lease);
    }
    this.leaseRenewals++;
  }
}
