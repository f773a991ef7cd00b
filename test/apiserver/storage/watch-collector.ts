// Collects what a StorageWatch delivers, for assertions; waits are bounded conditions, never timings.
import type { Storage, StorageError, StorageWatch, StorageWatchEvent } from '../../../control-plane/apiserver/storage/index.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls cond until it holds; throws with `what` after timeoutMs. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface Batch {
  readonly revision: number;
  readonly events: readonly StorageWatchEvent[];
}

export class WatchCollector {
  readonly batches: Batch[] = [];
  readonly progress: number[] = [];
  error: StorageError | null = null;
  readonly watch: StorageWatch;

  constructor(storage: Storage, prefix: string, fromRevision: number) {
    this.watch = storage.watch(prefix, fromRevision, {
      onEvents: (events, revision) => this.batches.push({ revision, events: [...events] }),
      onProgress: (revision) => this.progress.push(revision),
      onError: (e) => (this.error = e),
    });
  }

  get events(): StorageWatchEvent[] {
    return this.batches.flatMap((b) => b.events);
  }

  /** Waits until at least n events arrived (or the watch failed). */
  async waitEvents(n: number, timeoutMs = 20_000): Promise<StorageWatchEvent[]> {
    await waitFor(`${n} watch events (have ${this.events.length})`, () => this.events.length >= n || this.error !== null, timeoutMs);
    if (this.error !== null && this.events.length < n) throw this.error;
    return this.events;
  }

  async waitError(timeoutMs = 20_000): Promise<StorageError> {
    await waitFor('a watch error', () => this.error !== null, timeoutMs);
    return this.error as StorageError;
  }

  close(): void {
    this.watch.close();
  }
}
