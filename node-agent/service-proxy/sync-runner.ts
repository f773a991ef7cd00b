// Runs the sync after kube-proxy's BoundedFrequencyRunner: a requested run starts at once unless
// the previous one started less than minIntervalMs ago (then it waits, and every request made
// meanwhile is folded into that one run); without requests it runs every maxIntervalMs; a failed
// run is retried after retryIntervalMs. One run at a time.
import type { Clock } from '../../client/index.js';

export interface SyncRunnerOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  retryIntervalMs: number;
  clock: Clock;
}

export class SyncRunner {
  private requested = false;
  private lastStart = Number.NEGATIVE_INFINITY;
  private lastOk = true;
  private wake = new AbortController();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  /** fn resolves false (or throws) when the run failed; `periodic`: nobody asked for this run. */
  constructor(
    private readonly fn: (periodic: boolean) => Promise<boolean>,
    private readonly o: SyncRunnerOptions,
  ) {
    for (const k of ['minIntervalMs', 'maxIntervalMs', 'retryIntervalMs'] as const)
      if (!(Number.isFinite(o[k]) && o[k] >= 0)) throw new RangeError(`sync runner ${k}: must be a number >= 0, got ${o[k]}`);
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Asks for a run as soon as the minimum interval allows. */
  request(): void {
    this.requested = true;
    this.wake.abort();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const interval = this.requested ? this.o.minIntervalMs : this.lastOk ? this.o.maxIntervalMs : Math.min(this.o.retryIntervalMs, this.o.maxIntervalMs);
      const wait = this.lastStart + interval - this.o.clock.now();
      if (wait > 0) {
        if (this.wake.signal.aborted) this.wake = new AbortController();
        const wake = this.wake.signal;
        const onStop = (): void => this.wake.abort();
        signal.addEventListener('abort', onStop, { once: true });
        // A request while sleeping cuts the sleep short; the loop then works out the new wait.
        await this.o.clock.sleep(wait, wake);
        signal.removeEventListener('abort', onStop);
        if (wake.aborted) this.wake = new AbortController();
        continue;
      }
      const periodic = !this.requested && this.lastOk;
      this.requested = false;
      this.lastStart = this.o.clock.now();
      try {
        this.lastOk = await this.fn(periodic);
      } catch {
        this.lastOk = false;
      }
    }
  }
}
