// The agent's host-gw pod network: waits for this node's spec.podCIDR, then keeps the docker
// network `shoal` on it, a route to every other node's pod CIDR via that node's InternalIP, the
// forward/masquerade rules and ip_forward. Node events only wake the loop; each pass reconciles
// everything (rate-limited), and a periodic pass repairs what someone else changed. Until a pass
// succeeds, status() says why pods must wait (they never start on Docker's default bridge).
import type Docker from 'dockerode';
import type { Node } from '../../api/index.js';
import { cidrContains, parseIpv4Cidr } from '../../api/net/ipv4-cidr.js';
import type { Clock, Informer, ShoalClient } from '../../client/index.js';
import type { Logger } from '../logger.js';
import { enableIpForward, ensureDockerNetwork, ensureHairpin, syncRoutes, syncRules } from './host-network.js';
import type { CommandRunner } from './host-network.js';
import { desiredRoutes, POD_NETWORK_NAME } from './plan.js';

export const PodNetworkMode = { HostGw: 'host-gw', None: 'none' } as const;
export type PodNetworkMode = (typeof PodNetworkMode)[keyof typeof PodNetworkMode];

/** What a pod worker asks before creating a container. */
export type PodNetworkStatus = { readonly ready: true; readonly network: string; readonly podCIDR: string } | { readonly ready: false; readonly reason: string; readonly message: string };

export interface PodNetworkDeps {
  readonly client: ShoalClient;
  readonly docker: Docker;
  readonly run: CommandRunner;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nodeName: string;
  readonly clusterCIDR: string;
  /** Full pass at least this often (default 10 s). */
  readonly resyncMs?: number;
  /** At most one pass per this many ms (default 200). */
  readonly minIntervalMs?: number;
  /** Called when status() changes (the node's conditions follow it). */
  readonly onChange?: (s: PodNetworkStatus) => void;
  readonly ipForward?: () => Promise<void>;
}

export class PodNetwork {
  private state: PodNetworkStatus = { ready: false, reason: 'NoPodCIDR', message: 'waiting for this node to get a pod CIDR (spec.podCIDR) from the controller manager' };
  private informer: Informer<Node> | undefined;
  private readonly stopping = new AbortController();
  private wake = new AbortController();
  private loop: Promise<void> | undefined;
  passes = 0;

  constructor(private readonly deps: PodNetworkDeps) {
    parseIpv4Cidr(deps.clusterCIDR);
  }

  status(): PodNetworkStatus {
    return this.state;
  }

  start(): this {
    const inf = this.deps.client.informer<Node>('nodes', { namespace: '', clock: this.deps.clock, onError: (e) => this.deps.log.debug({ err: (e as Error).message }, 'node watch (pod network)') });
    const kick = (): void => this.wake.abort();
    inf.addHandlers({ onAdd: kick, onUpdate: kick, onDelete: kick });
    this.informer = inf.start();
    this.loop = this.run();
    return this;
  }

  /** A container started: its bridge port needs hairpin mode now, not at the next resync. */
  containerStarted(): void {
    this.wake.abort();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake.abort();
    await this.informer?.stop();
    await this.loop;
  }

  private set(s: PodNetworkStatus): void {
    const before = JSON.stringify(this.state);
    this.state = s;
    if (JSON.stringify(s) !== before) {
      if (s.ready) this.deps.log.info({ podCIDR: s.podCIDR, network: s.network }, 'pod network ready');
      else this.deps.log.warn({ reason: s.reason, message: s.message }, 'pod network not ready');
      this.deps.onChange?.(s);
    }
  }

  private async run(): Promise<void> {
    const { clock } = this.deps;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      this.wake = new AbortController();
      if (this.informer?.hasSynced()) {
        try {
          await this.pass();
        } catch (e) {
          this.set({ ready: false, reason: 'NetworkSetupFailed', message: `pod network setup failed: ${(e as Error).message}` });
        }
      }
      const stopOrWake = AbortSignal.any([signal, this.wake.signal]);
      await clock.sleep(this.informer?.hasSynced() ? (this.deps.resyncMs ?? 10_000) : 100, stopOrWake);
      await clock.sleep(this.deps.minIntervalMs ?? 200, signal);
    }
  }

  /** One reconcile pass over everything the pod network needs. */
  async pass(): Promise<void> {
    this.passes++;
    const { nodeName, clusterCIDR } = this.deps;
    const nodes = this.informer?.cache.list() ?? [];
    const self = nodes.find((n) => n.metadata.name === nodeName);
    const podCIDR = self?.spec.podCIDR;
    if (podCIDR === undefined || podCIDR === '') {
      this.set({ ready: false, reason: 'NoPodCIDR', message: `waiting for node ${nodeName} to get a pod CIDR (spec.podCIDR) from the controller manager (--allocate-node-cidrs)` });
      return;
    }
    if (!cidrContains(parseIpv4Cidr(clusterCIDR), parseIpv4Cidr(podCIDR))) {
      this.set({ ready: false, reason: 'PodCIDROutsideCluster', message: `pod CIDR ${podCIDR} is outside the agent's cluster CIDR ${clusterCIDR} (--cluster-cidr)` });
      return;
    }
    await (this.deps.ipForward ?? enableIpForward)();
    const made = await ensureDockerNetwork(this.deps.docker, podCIDR);
    if (made === 'created') this.deps.log.info({ podCIDR }, 'docker network shoal created');
    await syncRules(this.deps.run, podCIDR, clusterCIDR);
    await ensureHairpin(this.deps.run);
    const plan = desiredRoutes(nodes, nodeName, clusterCIDR);
    const changed = await syncRoutes(this.deps.run, plan.routes, clusterCIDR);
    if (changed.replaced.length + changed.removed.length > 0) this.deps.log.info({ replaced: changed.replaced, removed: changed.removed, skipped: plan.skipped }, 'pod routes updated');
    this.set({ ready: true, network: POD_NETWORK_NAME, podCIDR });
  }
}
