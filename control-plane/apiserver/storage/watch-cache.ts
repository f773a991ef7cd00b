// One store watch per resource feeds every API watcher: the cache lists a prefix once, keeps ONE
// storage watch on it, holds the decoded current state plus a window of recent events, and serves
// lists and watches from memory. Objects are decoded once per change, not once per watcher.
//
// Revisions (resourceVersion) mean what they mean in Kubernetes:
//   list/watch with revision undefined: consistent — first ask the store for its current
//     revision, wait (bounded) until the cache has reached it, then serve;
//   revision 0: whatever the cache holds now (after the first list);
//   revision N: at least N — wait (bounded) until the cache reached N ('TooLarge' if it does not).
// A watch from N replays the window's events after N, then streams live ones; N older than the
// window → 'TooOld' (the API answers "too old resource version"; clients relist). A watch without
// N (undefined or 0) starts with the current state as ADDED events, then changes.
//
// Rules:
// - Every watcher gets every change that concerns it exactly once, in revision order, never a
//   change at or below the revision it started from.
// - Filters see the object before and after a change: leaving the filter is DELETED (with the
//   last matching object), entering it is ADDED (as Kubernetes' watch cache does).
// - Delivery is asynchronous and per watcher; onEvent returning false pauses that watcher until
//   resume() (backpressure from its stream). A watcher with more than maxPending undelivered
//   events is ended with 'Slow' instead of holding the others back or growing without bound.
// - Bookmarks: a watcher that asked for them gets {type: BOOKMARK, revision} whenever the store
//   reports progress (storage onProgress): everything up to that revision has been sent to it.
//   The cache asks the store for progress every progressIntervalMs while such watchers exist,
//   and whenever a consistent read waits.
// - When the storage watch ends: 'Unavailable' → re-watch from the cache's revision (the store
//   replays what was missed; watchers only see a delay), retried with capped backoff while the
//   cache is open. 'Compacted' (the missed history is gone) → relist; every watcher whose
//   position is below the new list's revision is ended with 'Reset' (it must relist), and the
//   window restarts at that revision. Lists and watches wait (bounded) while the cache relists.
//   An event at a revision the store had already reported complete (a false progress
//   notification, etcd before 3.4.25) is handled like Compacted: bookmarks may have been wrong.
import btreeModule from 'sorted-btree';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { compareKeys } from './keys.js';
import { StorageError, StorageErrorCode } from './storage.js';
import type { Storage, StorageWatch, StorageWatchEvent } from './storage.js';

const BTree = btreeModule.default;
type ItemTree<T> = InstanceType<typeof BTree<string, CachedObject<T>>>;

export interface CachedObject<T> {
  readonly key: string;
  readonly object: T;
  readonly createRevision: number;
  readonly modRevision: number;
}

export type CacheWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export type CacheWatchEvent<T> =
  | {
      readonly type: CacheWatchEventType;
      readonly key: string;
      /** ADDED/MODIFIED: the new object. DELETED: the last object the watcher saw matching. */
      readonly object: T;
      /** The revision of the change (for DELETED, the delete's or the non-matching update's). */
      readonly revision: number;
    }
  | { readonly type: 'BOOKMARK'; readonly revision: number };

export const WatchCacheErrorCode = {
  /** The requested revision is older than the window; relist. */
  TooOld: 'TooOld',
  /** The cache did not reach the requested revision in time. */
  TooLarge: 'TooLarge',
  /** The watcher fell too far behind and was ended. */
  Slow: 'Slow',
  /** The cache relisted after losing history; the watcher must relist. */
  Reset: 'Reset',
  /** The cache could not confirm it is current (store unreachable or cache relisting). */
  Unavailable: 'Unavailable',
  Closed: 'Closed',
} as const;
export type WatchCacheErrorCode = (typeof WatchCacheErrorCode)[keyof typeof WatchCacheErrorCode];

