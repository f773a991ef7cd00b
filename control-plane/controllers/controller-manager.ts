// The controller manager: every controller of this package over one set of shared informers,
// running only while this host holds the controller-manager Lease. Leadership lost = all work
// stopped (informers and workers) before another host can start; regained = built afresh, so no
// state (caches, expectations) survives a gap in which someone else was acting.
import type { Logger } from 'pino';
import type { Clock, ShoalClient } from '../../client/index.js';
import { CronJobController } from './cron-job/cron-job-controller.js';
import { DaemonSetController } from './daemon-set/daemon-set-controller.js';
import { DeploymentController } from './deployment/deployment-controller.js';
import { EndpointsController } from './endpoints/endpoints-controller.js';
import { GarbageCollector } from './garbage-collector/garbage-collector.js';
import { JobController } from './job/job-controller.js';
import { LeaderElector } from './leader-election/leader-elector.js';
import { NodeLifecycleController } from './node-lifecycle/node-lifecycle-controller.js';
import type { NodeLifecycleOptions } from './node-lifecycle/node-lifecycle-controller.js';
import { NamespaceController } from './namespace/namespace-controller.js';
import { CidrAllocator, DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE, NodeIpamController } from './node-ipam/index.js';
import type { NodeIpamOptions } from './node-ipam/index.js';
import { ReplicaSetController, replicaSetKindAdapter, replicationControllerKindAdapter } from './replica-set/replica-set-controller.js';
import { StatefulSetController } from './stateful-set/stateful-set-controller.js';
import { ResourceQuotaController } from './resource-quota/resource-quota-controller.js';
import { ServiceAccountController } from './service-account/service-account-controller.js';
import type { ServiceAccountTokens } from './service-account/token-secret.js';
import type { Controller } from './shared/controller.js';
import { EventRecorder } from './shared/event-recorder.js';
import { InformerFactory } from './shared/informer-factory.js';

export const CONTROLLER_NAMES = ['replicaset', 'replicationcontroller', 'deployment', 'endpoints', 'namespace', 'garbage-collector', 'serviceaccount', 'job', 'cronjob', 'daemonset', 'statefulset', 'node-lifecycle', 'resourcequota', 'node-ipam'] as const;
export type ControllerName = (typeof CONTROLLER_NAMES)[number];

export interface ControllerManagerConfig {
  /** Unique per host (lease holder identity). */
  readonly identity: string;
  /** Which controllers run (default: all). */
  readonly controllers?: readonly ControllerName[];
  /** Workers per controller (default 2). */
  readonly workers?: number;
  /** Informer resync: every object is reconciled again this often (default 5 min). */
  readonly resyncPeriodMs?: number;
  /** Lease timings (defaults 15 s / 10 s / 2 s, as Kubernetes). */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly leaseName?: string;
  readonly leaseNamespace?: string;
  /** Node heartbeat grace, monitor period and eviction rate. */
  readonly nodeLifecycle?: NodeLifecycleOptions;
  /** Pod CIDRs for nodes (--cluster-cidr, --node-cidr-mask-size). */
  readonly nodeIpam?: NodeIpamOptions;
  /** --allocate-node-cidrs (default true): false leaves the node-ipam controller out. */
  readonly allocateNodeCIDRs?: boolean;
  /** Run without leader election (a single host, tests). */
  readonly leaderElection?: boolean;
}

export interface ControllerManagerDeps {
  readonly client: ShoalClient;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: ControllerManagerConfig;
  /** Signs ServiceAccount token Secrets; absent = the ServiceAccount controller makes no tokens. */
  readonly serviceAccountTokens?: ServiceAccountTokens;
}

export class ControllerManagerConfigError extends Error {
  readonly code = 'CONTROLLER_MANAGER_CONFIG';
  override readonly name = 'ControllerManagerConfigError';
}

interface Running {
  readonly informers: InformerFactory;
  readonly controllers: Controller[];
  readonly events: EventRecorder;
}

export class ControllerManager {
  private readonly elector: LeaderElector | undefined;
  private running: Running | undefined;
  /** Serialises start/stop of the controllers (leadership callbacks may race stop()). */
  private transition: Promise<void> = Promise.resolve();
  private started = false;

