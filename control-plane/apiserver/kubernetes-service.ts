// Keeps the `kubernetes` Service and its Endpoints (master-endpoints.ts) from inside every API
// server: ensures the Service at start, then each tick renews this server's lease and rewrites
// the Endpoints when the set of live API servers changed. stop() (a clean shutdown) deletes the
// lease and takes this server out of the Endpoints.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/kind.js';
import { ApiError, Code } from './errors.js';
import type { Clock } from './clock.js';
import { APISERVER_LEASE_LABEL, APISERVER_LEASE_NAMESPACE, apiServerLease, endpointSubsets, KUBERNETES_SERVICE, kubernetesService, leaseName, liveAddress } from './master-endpoints.js';
import type { Advertise } from './master-endpoints.js';
import type { SystemAccess } from './system-access.js';
import { deepEqual } from './registry/codec.js';

export interface KubernetesServiceOptions {
  readonly serverName: string;
  readonly advertise: Advertise;
  /** The Service's cluster IP: the first usable address of the range. */
  readonly clusterIP: string;
  /** How often the lease is renewed and the Endpoints checked (default 10 s). */
  readonly intervalMs?: number;
  /** Lease duration (default 3 × interval, at least 15 s as Kubernetes' endpoint reconciler TTL). */
  readonly leaseSeconds?: number;
}

export class KubernetesServiceReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly intervalMs: number;
  private readonly leaseSeconds: number;

  constructor(
    private readonly o: KubernetesServiceOptions,
    private readonly d: { readonly system: SystemAccess; readonly clock: Clock; readonly log: Logger },
  ) {
    this.intervalMs = o.intervalMs ?? 10_000;
    this.leaseSeconds = o.leaseSeconds ?? Math.max(15, Math.ceil((3 * this.intervalMs) / 1000));
  }

  /** Creates default/kubernetes if missing; at start (fixPort) also sets its port to ours if it differs. */
  async ensureService(fixPort = true): Promise<void> {
    const want = kubernetesService(this.o.clusterIP, this.o.advertise.port);
    const have = await this.d.system.get('services', KUBERNETES_SERVICE.namespace, KUBERNETES_SERVICE.name);
    if (have === undefined) {
      try {
        await this.d.system.create('services', want);
        this.d.log.info({ clusterIP: this.o.clusterIP }, 'created the kubernetes Service');
      } catch (e) {
        if (!(e instanceof ApiError && e.code === Code.ALREADY_EXISTS)) throw e;
      }
      return;
    }
    const ports = (want.spec as { ports: unknown }).ports;
    if (fixPort && !deepEqual((have.spec as { ports?: unknown }).ports, ports)) await this.d.system.update('services', { ...have, spec: { ...(have.spec as object), ports } });
  }

  start(): void {
    if (this.stopped) return;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.reconcile()
        .catch((e: unknown) => this.d.log.warn({ err: (e as Error).message }, 'kubernetes Service endpoints: reconcile failed; next tick retries'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
        });
    };
    tick();
  }

  /** Renews this server's lease, then writes the Endpoints of the live API servers. */
  async reconcile(): Promise<void> {
    // Re-created when someone deleted it; its port is only set at start, so that servers on
    // different ports do not take turns rewriting it.
    await this.ensureService(false);
    await this.renew();
    await this.writeEndpoints(undefined);
  }

  /** Clean shutdown: this server leaves the Endpoints and deletes its lease. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    try {
      await this.d.system.delete('leases', APISERVER_LEASE_NAMESPACE, leaseName(this.o.serverName));
      await this.writeEndpoints(this.o.advertise);
    } catch (e) {
      this.d.log.warn({ err: (e as Error).message }, 'could not leave the kubernetes Service endpoints; the lease expires instead');
    }
  }

  private async renew(): Promise<void> {
    const now = this.d.clock.now();
    const name = leaseName(this.o.serverName);
    const old = await this.d.system.get('leases', APISERVER_LEASE_NAMESPACE, name);
    const lease = apiServerLease(this.o.serverName, this.o.advertise, this.leaseSeconds, now, old);
    if (old === undefined) await this.d.system.create('leases', lease);
    else await this.d.system.update('leases', lease);
  }

  /** Writes the Endpoints of the live leases (without `leaving`); expired leases are deleted. */
  private async writeEndpoints(leaving: Advertise | undefined): Promise<void> {
    const now = this.d.clock.now();
    const live: Advertise[] = [];
    for (const lease of await this.d.system.list('leases', APISERVER_LEASE_NAMESPACE)) {
      if (lease.metadata.labels?.[APISERVER_LEASE_LABEL] === undefined) continue;
      const a = liveAddress(lease, now);
      if (a === undefined) {
        // Expired: its server is gone (one that comes back makes a new lease).
        await this.d.system.delete('leases', APISERVER_LEASE_NAMESPACE, lease.metadata.name ?? '', lease.metadata.resourceVersion ?? '').catch(() => {});
      } else if (leaving === undefined || a.ip !== leaving.ip || a.port !== leaving.port) live.push(a);
    }
    const subsets = endpointSubsets(live);
    const old = await this.d.system.get('endpoints', KUBERNETES_SERVICE.namespace, KUBERNETES_SERVICE.name);
    if (old !== undefined && deepEqual(old.subsets ?? [], subsets)) return;
    const next: KubeObject = { ...(old ?? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: KUBERNETES_SERVICE.name, namespace: KUBERNETES_SERVICE.namespace, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } }), subsets };
    if (old === undefined) await this.d.system.create('endpoints', next);
    else await this.d.system.update('endpoints', next);
  }
}
