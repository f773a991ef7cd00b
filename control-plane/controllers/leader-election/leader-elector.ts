// Leader election through a Lease (coordination.k8s.io/v1), like client-go's leaderelection:
// - acquire or renew with compare-and-swap updates (resourceVersion), so two candidates can
//   never both win one round;
// - a candidate takes over a lease held by someone else only after it has seen the lease
//   unchanged for leaseDuration on its own clock (no trust in other hosts' clocks);
// - the leader gives up (onStoppedLeading) when it could not renew for renewDeadline, which is
//   shorter than leaseDuration, so it stops before anyone else may start;
// - stop() releases the lease (empty holder) so a standby takes over at once.
// After losing leadership it stands by again as a candidate.
import type { Logger } from 'pino';
import type { Lease } from '../../../api/index.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../../client/index.js';
import type { Clock, ShoalClient } from '../../../client/index.js';

export interface LeaderElectorOptions {
  readonly client: ShoalClient;
  readonly clock: Clock;
  readonly log: Logger;
  /** Unique per candidate, e.g. the host name plus a random suffix. */
  readonly identity: string;
  readonly namespace?: string;
  readonly name: string;
  /** How long a lease holds without renewal (default 15 s; whole seconds in the Lease). */
  readonly leaseDurationMs?: number;
  /** The leader stops leading when it has not renewed for this long (default 10 s). */
  readonly renewDeadlineMs?: number;
  /** Pause between attempts (default 2 s). */
  readonly retryPeriodMs?: number;
  /** Called when this candidate becomes leader; `signal` aborts when leadership ends. */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called when leadership ends (lost or released); the caller must have stopped all work when it resolves. */
  readonly onStoppedLeading: () => void | Promise<void>;
  readonly onNewLeader?: (identity: string) => void;
}

export class LeaderElectionError extends Error {
  readonly code = 'LEADER_ELECTION_CONFIG';
  override readonly name = 'LeaderElectionError';
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly namespace: string;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private observed: { rv: string; holder: string; at: number } | undefined;
  private lease: Lease | undefined;
  private leading: AbortController | undefined;
  private lastLeader = '';

  constructor(private readonly o: LeaderElectorOptions) {
    this.leaseDurationMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = o.retryPeriodMs ?? 2_000;
    this.namespace = o.namespace ?? 'kube-system';
    if (o.identity === '') throw new LeaderElectionError('identity: must not be empty');
    if (!(this.leaseDurationMs >= 1000)) throw new LeaderElectionError(`leaseDurationMs: must be >= 1000, got ${this.leaseDurationMs}`);
    if (!(this.renewDeadlineMs > 0 && this.renewDeadlineMs < this.leaseDurationMs))
      throw new LeaderElectionError(`renewDeadlineMs: must be > 0 and < leaseDurationMs (${this.leaseDurationMs}), got ${this.renewDeadlineMs}`);
    if (!(this.retryPeriodMs > 0 && this.retryPeriodMs < this.renewDeadlineMs))
      throw new LeaderElectionError(`retryPeriodMs: must be > 0 and < renewDeadlineMs (${this.renewDeadlineMs}), got ${this.retryPeriodMs}`);
  }

  get identity(): string {
    return this.o.identity;
  }

  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** The holder last seen in the lease ("" when none). */
  get leader(): string {
    return this.lastLeader;
  }

  /** Starts campaigning in the background (idempotent). */
  start(): this {
    this.running ??= this.run();
    return this;
  }

