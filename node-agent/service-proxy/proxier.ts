// The service proxy, after kube-proxy's iptables proxier: informer handlers only record which
// services changed (ChangeTracker); a SyncRunner calls sync(), which renders the ruleset
// (renderRuleset, pure) and applies it with iptables-restore --noflush. A partial sync rewrites
// the changed services' chains only; a full sync (at start, after a failure, when node facts
// change, every syncPeriodMs, and when the canary is gone) rewrites every chain, deletes stale
// ones and ensures the jump rules and the canary. stop() leaves the rules in place, so service
// traffic keeps flowing while the agent restarts.
import type { Registry } from 'prom-client';
import type { Endpoints, Node, Service } from '../../api/index.js';
import type { Clock, Informer, ShoalClient } from '../../client/index.js';
import type { Logger } from '../logger.js';
import { collectServicePorts, renderRuleset, shoalChains } from '../proxy/index.js';
import type { ExistingChains, NodeFacts, RenderedRuleset } from '../proxy/index.js';
import { ChangeTracker } from './change-tracker.js';
import { ensureCanary, ensureJumpRules, missingHostRules } from './host-checks.js';
import type { IptablesExecutor } from './iptables-executor.js';
import { ProxyMetrics } from './proxy-metrics.js';
import type { SyncMode } from './proxy-metrics.js';
import { applyRuleset } from './apply-ruleset.js';
import { SyncRunner } from './sync-runner.js';

export interface ProxierConfig {
  readonly nodeName: string;
  /** The cluster's pod network (traffic from outside it to a cluster IP is masqueraded); else the node's podCIDR. */
  readonly clusterCIDR?: string;
  /** Least time between two syncs (ms); a change after a quiet spell is applied at once. Default 100. */
  readonly minSyncPeriodMs?: number;
  /** A full resync at least this often (ms). Default 30 000. */
  readonly syncPeriodMs?: number;
  /** How often the canary and jump rules are checked (ms). Default 5 000. */
  readonly canaryPeriodMs?: number;
  /** Wait after a failed sync (ms). Default 1 000. */
  readonly retryPeriodMs?: number;
  readonly masqueradeAll?: boolean;
}

export interface SyncReport {
  mode: SyncMode;
  /** Services rewritten (all of them for a full sync). */
  services: number;
  /** Bytes of restore input. */
  bytes: number;
  renderMs: number;
  applyMs: number;
  /** Clock time when the rules were in place. */
  at: number;
}

export interface ProxierDeps {
  readonly client: ShoalClient;
  readonly iptables: IptablesExecutor;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: ProxierConfig;
  readonly metrics?: Registry;
  /** Called after every successful sync (tests, benchmarks). */
  readonly onSynced?: (r: SyncReport) => void;
}

const positive = (name: string, v: number): number => {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`proxy config ${name}: must be a number >= 0, got ${v}`);
  return v;
};

export class ServiceProxier {
  readonly metrics: ProxyMetrics | undefined;
  private readonly tracker = new ChangeTracker();
  private readonly runner: SyncRunner;
  private readonly c: Required<Omit<ProxierConfig, 'clusterCIDR'>> & { clusterCIDR: string | undefined };
  private services: Informer<Service> | undefined;
  private endpoints: Informer<Endpoints> | undefined;
  private node: Informer<Node> | undefined;
  private facts: NodeFacts;
  /** Chains on the host after the last successful sync; undefined: unknown (read the host first). */
  private chains: ExistingChains | undefined;
  private lastFull = Number.NEGATIVE_INFINITY;
  private serial: Promise<unknown> = Promise.resolve();
  /** Chain name memo for renderRuleset; dropped on full syncs when churn has grown it past 2× the live chains. */
  private chainNames = new Map<string, string>();
  private readonly stopping = new AbortController();
  private canaryLoop: Promise<void> | undefined;

