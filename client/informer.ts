// An informer keeps a local cache of one resource (optionally one namespace and selectors) in
// step with the server and tells handlers what changed, like client-go's SharedInformer:
// - list (paged, one consistent revision), then watch from the list's revision;
// - a broken stream resumes from the last revision seen (bookmarks keep it fresh) on the next
//   server (see Watch); "too old" (Gone) relists at once and delivers the difference, so a delete
//   that happened during the gap still reaches onDelete with the object's last known state;
// - any other failure waits a backoff (injected clock and RNG) and watches again, relisting when
//   the watch cannot resume;
// - an optional periodic resync calls onUpdate(o, o) for every cached object, so handlers that
//   missed something (or failed) get another go.
// Handlers run one at a time, in order, never concurrently; a handler that throws is reported to
// onError and does not stop the informer.
import type { KubeObject } from '../api/kind.js';
import { backoffDelay, defaultBackoff } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { applyWatchEvent, relistDiff } from './cache-events.js';
import type { CacheEvent } from './cache-events.js';
import { CacheStore } from './cache-store.js';
import type { CacheReader, IndexFunc } from './cache-store.js';
import { systemClock, systemRng } from './clock.js';
import type { Clock, Rng } from './clock.js';
import { isGone } from './errors.js';
import type { ListOptions, ResourceWatchOptions } from './resource-client.js';
import type { WatchEvent } from './watch.js';

/**
 * What an informer needs from the API: a consistent list and a watch from its revision. A
 * ResourceClient is one; tests script their own.
 */
export interface ListerWatcher<T extends KubeObject> {
  listAll(opts: Omit<ListOptions, 'continue'>): Promise<{ items: T[]; resourceVersion: string }>;
  watch(opts: ResourceWatchOptions): AsyncIterable<WatchEvent<T>>;
  /** Aborts when the client closes: the informer stops. */
  readonly closedSignal: AbortSignal;
}

export interface InformerHandlers<T extends KubeObject> {
  /** A new object; `initialList` is true for objects of the first list. */
  onAdd?(object: T, initialList: boolean): void;
  /** A changed object (old === object on a resync). */
  onUpdate?(old: T, object: T): void;
  /** A deleted object, in its last known state. */
  onDelete?(object: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  /** Only this namespace (default: the resource client's, else all). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Extra indexes of the cache (a "namespace" index is built in). */
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** Re-deliver every cached object to onUpdate this often (ms); 0 = never (default). */
  readonly resyncPeriodMs?: number;
  /** List page size (default 500). */
  readonly pageSize?: number;
  /** Pause between failed attempts (default: connection-style 100 ms .. 5 s). */
  readonly backoff?: BackoffPolicy;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** List/watch failures (the informer keeps retrying) and handler exceptions. */
  readonly onError?: (error: unknown) => void;
}

export class Informer<T extends KubeObject> {
  private readonly store: CacheStore<T>;
  private readonly handlers = new Set<InformerHandlers<T>>();
  private readonly stopping = new AbortController();
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly backoff: BackoffPolicy;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private rv = '';
  private relists = 0;
  /** Events and bookmarks received by the current watch. */
  private watchedEvents = 0;

  constructor(
    private readonly resource: ListerWatcher<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    const resync = options.resyncPeriodMs ?? 0;
    if (!(resync >= 0)) throw new RangeError(`resyncPeriodMs: must be >= 0, got ${resync}`);
    const page = options.pageSize ?? 500;
    if (!(Number.isInteger(page) && page >= 0)) throw new RangeError(`pageSize: must be an integer >= 0, got ${page}`);
    this.store = new CacheStore<T>(options.indexers);
    this.clock = options.clock ?? systemClock;
    this.rng = options.rng ?? systemRng;
    this.backoff = options.backoff ?? defaultBackoff;
    // A closed client ends the informer.
    resource.closedSignal.addEventListener('abort', () => this.stopping.abort(), { once: true, signal: this.stopping.signal });
    if (resource.closedSignal.aborted) this.stopping.abort();
  }

  /** The local cache (read only; the informer owns it). */
  get cache(): CacheReader<T> {
    return this.store;
  }

  /** The revision the cache reflects ("" before the first list). */
  get resourceVersion(): string {
    return this.rv;
  }

  /** How many times the informer listed (1 after the first sync; more after "too old" or errors). */
  get listCount(): number {
    return this.relists;
  }