  /** Stops leading (waiting for onStoppedLeading), releases the lease, ends the loop. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    let lastRenew = 0;
    while (!signal.aborted) {
      // A leader's attempt may not outlive its renew deadline (a hung call would otherwise keep
      // it working past the point where another host may take over); a candidate's, one deadline.
      const budgetMs = this.leading !== undefined ? Math.max(1, lastRenew + this.renewDeadlineMs - this.o.clock.now()) : this.renewDeadlineMs;
      const ok = await this.tryAcquireOrRenew(AbortSignal.any([signal, AbortSignal.timeout(budgetMs)])).catch((e: unknown) => {
        this.o.log.debug({ err: e }, 'lease attempt failed');
        return false;
      });
      if (signal.aborted) break;
      const now = this.o.clock.now();
      if (ok) {
        lastRenew = now;
        if (this.leading === undefined) await this.startLeading();
      } else if (this.leading !== undefined && this.lastLeader !== '' && this.lastLeader !== this.o.identity) {
        this.o.log.warn({ identity: this.o.identity, holder: this.lastLeader }, 'the lease has another holder; stopping work');
        await this.stopLeading();
      } else if (this.leading !== undefined && now - lastRenew >= this.renewDeadlineMs) {
        this.o.log.warn({ identity: this.o.identity }, 'could not renew the lease in time; stopping work');
        await this.stopLeading();
      }
      await this.o.clock.sleep(this.retryPeriodMs, signal);
    }
    if (this.leading !== undefined) {
      await this.stopLeading();
      await this.release().catch((e: unknown) => this.o.log.warn({ err: e }, 'could not release the lease'));
    }
  }

  private async startLeading(): Promise<void> {
    const ac = new AbortController();
    this.leading = ac;
    this.o.log.info({ identity: this.o.identity, lease: `${this.namespace}/${this.o.name}` }, 'became leader');
    try {
      await this.o.onStartedLeading(ac.signal);
    } catch (e) {
      this.o.log.error({ err: e }, 'onStartedLeading failed');
    }
  }

  private async stopLeading(): Promise<void> {
    const ac = this.leading;
    this.leading = undefined;
    ac?.abort();
    try {
      await this.o.onStoppedLeading();
    } catch (e) {
      this.o.log.error({ err: e }, 'onStoppedLeading failed');
    }
  }

  private leases() {
    return this.o.client.resource<Lease>('leases', this.namespace);
  }

  private spec(now: number, transitions: number, acquireTime: string): Lease['spec'] {
    return {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime,
      renewTime: new Date(now).toISOString(),
      leaseTransitions: transitions,
    };
  }

  /** One round: true when this candidate holds the lease afterwards. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.o.clock.now();
    const stamp = new Date(now).toISOString();
    let current: Lease;
    try {
      current = await this.leases().get(this.o.name, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        this.lease = await this.leases().create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.name, namespace: this.namespace }, spec: this.spec(now, 0, stamp) } as Lease, { signal });
      } catch (ce) {
        if (isAlreadyExists(ce)) return false;
        throw ce;
      }
      this.noteHolder(this.o.identity);
      return true;
    }
    const holder = current.spec.holderIdentity ?? '';
    const rv = current.metadata.resourceVersion ?? '';
    if (this.observed === undefined || this.observed.rv !== rv) this.observed = { rv, holder, at: now };
    this.noteHolder(holder);
    const mine = holder === this.o.identity;
    const durationMs = (current.spec.leaseDurationSeconds ?? Math.ceil(this.leaseDurationMs / 1000)) * 1000;
    if (!mine && holder !== '' && now < this.observed.at + durationMs) return false;
    const transitions = (current.spec.leaseTransitions ?? 0) + (mine ? 0 : 1);
    const acquireTime = mine ? (current.spec.acquireTime ?? stamp) : stamp;
    try {
      this.lease = await this.leases().update({ ...current, spec: this.spec(now, transitions, acquireTime) }, { signal });
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
    this.observed = { rv: this.lease.metadata.resourceVersion ?? '', holder: this.o.identity, at: now };
    this.noteHolder(this.o.identity);
    return true;
  }

  private async release(): Promise<void> {
    const l = this.lease;
    if (l === undefined || l.spec.holderIdentity !== this.o.identity) return;
    await this.leases().update({ ...l, spec: { ...l.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new Date(this.o.clock.now()).toISOString() } });
  }

  private noteHolder(holder: string): void {
    if (holder === this.lastLeader) return;
    this.lastLeader = holder;
    this.o.onNewLeader?.(holder);
  }
}