  constructor(private readonly deps: ProxierDeps) {
    const cfg = deps.config;
    if (!cfg.nodeName) throw new RangeError('proxy config nodeName: required');
    this.c = {
      nodeName: cfg.nodeName,
      clusterCIDR: cfg.clusterCIDR,
      minSyncPeriodMs: positive('minSyncPeriodMs', cfg.minSyncPeriodMs ?? 100),
      syncPeriodMs: positive('syncPeriodMs', cfg.syncPeriodMs ?? 30_000),
      canaryPeriodMs: positive('canaryPeriodMs', cfg.canaryPeriodMs ?? 5_000),
      retryPeriodMs: positive('retryPeriodMs', cfg.retryPeriodMs ?? 1_000),
      masqueradeAll: cfg.masqueradeAll ?? false,
    };
    this.facts = this.nodeFacts(undefined);
    // Node facts are checked here so a bad --cluster-cidr fails at start, not at the first sync.
    renderRuleset({ services: [], endpoints: [], node: this.facts });
    this.metrics = deps.metrics === undefined ? undefined : new ProxyMetrics(deps.metrics);
    this.runner = new SyncRunner((periodic) => this.exclusive(() => this.sync(periodic)), {
      minIntervalMs: this.c.minSyncPeriodMs,
      maxIntervalMs: this.c.syncPeriodMs,
      retryIntervalMs: this.c.retryPeriodMs,
      clock: deps.clock,
    });
  }

  /** Starts watching and syncing; the first sync runs once Services and Endpoints are listed. */
  start(): this {
    const { client, clock, log } = this.deps;
    const onError = (what: string) => (e: unknown) => log.debug({ err: (e as Error).message }, `${what} watch`);
    const changed = (yes: boolean): void => {
      if (yes) this.runner.request();
    };
    this.services = client.informer<Service>('services', { namespace: '', clock, onError: onError('service') });
    this.services.addHandlers({
      onAdd: (s) => changed(this.tracker.service(undefined, s)),
      onUpdate: (o, s) => changed(this.tracker.service(o, s)),
      onDelete: (s) => changed(this.tracker.service(s, undefined)),
    });
    this.endpoints = client.informer<Endpoints>('endpoints', { namespace: '', clock, onError: onError('endpoints') });
    this.endpoints.addHandlers({
      onAdd: (e) => changed(this.tracker.endpoints(undefined, e)),
      onUpdate: (o, e) => changed(this.tracker.endpoints(o, e)),
      onDelete: (e) => changed(this.tracker.endpoints(e, undefined)),
    });
    this.node = client.informer<Node>('nodes', { namespace: '', fieldSelector: `metadata.name=${this.c.nodeName}`, clock, onError: onError('node') });
    this.node.addHandlers({ onAdd: (n) => this.nodeChanged(n), onUpdate: (_o, n) => this.nodeChanged(n) });
    this.services.start();
    this.endpoints.start();
    this.node.start();
    const signal = this.stopping.signal;
    void Promise.all([this.services.waitForSync({ signal }), this.endpoints.waitForSync({ signal })]).then(() => this.runner.request());
    this.runner.start();
    this.canaryLoop = this.watchCanary();
    return this;
  }

  /** Ends watching and syncing; the rules stay as they are. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.runner.stop();
    await this.canaryLoop;
    await Promise.all([this.services?.stop(), this.endpoints?.stop(), this.node?.stop()]);
    await this.serial;
  }

  /** Whether the first full sync has been applied. */
  get hasSynced(): boolean {
    return this.lastFull > Number.NEGATIVE_INFINITY;
  }

  /** One canary pass now (tests); true when something was missing and a full resync was asked for. */
  async checkCanary(): Promise<boolean> {
    return this.exclusive(async () => {
      if (this.chains === undefined) return false;
      const gone = await missingHostRules(this.deps.iptables);
      if (gone.length === 0) return false;
      this.deps.log.warn({ gone, backend: this.deps.iptables.backend }, 'service proxy rules were removed by someone else (canary or jump rule missing); resyncing in full');
      this.metrics?.repairs.inc();
      this.chains = undefined;
      this.tracker.markFull();
      this.runner.request();
      return true;
    });
  }

