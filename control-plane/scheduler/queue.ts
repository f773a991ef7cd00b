// The scheduling queue, after kube-scheduler's: an active queue (higher priority first, then
// first come), a backoff queue for pods that just failed (1 s doubling to 10 s per attempt), and
// an unschedulable pool whose pods return when something changes that could make them fit
// (moveAll: a node added or changed, a pod deleted) or, at the latest, after maxUnschedulableMs.
// A change seen while a pod was in its cycle sends it to backoff rather than the pool, so the
// change is never missed. Time comes from the injected clock; flush() is driven by the caller.
import type { Clock } from '../../client/index.js';
import type { PodInfo } from './framework/pod-info.js';

export type QueueLocation = 'active' | 'backoff' | 'unschedulable' | 'in-flight';

export interface QueuedPod {
  info: PodInfo;
  /** Failed scheduling attempts so far. */
  attempts: number;
  /** When it entered the queue first (create-to-bound latency starts here). */
  readonly firstSeen: number;
  /** When it last entered the active queue or pool (FIFO order, pool age). */
  timestamp: number;
  location: QueueLocation;
  /** moveSeq when it was popped. */
  popSeq: number;
  seq: number;
}

export interface QueueOptions {
  readonly clock: Clock;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Pods stay in the unschedulable pool at most this long before another try (default 60 s). */
  readonly maxUnschedulableMs?: number;
}

export class QueueError extends Error {
  readonly code = 'InvalidQueueOptions';
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}

/** The backoff after `attempts` failures: initial × 2^(attempts−1), at most max. */
export function backoffFor(attempts: number, initialMs: number, maxMs: number): number {
  if (attempts <= 0) return 0;
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempts - 1, 30));
}

const before = (a: QueuedPod, b: QueuedPod): boolean =>
  a.info.priority !== b.info.priority ? a.info.priority > b.info.priority : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly pods = new Map<string, QueuedPod>();
  /** Binary heap of active entries; stale entries (moved or deleted) are skipped on pop. */
  private heap: QueuedPod[] = [];
  private activeCount = 0;
  private moveSeq = 0;
  private seq = 0;
  private waiters: (() => void)[] = [];

  constructor(o: QueueOptions) {
    this.clock = o.clock;
    this.initialBackoffMs = o.initialBackoffMs ?? 1000;
    this.maxBackoffMs = o.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = o.maxUnschedulableMs ?? 60_000;
    if (!(this.initialBackoffMs > 0 && this.maxBackoffMs >= this.initialBackoffMs)) throw new QueueError(`backoff: need 0 < initialBackoffMs <= maxBackoffMs, got ${this.initialBackoffMs} and ${this.maxBackoffMs}`);
    if (!(this.maxUnschedulableMs > 0)) throw new QueueError(`maxUnschedulableMs: must be > 0, got ${this.maxUnschedulableMs}`);
  }

  /** A pending pod seen (again): new ones go active; known ones get the newer object, and leave the pool (it changed, so it may fit). */
  add(info: PodInfo): void {
    const q = this.pods.get(info.key);
    if (q === undefined) {
      const now = this.clock.now();
      const e: QueuedPod = { info, attempts: 0, firstSeen: now, timestamp: now, location: 'active', popSeq: 0, seq: this.seq++ };
      this.pods.set(info.key, e);
      this.pushActive(e);
      return;
    }
    q.info = info;
    if (q.location === 'unschedulable') this.moveOut(q, this.clock.now());
  }

  /** A newer object of a queued pod whose scheduling inputs did not change (e.g. our own status write): no retry. */
  refresh(info: PodInfo): void {
    const q = this.pods.get(info.key);
    if (q !== undefined) q.info = info;
  }

  /** The pod is gone or no longer pending. */
  delete(key: string): void {
    const q = this.pods.get(key);
    if (q === undefined) return;
    if (q.location === 'active') this.activeCount--;
    this.pods.delete(key);
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  location(key: string): QueueLocation | undefined {
    return this.pods.get(key)?.location;
  }

  /** The next pod to schedule (now in flight), or undefined. */
  pop(): QueuedPod | undefined {
    while (this.heap.length > 0) {
      const e = this.popHeap();
      if (this.pods.get(e.info.key) !== e || e.location !== 'active') continue;
      this.activeCount--;
      e.location = 'in-flight';
      e.popSeq = this.moveSeq;
      return e;
    }
    return undefined;
  }

  /** After a failed cycle: the pool, or backoff when the cluster changed during the cycle. */
  addUnschedulable(e: QueuedPod): void {
    if (!this.adopt(e)) return;
    e.attempts++;
    e.timestamp = this.clock.now();
    e.location = this.moveSeq > e.popSeq ? 'backoff' : 'unschedulable';
  }

  /** After an error that is not about fit (a failed bind): try again after the backoff. */
  addBackoff(e: QueuedPod): void {
    if (!this.adopt(e)) return;
    e.attempts++;
    e.timestamp = this.clock.now();
    e.location = 'backoff';
  }

  /** The pod was bound (or given up on): it leaves the queue. */
  done(e: QueuedPod): void {
    if (this.pods.get(e.info.key) === e) this.pods.delete(e.info.key);
  }

  /** Something changed that could make unschedulable pods fit: back to active (or backoff while backing off). */
  moveAll(): void {
    this.moveSeq++;
    const now = this.clock.now();
    for (const q of this.pods.values()) if (q.location === 'unschedulable') this.moveOut(q, now);
  }

  /** Backoffs that ran out go active; pool pods older than maxUnschedulableMs too. Call every ~second. */
  flush(): void {
    const now = this.clock.now();
    for (const q of this.pods.values()) {
      if (q.location === 'backoff' && now >= this.backoffUntil(q)) this.pushActive(q);
      else if (q.location === 'unschedulable' && now - q.timestamp >= this.maxUnschedulableMs) this.moveOut(q, now);
    }
  }

  /** Resolves when the active queue has a pod (or the signal aborts). */
  wait(signal: AbortSignal): Promise<void> {
    if (this.activeCount > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  counts(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    const c = { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 };
    for (const q of this.pods.values()) {
      if (q.location === 'in-flight') c.inFlight++;
      else c[q.location]++;
    }
    return c;
  }

  backoffUntil(q: QueuedPod): number {
    return q.timestamp + backoffFor(q.attempts, this.initialBackoffMs, this.maxBackoffMs);
  }

  /** False when the pod was deleted (or re-added as a new entry) while in flight. */
  private adopt(e: QueuedPod): boolean {
    return this.pods.get(e.info.key) === e && e.location === 'in-flight';
  }

  private moveOut(q: QueuedPod, now: number): void {
    if (now < this.backoffUntil(q)) q.location = 'backoff';
    else this.pushActive(q);
  }

  private pushActive(e: QueuedPod): void {
    e.location = 'active';
    e.timestamp = this.clock.now();
    e.seq = this.seq++;
    this.activeCount++;
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private popHeap(): QueuedPod {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