export class WatchCacheError extends Error {
  override readonly name = 'WatchCacheError';
  constructor(
    readonly code: WatchCacheErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface WatchCacheOptions<T> {
  readonly storage: Storage;
  /** The resource's key prefix, e.g. /registry/pods/. */
  readonly prefix: string;
  /** Turns a stored value into the object served; called once per change. A throw makes the key
   * count as absent (reported through onDecodeError). */
  readonly decode: (value: Uint8Array, key: string, modRevision: number) => T;
  readonly onDecodeError?: (key: string, error: unknown) => void;
  /** Recent events kept for watchers that resume from a past revision. Default 1000. */
  readonly windowSize?: number;
  /** Undelivered events a watcher may have before it is ended with 'Slow'. Default 10 000. */
  readonly maxPending?: number;
  /** Bound on waiting for the cache to reach a revision. Default 3 s. */
  readonly waitTimeoutMs?: number;
  /** How often to ask the store for progress while bookmark watchers exist. Default 5 s. */
  readonly progressIntervalMs?: number;
  /** Page size of the initial list and relists. Default 500. */
  readonly listPageSize?: number;
  /** Cap of the backoff between re-watch/relist attempts. Default 5 s. */
  readonly maxBackoffMs?: number;
  readonly clock?: Clock;
}

export interface CacheListOptions<T> {
  readonly filter?: (object: T) => boolean;
  /** undefined = consistent, 0 = any, N = at least N (see the file header). */
  readonly revision?: number;
}

export interface CacheListResult<T> {
  readonly items: readonly CachedObject<T>[];
  readonly revision: number;
}

export interface CacheWatchOptions<T> {
  /** undefined = consistent current state then changes, 0 = cached state then changes, N = changes after N. */
  readonly fromRevision?: number;
  readonly filter?: (object: T) => boolean;
  readonly bookmarks?: boolean;
}

export interface CacheWatchHandlers<T> {
  /** Return false to pause delivery until resume() (e.g. the stream's write buffer is full). */
  onEvent(event: CacheWatchEvent<T>): boolean | void;
  /** The watch ended (Slow, Reset, Closed); nothing more follows. Not called after close(). */
  onError(error: WatchCacheError): void;
}

export interface CacheWatch {
  /** Continue after onEvent returned false. */
  resume(): void;
  close(): void;
  /** Events waiting for delivery. */
  readonly pending: number;
}

/** One change, as kept in the window: the entry before and after. */
interface Change<T> {
  readonly revision: number;
  readonly key: string;
  readonly before: CachedObject<T> | undefined;
  readonly after: CachedObject<T> | undefined;
}

function convert<T>(c: Change<T>, filter: ((o: T) => boolean) | undefined): CacheWatchEvent<T> | undefined {
  const before = c.before !== undefined && (filter === undefined || filter(c.before.object));
  const after = c.after !== undefined && (filter === undefined || filter(c.after.object));
  if (after) return { type: before ? 'MODIFIED' : 'ADDED', key: c.key, object: (c.after as CachedObject<T>).object, revision: c.revision };
  if (before) return { type: 'DELETED', key: c.key, object: (c.before as CachedObject<T>).object, revision: c.revision };
  return undefined;
}

class Watcher<T> implements CacheWatch {
  private queue: CacheWatchEvent<T>[] = [];
  private head = 0;
  private paused = false;
  private scheduled = false;
  ended = false;

  /** Undelivered events allowed before 'Slow': maxPending beyond the initial state. */
  private limit: number;

  constructor(
    /** Every change at or below this revision has been queued (or did not concern it). */
    public position: number,
    readonly filter: ((o: T) => boolean) | undefined,
    readonly bookmarks: boolean,
    private readonly handlers: CacheWatchHandlers<T>,
    private readonly maxPending: number,
    private readonly onEnd: (w: Watcher<T>) => void,
  ) {
    this.limit = maxPending;
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Queues the changes of one revision (in key order of the store's event). */
  offer(changes: readonly Change<T>[], revision: number): void {
    if (this.ended || revision <= this.position) return;
    for (const c of changes) {
      const e = convert(c, this.filter);
      if (e !== undefined) this.queue.push(e);
    }
    this.position = revision;
    this.afterPush();
  }

  bookmark(revision: number): void {
    if (this.ended || revision <= this.position) return;
    this.position = revision;
    if (!this.bookmarks) return;
    this.queue.push({ type: 'BOOKMARK', revision });
    this.afterPush();
  }

  /** Queues one event of the initial state (not counted against maxPending). */
  pushInitial(e: CacheWatchEvent<T>): void {
    this.queue.push(e);
    this.limit++;
  }

  afterPush(): void {
    if (this.pending > this.limit) {
      this.fail(new WatchCacheError(WatchCacheErrorCode.Slow, `watcher fell behind: ${this.pending} undelivered events (limit ${this.maxPending} beyond its initial state); relist and watch again`));
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.paused || this.ended || this.pending === 0) return;
    this.scheduled = true;
    queueMicrotask(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    while (!this.ended && !this.paused && this.head < this.queue.length) {
      const e = this.queue[this.head] as CacheWatchEvent<T>;
      this.head++;
      if (this.handlers.onEvent(e) === false) this.paused = true;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  fail(error: WatchCacheError): void {
    if (this.ended) return;
    this.end();
    this.handlers.onError(error);
  }

  close(): void {
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.head = 0;
    this.onEnd(this);
  }
}

type State = 'new' | 'starting' | 'ready' | 'recovering' | 'closed';

export class WatchCache<T> {
  private readonly storage: Storage;
  private readonly prefix: string;
  private readonly decodeFn: WatchCacheOptions<T>['decode'];
  private readonly onDecodeError: (key: string, error: unknown) => void;
  private readonly windowSize: number;
  private readonly maxPending: number;
  private readonly waitTimeoutMs: number;
  private readonly progressIntervalMs: number;
  private readonly listPageSize: number;
  private readonly maxBackoffMs: number;
  private readonly clock: Clock;

  private state: State = 'new';
  private items: ItemTree<T> = new BTree<string, CachedObject<T>>(undefined, compareKeys);
  /** The cache holds the store's state of the prefix at this revision. */
  private rev = 0;
  /** The revision of the last storage event applied. */
  private lastEventRev = 0;
  /** Changes after this revision are all in the window. */
  private oldest = 0;
  private window: Change<T>[] = [];
  private windowHead = 0;
  private readonly watchers = new Set<Watcher<T>>();
  private storageWatch: StorageWatch | null = null;
  /** Woken whenever rev or state changes. */
  private wakers: (() => void)[] = [];
  private progressTimer: ReturnType<typeof setTimeout> | null = null;
  private backoffMs = 0;
  /** The storage watch failed with Compacted: the cache must relist. */
  private historyLost = false;
  /** A false progress notification was seen: every watcher's position is suspect. */
  private resetAll = false;
  /** Values that failed to decode (their keys count as absent). */
  decodeErrors = 0;

  constructor(options: WatchCacheOptions<T>) {
    this.storage = options.storage;
    this.prefix = options.prefix;
    this.decodeFn = options.decode;
    this.onDecodeError = options.onDecodeError ?? (() => {});
    this.windowSize = positive('windowSize', options.windowSize ?? 1000);
    this.maxPending = positive('maxPending', options.maxPending ?? 10_000);
    this.waitTimeoutMs = positive('waitTimeoutMs', options.waitTimeoutMs ?? 3_000);
    this.progressIntervalMs = positive('progressIntervalMs', options.progressIntervalMs ?? 5_000);
    this.listPageSize = positive('listPageSize', options.listPageSize ?? 500);
    this.maxBackoffMs = positive('maxBackoffMs', options.maxBackoffMs ?? 5_000);
    this.clock = options.clock ?? systemClock;
  }

  /** Lists the prefix and starts the storage watch. Fails if the first list fails. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('WatchCache.start called twice');
    this.state = 'starting';
    await this.relist();
  }

  /** The revision the cache has reached. */
  get revision(): number {
    return this.rev;
  }

  /** The oldest revision a watch can resume from. */
  get oldestRevision(): number {
    return this.oldest;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  get size(): number {
    return this.items.size;
  }

  async list(options: CacheListOptions<T> = {}): Promise<CacheListResult<T>> {
    await this.reach(options.revision);
    const items: CachedObject<T>[] = [];
    const f = options.filter;
    for (const [, v] of this.items.entries()) if (f === undefined || f(v.object)) items.push(v);
    return { items, revision: this.rev };
  }

  /** The cached object under key (no freshness wait). */
  get(key: string): CachedObject<T> | undefined {
    return this.items.get(key);
  }

  async watch(options: CacheWatchOptions<T>, handlers: CacheWatchHandlers<T>): Promise<CacheWatch> {
    const from = options.fromRevision;
    if (from !== undefined && (!Number.isSafeInteger(from) || from < 0)) throw new TypeError(`watch: fromRevision must be an integer >= 0, got ${from}`);
    await this.reach(from);
    // From here on everything is synchronous: no change can slip between replay and registration.
    const w = new Watcher<T>(this.rev, options.filter, options.bookmarks ?? false, handlers, this.maxPending, (x) => this.removeWatcher(x));
    if (from === undefined || from === 0) {
      for (const [key, v] of this.items.entries()) {
        if (w.filter === undefined || w.filter(v.object)) w.pushInitial({ type: 'ADDED', key, object: v.object, revision: v.modRevision });
      }
    } else {
      if (from < this.oldest) {
        throw new WatchCacheError(WatchCacheErrorCode.TooOld, `too old resource version: ${from} (oldest available: ${this.oldest})`);
      }
      w.position = from;
      let i = this.firstAfter(from);
      while (i < this.window.length) {
        const rev = (this.window[i] as Change<T>).revision;
        const group: Change<T>[] = [];
        while (i < this.window.length && (this.window[i] as Change<T>).revision === rev) group.push(this.window[i++] as Change<T>);
        w.offer(group, rev);
        if (w.ended) return w;
      }
      w.position = this.rev;
    }
    this.watchers.add(w);
    w.afterPush();
    this.updateProgressTimer();
    return w;
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.storageWatch?.close();
    this.storageWatch = null;
    if (this.progressTimer !== null) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    for (const w of [...this.watchers]) w.fail(new WatchCacheError(WatchCacheErrorCode.Closed, 'watch cache closed'));
    this.wake();
  }

  // --- freshness ---

  /** Waits until the cache is ready at the revision the options ask for (see the header). */
  private async reach(revision: number | undefined): Promise<void> {
    const deadline = this.clock.now() + this.waitTimeoutMs;
    let target = revision ?? 0;
    let code: WatchCacheErrorCode = WatchCacheErrorCode.TooLarge;
    if (revision === undefined) {
      code = WatchCacheErrorCode.Unavailable;
      try {
        target = await this.storage.currentRevision();
      } catch (e) {
        if (this.state === 'closed') throw closedError();
        throw new WatchCacheError(WatchCacheErrorCode.Unavailable, `cannot read the store's revision: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    let asked = 0;
    for (;;) {
      if (this.state === 'closed') throw closedError();
      if (this.state === 'ready' && this.rev >= target) return;
      const now = this.clock.now();
      if (now >= deadline) {
        if (this.state !== 'ready') throw new WatchCacheError(WatchCacheErrorCode.Unavailable, `watch cache for ${this.prefix} is not ready (${this.state})`);
        throw new WatchCacheError(code, code === WatchCacheErrorCode.TooLarge
          ? `too large resource version: ${target}, current: ${this.rev}`
          : `watch cache for ${this.prefix} did not reach the store's revision ${target} within ${this.waitTimeoutMs} ms (at ${this.rev})`);
      }
      // Nothing under the prefix may change for a while: ask the store to confirm progress.
      if (this.state === 'ready' && now - asked >= 100) {
        asked = now;
        this.storageWatch?.requestProgress();
      }
      await Promise.race([new Promise<void>((r) => this.wakers.push(r)), this.clock.sleep(Math.min(100, deadline - now))]);
    }
  }

  private wake(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const r of w) r();
  }

  // --- the storage side ---

  private async relist(): Promise<void> {
    const first = await this.storage.list(this.prefix, { limit: this.listPageSize });
    const items: ItemTree<T> = new BTree<string, CachedObject<T>>(undefined, compareKeys);
    let page = first;
    for (;;) {
      for (const v of page.items) {
        const obj = this.decodeOrUndefined(v.value, v.key, v.modRevision);
        if (obj !== undefined) items.set(v.key, { key: v.key, object: obj.value, createRevision: v.createRevision, modRevision: v.modRevision });
      }
      const last = page.items[page.items.length - 1];
      if (!page.more || last === undefined) break;
      page = await this.storage.list(this.prefix, { limit: this.listPageSize, startKey: `${last.key}\0`, revision: first.revision });
    }
    if (this.state === 'closed') return;
    const at = first.revision;
    for (const w of [...this.watchers]) {
      if (this.resetAll || w.position < at) w.fail(new WatchCacheError(WatchCacheErrorCode.Reset, `watch cache for ${this.prefix} relisted at revision ${at} after losing history; relist`));
    }
    this.items = items;
    this.rev = at;
    this.lastEventRev = at;
    this.oldest = at;
    this.window = [];
    this.windowHead = 0;
    this.historyLost = false;
    this.resetAll = false;
    this.backoffMs = 0;
    this.startStorageWatch();
  }

  private startStorageWatch(): void {
    if (this.state === 'closed') return;
    let w: StorageWatch | null = null;
    // Callbacks of a storage watch the cache has replaced or closed are ignored.
    const alive = (): boolean => w !== null && this.storageWatch === w && this.state !== 'closed';
    w = this.storage.watch(this.prefix, this.rev, {
      onEvents: (events, revision) => {
        if (alive()) this.apply(events, revision);
      },
      onProgress: (revision) => {
        if (alive()) this.progress(revision);
      },
      onError: (error) => {
        if (!alive()) return;
        this.storageWatch = null;
        this.recover(error);
      },
    });
    this.storageWatch = w;
    this.state = 'ready';
    this.wake();
  }

  private apply(events: readonly StorageWatchEvent[], revision: number): void {
    if (revision <= this.lastEventRev) return;
    if (revision <= this.rev) {
      // A progress notification claimed this revision was complete before its event came (etcd
      // before 3.4.25, issue 15220). Watchers may have been told so through bookmarks: relist.
      this.storageWatch?.close();
      this.storageWatch = null;
      this.resetAll = true;
      this.recover(new StorageError(StorageErrorCode.Compacted, `event at revision ${revision} arrived after progress to ${this.rev}`));
      return;
    }
    this.lastEventRev = revision;
    this.backoffMs = 0;
    const changes: Change<T>[] = [];
    for (const e of events) {
      const before = this.items.get(e.key);
      let after: CachedObject<T> | undefined;
      if (e.type === 'put') {
        const obj = this.decodeOrUndefined(e.value, e.key, e.modRevision);
        if (obj !== undefined) after = { key: e.key, object: obj.value, createRevision: e.createRevision, modRevision: e.modRevision };
      }
      if (after === undefined) this.items.delete(e.key);
      else this.items.set(e.key, after);
      if (before !== undefined || after !== undefined) changes.push({ revision, key: e.key, before, after });
    }
    this.rev = revision;
    for (const c of changes) this.window.push(c);
    this.trimWindow();
    for (const w of this.watchers) w.offer(changes, revision);
    this.wake();
  }

  private progress(revision: number): void {
    if (revision <= this.rev) return;
    this.backoffMs = 0;
    this.rev = revision;
    for (const w of this.watchers) w.bookmark(revision);
    this.wake();
  }

  private trimWindow(): void {
    while (this.window.length - this.windowHead > this.windowSize) {
      this.oldest = (this.window[this.windowHead] as Change<T>).revision;
      this.windowHead++;
    }
    // Whole revisions only: a revision partly dropped cannot be replayed.
    while (this.windowHead < this.window.length && (this.window[this.windowHead] as Change<T>).revision <= this.oldest) this.windowHead++;
    if (this.windowHead > 1024 && this.windowHead * 2 > this.window.length) {
      this.window = this.window.slice(this.windowHead);
      this.windowHead = 0;
    }
  }

  /** Index of the first kept change with a revision above rev. */
  private firstAfter(rev: number): number {
    let lo = this.windowHead;
    let hi = this.window.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.window[mid] as Change<T>).revision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private recover(error: StorageError): void {
    if (this.state === 'closed') return;
    if (error.code === StorageErrorCode.Closed) {
      this.close();
      return;
    }
    this.state = 'recovering';
    this.wake();
    if (error.code === StorageErrorCode.Compacted) this.historyLost = true;
    const delay = this.backoffMs;
    this.backoffMs = delay === 0 ? 50 : Math.min(delay * 2, this.maxBackoffMs);
    void this.clock.sleep(delay).then(() => this.reconnect());
  }

  /** Re-watches from the cache's revision, or relists when that history is gone. */
  private async reconnect(): Promise<void> {
    if (this.state === 'closed') return;
    if (!this.historyLost) {
      this.startStorageWatch(); // a Compacted answer brings us back through recover()
      return;
    }
    try {
      await this.relist();
    } catch (e) {
      this.recover(e instanceof StorageError ? e : new StorageError(StorageErrorCode.Unavailable, `relist failed: ${String(e)}`, 0, { cause: e }));
    }
  }

  private decodeOrUndefined(value: Uint8Array, key: string, modRevision: number): { value: T } | undefined {
    try {
      return { value: this.decodeFn(value, key, modRevision) };
    } catch (e) {
      this.decodeErrors++;
      this.onDecodeError(key, e);
      return undefined;
    }
  }

  private removeWatcher(w: Watcher<T>): void {
    this.watchers.delete(w);
    this.updateProgressTimer();
  }

  /** Asks the store for progress periodically while a bookmark watcher exists. */
  private updateProgressTimer(): void {
    const wanted = this.state !== 'closed' && [...this.watchers].some((w) => w.bookmarks);
    if (!wanted) {
      if (this.progressTimer !== null) clearTimeout(this.progressTimer);
      this.progressTimer = null;
      return;
    }
    if (this.progressTimer !== null) return;
    const tick = (): void => {
      this.storageWatch?.requestProgress();
      this.progressTimer = setTimeout(tick, this.progressIntervalMs);
      this.progressTimer.unref?.();
    };
    this.progressTimer = setTimeout(tick, this.progressIntervalMs);
    this.progressTimer.unref?.();
  }
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new TypeError(`WatchCache: ${name} must be a positive number, got ${v}`);
  return v;
}

function closedError(): WatchCacheError {
  return new WatchCacheError(WatchCacheErrorCode.Closed, 'watch cache closed');
}
