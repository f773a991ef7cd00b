// A rate-limited work queue of keys, like client-go's workqueue:
// - dedupe: a key waiting in the queue is queued once however often it is added;
// - in-flight exclusion: a key being processed is never handed to a second worker; an add while
//   it runs marks it dirty and it is queued again when done() is called;
// - retries: addRateLimited() re-adds after an exponential per-key backoff; forget() resets it.
// Time comes from the injected clock; delayed adds are bounded by shutDown().
import { setMaxListeners } from 'node:events';
import type { Clock } from '../../../client/index.js';

export interface WorkQueueOptions {
  readonly clock: Clock;
  /** First retry delay (ms); doubles per failure. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly stopping = new AbortController();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: WorkQueueOptions) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    // Every pending delayed add listens on the shutdown signal.
    setMaxListeners(0, this.stopping.signal);
    if (!(this.baseDelayMs > 0 && this.maxDelayMs >= this.baseDelayMs)) throw new RangeError(`WorkQueue: need 0 < baseDelayMs <= maxDelayMs, got ${this.baseDelayMs}, ${this.maxDelayMs}`);
  }

  get length(): number {
    return this.queue.length;
  }

  get isShutDown(): boolean {
    return this.stopping.signal.aborted;
  }

  add(key: string): void {
    if (this.isShutDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    this.queue.push(key);
  }

  /** Adds after ms (0 = now). */
  addAfter(key: string, ms: number): void {
    if (this.isShutDown) return;
    if (ms <= 0) return this.add(key);
    void this.options.clock.sleep(ms, this.stopping.signal).then(() => this.add(key));
  }

  /** Re-adds after this key's backoff, which doubles with every call until forget(). */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, this.retryDelay(n));
  }

  retryDelay(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(failures, 30));
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key (marked in flight until done()), or undefined once shut down. */
  get(): Promise<string | undefined> {
    if (this.isShutDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  shutDown(): void {
    if (this.isShutDown) return;
    this.stopping.abort();
    for (const w of this.waiters.splice(0)) w(undefined);
    this.queue.length = 0;
    this.queued.clear();
  }
}