  private async watchCanary(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await this.deps.clock.sleep(this.c.canaryPeriodMs, signal);
      if (signal.aborted) return;
      try {
        await this.checkCanary();
      } catch (e) {
        this.deps.log.warn({ err: (e as Error).message }, 'service proxy canary check failed');
      }
    }
  }

  private nodeChanged(n: Node): void {
    const next = this.nodeFacts(n);
    if (JSON.stringify(next) === JSON.stringify(this.facts)) return;
    try {
      renderRuleset({ services: [], endpoints: [], node: next });
    } catch (e) {
      this.deps.log.error({ err: (e as Error).message }, 'node object has unusable addresses or podCIDR; keeping the previous node facts');
      return;
    }
    this.facts = next;
    this.tracker.markFull();
    this.runner.request();
  }

  private nodeFacts(n: Node | undefined): NodeFacts {
    const ips = (n?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
    const podCIDR = n?.spec.podCIDR;
    return {
      nodeName: this.c.nodeName,
      nodeIPs: ips,
      ...(this.c.clusterCIDR === undefined ? {} : { clusterCIDR: this.c.clusterCIDR }),
      ...(podCIDR === undefined || podCIDR === '' ? {} : { podCIDR }),
      masqueradeAll: this.c.masqueradeAll,
    };
  }

  /** Syncs and canary checks never overlap. */
  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const next = this.serial.then(f, f);
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async sync(periodic: boolean): Promise<boolean> {
    const services = this.services;
    const endpoints = this.endpoints;
    if (services === undefined || endpoints === undefined || !services.hasSynced() || !endpoints.hasSynced()) return true;
    const { clock, iptables, log } = this.deps;
    // A request whose changes an earlier run already took: nothing to do.
    if (!periodic && !this.tracker.pending) return true;
    const pending = this.tracker.take();
    // The periodic run, a failure, or a long time since the last full sync: full.
    const full = periodic || pending.full || this.chains === undefined || clock.now() - this.lastFull >= this.c.syncPeriodMs;
    const mode: SyncMode = full ? 'full' : 'partial';
    const started = clock.now();
    try {
      // After a failure or at start the host's chains are unknown: read them to delete leftovers.
      const existing = this.chains ?? shoalChains(await iptables.save(['filter', 'nat']));
      const t0 = clock.now();
      const svcList = services.cache.list();
      const epList = endpoints.cache.list();
      if (full && this.chains !== undefined && this.chainNames.size > 2 * (this.chains.nat.length + 1000)) this.chainNames = new Map();
      const rendered: RenderedRuleset = renderRuleset({ services: svcList, endpoints: epList, node: this.facts, existing, chainNames: this.chainNames, ...(full ? {} : { onlyServices: pending.services }) });
      const t1 = clock.now();
      await applyRuleset(iptables, rendered);
      if (full) {
        const inserted = await ensureJumpRules(iptables);
        if (inserted > 0) log.info({ inserted, backend: iptables.backend }, 'service proxy jump rules inserted');
        await ensureCanary(iptables);
        this.lastFull = started;
        if (this.metrics) {
          this.metrics.rules.set({ table: 'nat' }, countRules(rendered.text, 'nat'));
          this.metrics.rules.set({ table: 'filter' }, countRules(rendered.text, 'filter'));
          this.metrics.servicePorts.set(collectServicePorts(svcList, epList).length);
        }
      }
      this.chains = rendered.chains;
      const at = clock.now();
      const report: SyncReport = { mode, services: full ? svcList.length : pending.services.size, bytes: rendered.text.length, renderMs: t1 - t0, applyMs: at - t1, at };
      this.metrics?.syncDuration.observe({ mode }, (at - started) / 1000);
      this.metrics?.lastSync.set(at / 1000);
      (full ? log.info : log.debug).call(log, { ...report, backend: iptables.backend }, 'service rules synced');
      this.deps.onSynced?.(report);
      return true;
    } catch (e) {
      this.tracker.restore(pending);
      this.chains = undefined;
      this.metrics?.syncErrors.inc();
      log.error({ err: (e as Error).message, mode, backend: iptables.backend }, 'service rules sync failed; retrying with a full sync');
      return false;
    }
  }
}

/** `-A` lines of one table in restore text. */
function countRules(text: string, table: string): number {
  const start = text.indexOf(`*${table}\n`);
  if (start < 0) return 0;
  const end = text.indexOf('\nCOMMIT', start);
  let n = 0;
  for (let i = text.indexOf('\n-A ', start); i >= 0 && i < end; i = text.indexOf('\n-A ', i + 1)) n++;
  return n;
}