  constructor(private readonly deps: ControllerManagerDeps) {
    const c = deps.config;
    for (const n of c.controllers ?? []) if (!(CONTROLLER_NAMES as readonly string[]).includes(n)) throw new ControllerManagerConfigError(`controllers: unknown controller "${n}" (known: ${CONTROLLER_NAMES.join(', ')})`);
    if (c.workers !== undefined && !(Number.isInteger(c.workers) && c.workers >= 1)) throw new ControllerManagerConfigError(`workers: must be an integer >= 1, got ${c.workers}`);
    if (c.nodeIpam !== undefined) {
      try {
        new CidrAllocator(c.nodeIpam.clusterCIDR ?? DEFAULT_CLUSTER_CIDR, c.nodeIpam.nodeCIDRMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE);
      } catch (e) {
        throw new ControllerManagerConfigError(`nodeIpam: ${(e as Error).message}`);
      }
    }
    if (c.leaderElection !== false) {
      this.elector = new LeaderElector({
        client: deps.client,
        clock: deps.clock,
        log: deps.log.child({ component: 'leader-election' }),
        identity: c.identity,
        namespace: c.leaseNamespace ?? 'kube-system',
        name: c.leaseName ?? 'kube-controller-manager',
        ...(c.leaseDurationMs === undefined ? {} : { leaseDurationMs: c.leaseDurationMs }),
        ...(c.renewDeadlineMs === undefined ? {} : { renewDeadlineMs: c.renewDeadlineMs }),
        ...(c.retryPeriodMs === undefined ? {} : { retryPeriodMs: c.retryPeriodMs }),
        onStartedLeading: () => this.serially(() => this.startControllers()),
        onStoppedLeading: () => this.serially(() => this.stopControllers()),
      });
    }
  }

  /** True while the controllers run here. */
  get active(): boolean {
    return this.running !== undefined;
  }

  get leaderElector(): LeaderElector | undefined {
    return this.elector;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.elector !== undefined) this.elector.start();
    else void this.serially(() => this.startControllers());
  }

  /** Stops the controllers and releases the lease. */
  async stop(): Promise<void> {
    if (this.elector !== undefined) await this.elector.stop();
    await this.serially(() => this.stopControllers());
  }

  private serially(f: () => Promise<void>): Promise<void> {
    this.transition = this.transition.then(f, f);
    return this.transition;
  }

  private async startControllers(): Promise<void> {
    if (this.running !== undefined) return;
    const { client, clock, log, config } = this.deps;
    const informers = new InformerFactory({
      client,
      clock,
      resyncPeriodMs: config.resyncPeriodMs ?? 5 * 60_000,
      onError: (resource, e) => log.debug({ err: e, resource }, 'informer error'),
    });
    const events = new EventRecorder({ client, clock, log, component: 'controller-manager' });
    const base = { client, clock, log, informers, events, ...(config.workers === undefined ? {} : { workers: config.workers }) };
    const enabled = new Set<ControllerName>(config.controllers ?? CONTROLLER_NAMES);
    if (config.allocateNodeCIDRs === false) enabled.delete('node-ipam');
    const controllers: Controller[] = [];
    for (const name of CONTROLLER_NAMES) {
      if (!enabled.has(name)) continue;
      switch (name) {
        case 'replicaset':
          controllers.push(new ReplicaSetController(replicaSetKindAdapter, base));
          break;
        case 'replicationcontroller':
          controllers.push(new ReplicaSetController(replicationControllerKindAdapter, base));
          break;
        case 'deployment':
          controllers.push(new DeploymentController(base));
          break;
        case 'endpoints':
          controllers.push(new EndpointsController(base));
          break;
        case 'namespace':
          controllers.push(new NamespaceController(base));
          break;
        case 'garbage-collector':
          controllers.push(new GarbageCollector(base));
          break;
        case 'serviceaccount':
          controllers.push(new ServiceAccountController({ ...base, ...(this.deps.serviceAccountTokens === undefined ? {} : { tokens: this.deps.serviceAccountTokens }) }));
          break;
        case 'job':
          controllers.push(new JobController(base));
          break;
        case 'cronjob':
          controllers.push(new CronJobController(base));
          break;
        case 'daemonset':
          controllers.push(new DaemonSetController(base));
          break;
        case 'statefulset':
          controllers.push(new StatefulSetController(base));
          break;
        case 'node-lifecycle':
          controllers.push(new NodeLifecycleController({ ...base, ...(config.nodeLifecycle === undefined ? {} : { options: config.nodeLifecycle }) }));
          break;
        case 'resourcequota':
          controllers.push(new ResourceQuotaController(base));
          break;
        case 'node-ipam':
          controllers.push(new NodeIpamController({ ...base, ...(config.nodeIpam === undefined ? {} : { options: config.nodeIpam }) }));
          break;
      }
    }
    const run: Running = { informers, controllers, events };
    this.running = run;
    informers.start();
    // Workers start once the caches hold a first full list (never act on a partial view). Not
    // awaited here: a stop must not queue behind a sync that cannot finish.
    void informers.waitForSync().then((synced) => {
      if (!synced || this.running !== run) return;
      for (const c of controllers) c.start();
      log.info({ controllers: controllers.map((c) => c.name) }, 'controllers started');
    });
  }

  private async stopControllers(): Promise<void> {
    const run = this.running;
    if (run === undefined) return;
    this.running = undefined;
    await Promise.all(run.controllers.map((c) => c.stop()));
    await run.informers.stop();
    await run.events.flush();
    this.deps.log.info('controllers stopped');
  }
}
