// The loop around a controller's reconcile: informer handlers only record keys into a
// rate-limited work queue; N workers take keys and call sync(key); a failed sync is retried with
// backoff (bounded by maxRetries, after which the periodic resync picks the key up again).
// Never more than one sync of a key at a time. start() waits for the informers' first list.
import type { Logger } from 'pino';
import type { KubeObject } from '../../../api/kind.js';
import type { Clock, Informer } from '../../../client/index.js';
import { objectKey } from '../../../client/index.js';
import { WorkQueue } from './work-queue.js';

export interface SyncResult {
  /** Sync this key again after this many ms (e.g. a deadline or minReadySeconds to check). */
  readonly requeueAfterMs?: number;
}

export interface ControllerDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** Parallel syncs (default 2). */
  readonly workers?: number;
  /** Retries of a failing key before it waits for the next resync (default 15). */
  readonly maxRetries?: number;
}

export abstract class Controller {
  readonly queue: WorkQueue;
  protected readonly log: Logger;
  protected readonly clock: Clock;
  private readonly stopping = new AbortController();
  private workers: Promise<void>[] = [];

  constructor(readonly name: string, protected readonly deps: ControllerDeps) {
    this.clock = deps.clock;
    this.log = deps.log.child({ controller: name });
    this.queue = new WorkQueue({ clock: deps.clock, baseDelayMs: 10, maxDelayMs: 30_000 });
  }

  /** Reconciles one key ("namespace/name"); throws to be retried with backoff. */
  protected abstract sync(key: string, signal: AbortSignal): Promise<SyncResult | void>;

  /** Enqueues the key of every object an informer reports (adds, updates, deletes, resyncs). */
  protected enqueueAll<T extends KubeObject>(inf: Informer<T>, keyOf: (o: T) => string | undefined = (o) => objectKey(o)): void {
    const add = (o: T): void => {
      const k = keyOf(o);
      if (k !== undefined) this.queue.add(k);
    };
    inf.addHandlers({ onAdd: add, onUpdate: (_old, o) => add(o), onDelete: add });
  }

  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Starts the workers (the informers are started and synced by the manager). */
  start(): void {
    const n = this.deps.workers ?? 2;
    for (let i = 0; i < n; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.queue.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(): Promise<void> {
    const maxRetries = this.deps.maxRetries ?? 15;
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        const r = await this.sync(key, this.stopping.signal);
        this.queue.forget(key);
        if (r?.requeueAfterMs !== undefined) this.queue.addAfter(key, r.requeueAfterMs);
      } catch (e) {
        if (this.stopping.signal.aborted) return;
        if (this.queue.numRequeues(key) < maxRetries) {
          this.log.debug({ err: e, key }, 'sync failed; retrying');
          this.queue.addRateLimited(key);
        } else {
          this.log.warn({ err: e, key }, 'sync keeps failing; leaving it to the next resync');
          this.queue.forget(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }
}

/** "namespace/name" → [namespace, name] ("name" → ["", name]). */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}
