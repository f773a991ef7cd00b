// An in-process control plane for controller tests: API servers over one MemoryStorage on
// loopback, a client, a tiny fake "kubelet" (binds unscheduled pods to a node, marks bound pods
// Running + Ready with an IP, finishes deletes of bound pods) and a bounded wait helper.
import pino from 'pino';
import type { Test } from 'tap';
import type { Pod } from '../../../api/index.js';
import { ShoalClient, systemClock } from '../../../client/index.js';
import type { Informer } from '../../../client/index.js';
import { ControllerManager } from '../../../control-plane/controllers/index.js';
import type { ControllerManagerConfig } from '../../../control-plane/controllers/index.js';
import { ApiServers } from '../../client/helpers/api-servers.js';

export const log = pino({ level: process.env.SHOAL_TEST_LOG ?? 'silent' });

/**
 * Waits (bounded) until cond holds; fails the test with `what` otherwise, plus what `explain`
 * reports about the state of things then (so a timeout says why).
 */
export async function until(t: Test, what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000, explain?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      // The explanation goes out as comment lines too: tap folds a failure's message onto one line.
      const why = explain === undefined ? undefined : await explain().catch((e: unknown) => `(could not explain: ${(e as Error).message})`);
      if (why !== undefined) t.comment(`timed out waiting for ${what}; state then:\n${why}`);
      t.fail(`timed out waiting for ${what}`, why === undefined ? {} : { state: why });
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startCluster(t: Test): Promise<{ servers: ApiServers; client: ShoalClient }> {
  const servers = await ApiServers.start(t, 1);
  const client = new ShoalClient({ servers: servers.addresses, namespace: 'default' });
  t.teardown(() => client.close());
  return { servers, client };
}

export function startManager(t: Test, client: ShoalClient, config: Partial<ControllerManagerConfig> = {}): ControllerManager {
  const m = new ControllerManager({ client, clock: systemClock, log, config: { identity: 'test', leaderElection: false, resyncPeriodMs: 5_000, ...config } });
  m.start();
  t.teardown(() => m.stop());
  return m;
}

/**
 * The fake kubelet: one pass per pod event, in order. `ready` decides whether a running pod
 * reports Ready (tests flip it to make pods unready).
 */
export class FakeKubelet {
  readonly pods: Informer<Pod>;
  private chain: Promise<void> = Promise.resolve();
  private ip = 1;
  ready: (p: Pod) => boolean = () => true;
  /** Nodes whose kubelet is gone: their pods are left alone. */
  readonly dead = new Set<string>();
  /** Binds unscheduled pods to `node` (false when a real scheduler runs in the test). */
  bindUnscheduled = true;
  /** The phase a bound pod reaches (tests make Job pods succeed or fail). */
  phase: (p: Pod) => 'Running' | 'Succeeded' | 'Failed' = () => 'Running';

  constructor(private readonly client: ShoalClient, public node = 'node-1') {
    this.pods = client.informer<Pod>('pods', { namespace: '' });
    const step = (p: Pod): void => {
      this.chain = this.chain.then(() => this.handle(p)).catch(() => undefined);
    };
    this.pods.addHandlers({ onAdd: step, onUpdate: (_o, p) => step(p) });
  }

  static async start(t: Test, client: ShoalClient, opts: { bindUnscheduled?: boolean } = {}): Promise<FakeKubelet> {
    const k = new FakeKubelet(client);
    k.bindUnscheduled = opts.bindUnscheduled ?? true;
    k.pods.start();
    t.teardown(() => k.pods.stop());
    await k.pods.waitForSync({ timeoutMs: 20_000 });
    return k;
  }

  private async handle(p: Pod): Promise<void> {
    const pods = this.client.resource<Pod>('pods', p.metadata.namespace ?? '');
    const name = p.metadata.name ?? '';
    if (this.dead.has(p.spec.nodeName ?? '')) return;
    if (p.metadata.deletionTimestamp !== undefined) {
      await pods.delete(name, { gracePeriodSeconds: 0 });
      return;
    }
    if ((p.spec.nodeName ?? '') === '') {
      if (this.bindUnscheduled) await pods.bind(name, this.node);
      return;
    }
    const phase = this.phase(p);
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return;
    if (phase !== 'Running') {
      await pods.patchStatus(name, { status: { phase, conditions: [{ type: 'Ready', status: 'False' }] } });
      return;
    }
    if (p.status?.phase === 'Running' && (p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True') === this.ready(p)) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const podIP = p.status?.podIP ?? `10.0.${Math.floor(this.ip / 250)}.${(this.ip++ % 250) + 1}`;
    const ready = this.ready(p) ? 'True' : 'False';
    await pods.patchStatus(name, { status: { phase: 'Running', podIP, conditions: [{ type: 'Ready', status: ready, lastTransitionTime: now }] } });
  }

  /** Re-evaluates every pod (after changing `ready`). */
  refresh(): void {
    for (const p of this.pods.cache.list()) this.chain = this.chain.then(() => this.handle(p)).catch(() => undefined);
  }
}