  /**
   * Adds handlers; returns a function that removes them. Added after the first sync, they get
   * onAdd(o, true) for every object already cached, so they never miss the initial state.
   */
  addHandlers(h: InformerHandlers<T>): () => void {
    this.handlers.add(h);
    if (this.synced) for (const o of this.store.list()) this.call(h, { type: 'add', object: o }, true);
    return () => this.handlers.delete(h);
  }

  /** Starts list+watch in the background (idempotent). */
  start(): this {
    if (this.running === undefined && !this.stopping.signal.aborted) {
      this.running = Promise.all([this.runListWatch(), this.runResync()]).then(() => undefined);
    }
    return this;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache; false if stopped, aborted or timed out first. */
  waitForSync(opts: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopping.signal.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const cleanup = new AbortController();
      const settle = (v: boolean): void => {
        cleanup.abort();
        resolve(v);
      };
      this.syncWaiters.push(() => settle(true));
      this.stopping.signal.addEventListener('abort', () => settle(false), { once: true, signal: cleanup.signal });
      opts.signal?.addEventListener('abort', () => settle(false), { once: true, signal: cleanup.signal });
      if (opts.timeoutMs !== undefined) void this.clock.sleep(opts.timeoutMs, cleanup.signal).then(() => settle(false));
    });
  }

  /** Stops watching and resyncing; resolves when the loops have ended. The cache stays readable. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async runListWatch(): Promise<void> {
    const signal = this.stopping.signal;
    let failures = 0;
    let goneInARow = 0;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.list();
          needList = false;
          failures = 0;
        }
        await this.watch();
        // A clean end of the watch only happens when stopping.
      } catch (e) {
        if (signal.aborted) return;
        if (this.watchedEvents > 0) goneInARow = 0;
        if (isGone(e)) {
          needList = true;
          // "too old": relist now — unless the watch after the previous relist was told the same
          // before it got anything (a server that cannot keep up): then pause like any failure.
          if (++goneInARow === 1) continue;
          this.report(e);
          await this.clock.sleep(backoffDelay(this.backoff, failures++, this.rng), signal);
          continue;
        }
        this.report(e);
        // After a failed list, or a watch that could not resume, start over with a fresh list.
        needList = true;
        await this.clock.sleep(backoffDelay(this.backoff, failures++, this.rng), signal);
      }
    }
  }

  private async list(): Promise<void> {
    const o = this.options;
    const listed = await this.resource.listAll({
      ...this.scope(),
      limit: o.pageSize ?? 500,
      signal: this.stopping.signal,
    });
    if (this.stopping.signal.aborted) return;
    const events = relistDiff(this.store.entries(), listed.items);
    this.store.replace(listed.items);
    this.rv = listed.resourceVersion;
    this.relists++;
    const initial = !this.synced;
    for (const ev of events) this.deliver(ev, initial);
    if (initial) {
      this.synced = true;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async watch(): Promise<void> {
    this.watchedEvents = 0;
    const watch = this.resource.watch({ ...this.scope(), resourceVersion: this.rv, allowBookmarks: true, resume: true, signal: this.stopping.signal });
    for await (const ev of watch) {
      this.watchedEvents++;
      if (ev.type !== 'BOOKMARK') {
        const change = applyWatchEvent(this.store, ev.type, ev.object);
        if (change !== undefined) this.deliver(change, false);
      }
      if (ev.resourceVersion !== '') this.rv = ev.resourceVersion;
    }
  }

  private async runResync(): Promise<void> {
    const period = this.options.resyncPeriodMs ?? 0;
    if (period === 0) return;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await this.clock.sleep(period, signal);
      if (signal.aborted || !this.synced) continue;
      for (const o of this.store.list()) this.deliver({ type: 'update', old: o, object: o }, false);
    }
  }

  private scope(): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
    const o = this.options;
    return {
      ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      ...(o.labelSelector === undefined ? {} : { labelSelector: o.labelSelector }),
      ...(o.fieldSelector === undefined ? {} : { fieldSelector: o.fieldSelector }),
    };
  }

  private deliver(ev: CacheEvent<T>, initial: boolean): void {
    for (const h of this.handlers) this.call(h, ev, initial);
  }

  private call(h: InformerHandlers<T>, ev: CacheEvent<T>, initial: boolean): void {
    try {
      switch (ev.type) {
        case 'add':
          h.onAdd?.(ev.object, initial);
          break;
        case 'update':
          h.onUpdate?.(ev.old, ev.object);
          break;
        case 'delete':
          h.onDelete?.(ev.object);
          break;
      }
    } catch (e) {
      this.report(e);
    }
  }

  private report(e: unknown): void {
    try {
      this.options.onError?.(e);
    } catch {
      // an error reporter that throws has nowhere left to report to
    }
  }
}
