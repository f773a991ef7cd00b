// One range's allocation state in the store, changed only by compare-and-swap (Kubernetes'
// etcd-backed allocator). Requests from this API server are batched: while one write is in
// flight the next ones queue, and the queue goes out as one write, so a server never conflicts
// with itself; two servers conflict only with each other, re-read and try again (bounded).
//
// Rule: the store object is the truth. An offset is handed out only by a successful
// compare-and-swap that moved it from free to taken, so no two requests anywhere get one offset.
import type { Storage, StoredValue } from '../storage/storage.js';
import { StorageError } from '../storage/storage.js';
import { AllocationBitmap } from './allocation-bitmap.js';
import { applyTxn, decodeRangeAllocation, encodeRangeAllocation, rangeAllocationObject } from './range-allocation.js';
import type { TxnResult, Want } from './range-allocation.js';

/** Compare-and-swap attempts of one batch before its requests fail (the client retries). */
export const MAX_CAS_ATTEMPTS = 32;

export const AllocatorErrorCode = {
  /** The stored range differs from this server's flag. */
  RangeMismatch: 'RangeMismatch',
  /** The store kept changing under us (MAX_CAS_ATTEMPTS conflicts). */
  Contended: 'Contended',
  /** The store failed or cannot be reached. */
  Store: 'Store',
} as const;
export type AllocatorErrorCode = (typeof AllocatorErrorCode)[keyof typeof AllocatorErrorCode];

export class AllocatorError extends Error {
  override readonly name = 'AllocatorError';
  constructor(
    readonly code: AllocatorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RangeAllocatorOptions {
  readonly storage: Storage;
  /** Store key of the allocation object. */
  readonly key: string;
  /** The object's metadata.name ("serviceips"). */
  readonly name: string;
  /** What is allocated, for messages ("service IP", "node port"). */
  readonly what: string;
  /** The flag the range comes from, for messages. */
  readonly flag: string;
  /** Canonical range text, compared with the stored one. */
  readonly range: string;
  /** Number of offsets. */
  readonly size: number;
  /** Offsets 'any' never picks. */
  readonly reserved?: ReadonlySet<number>;
  /** Unique among the cluster's allocators (e.g. a random UUID per API server): makes every write's bytes unique. */
  readonly writerId: string;
}

interface Pending {
  readonly wants: readonly Want[];
  readonly resolve: (r: TxnResult) => void;
  readonly reject: (e: unknown) => void;
}

export interface Snapshot {
  readonly bitmap: AllocationBitmap;
  /** The object's modRevision (0 when it does not exist yet). */
  readonly revision: number;
}

export class RangeAllocator {
  private readonly reserved: ReadonlySet<number>;
  private queue: Pending[] = [];
  private running = false;
  /** The last state read or written (saves a read per batch when nobody else wrote). */
  private cached: Snapshot | undefined;
  private writes = 0;
  /** Writes made and compare-and-swaps lost (another server wrote first), for tests and logs. */
  readonly stats = { writes: 0, conflicts: 0, batches: 0 };

  constructor(private readonly o: RangeAllocatorOptions) {
    this.reserved = o.reserved ?? new Set();
  }

  get size(): number {
    return this.o.size;
  }

  /** Applies wants atomically in the store. Resolves with the offsets, or which want failed. */
  transact(wants: readonly Want[]): Promise<TxnResult> {
    if (wants.length === 0) return Promise.resolve({ ok: true, offsets: [] });
    return new Promise((resolve, reject) => {
      this.queue.push({ wants, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  /** What transact would answer now, without writing (dry run). */
  async peek(wants: readonly Want[]): Promise<TxnResult> {
    const s = await this.read();
    return applyTxn(s.bitmap.clone(), wants, this.reserved);
  }

  /** The current state, read from the store. */
  read(): Promise<Snapshot> {
    return this.call(async () => this.snapshotOf(await this.o.storage.get(this.o.key)));
  }

  /** Writes bitmap if the object is still at revision (0 = does not exist). False on conflict. */
  async compareAndSwap(bitmap: AllocationBitmap, revision: number): Promise<boolean> {
    const bytes = encodeRangeAllocation(rangeAllocationObject(this.o.name, this.o.range, bitmap, `${this.o.writerId}/${++this.writes}`));
    try {
      const v = revision === 0 ? await this.o.storage.create(this.o.key, bytes) : await this.o.storage.update(this.o.key, bytes, revision);
      this.cached = { bitmap: bitmap.clone(), revision: v.modRevision };
      this.stats.writes++;
      return true;
    } catch (e) {
      if (e instanceof StorageError && (e.code === 'Conflict' || e.code === 'AlreadyExists' || e.code === 'NotFound')) {
        this.cached = undefined;
        this.stats.conflicts++;
        return false;
      }
      throw new AllocatorError('Store', `the ${this.o.what} allocation could not be written: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Creates the empty allocation object unless it exists; checks its range against ours. */
  async ensure(): Promise<void> {
    const s = await this.read();
    if (s.revision === 0) await this.compareAndSwap(s.bitmap, 0);
  }

  private snapshotOf(v: StoredValue | undefined): Snapshot {
    if (v === undefined) return { bitmap: new AllocationBitmap(this.o.size), revision: 0 };
    let stored;
    try {
      stored = decodeRangeAllocation(v.value);
    } catch (e) {
      throw new AllocatorError('Store', `${this.o.key} in the store is not a RangeAllocation: ${(e as Error).message}`, { cause: e });
    }
    if (stored.range !== this.o.range) {
      throw new AllocatorError('RangeMismatch', `this API server's --${this.o.flag} is ${this.o.range} but the cluster's (in the store at ${this.o.key}) is ${stored.range}: every API server of a cluster must use the same range`);
    }
    return { bitmap: AllocationBitmap.decode(this.o.size, stored.data), revision: v.modRevision };
  }

  private async call<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof AllocatorError) throw e;
      throw new AllocatorError('Store', `the ${this.o.what} allocation could not be read: ${(e as Error).message}`, { cause: e });
    }
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        this.stats.batches++;
        try {
          const results = await this.commit(batch.map((p) => p.wants));
          batch.forEach((p, i) => p.resolve(results[i]!));
        } catch (e) {
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** One write for every transaction of the batch (each all-or-nothing on its own). */
  private async commit(txns: readonly (readonly Want[])[]): Promise<TxnResult[]> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const state = this.cached ?? (await this.read());
      const bitmap = state.bitmap.clone();
      const results = txns.map((w) => applyTxn(bitmap, w, this.reserved));
      const changed = results.some((r, i) => r.ok && txns[i]!.length > 0);
      // Nothing to write still needs a fresh read: a refusal must not rest on a stale cache.
      if (!changed && state === this.cached) {
        this.cached = undefined;
        continue;
      }
      if (!changed) return results;
      if (await this.compareAndSwap(bitmap, state.revision)) return results;
    }
    throw new AllocatorError('Contended', `the ${this.o.what} allocation kept changing (${MAX_CAS_ATTEMPTS} conflicting writes); retry`);
  }
}
