// One WatchCache per served resource (storage/watch-cache.ts): one store watch per resource feeds
// every API watcher of it, so a thousand watchers cost one store watch. Started at server start;
// the server is ready once every cache has synced. A cache that fails to start is retried.
import type { Logger } from 'pino';
import type { KindDefinition, KubeObject } from '../../api/kind.js';
import type { Storage } from './storage/storage.js';
import { WatchCache } from './storage/watch-cache.js';
import { ApiError, Code } from './errors.js';
import { decodeStored } from './registry/codec.js';
import { resourcePrefix } from './registry/keys.js';
import type { ValueTransformer } from './registry/value-transformer.js';

export interface WatchCachesOptions {
  readonly storage: Storage;
  readonly kinds: readonly KindDefinition[];
  readonly log: Logger;
  /** How often the store is asked for progress while bookmark watchers exist. */
  readonly progressIntervalMs: number;
  /** Undelivered events a watcher may have before it is ended. */
  readonly maxPending: number;
  readonly transformer: ValueTransformer;
}

export class WatchCaches {
  private readonly caches = new Map<string, WatchCache<KubeObject>>();
  private closed = false;

  constructor(private readonly o: WatchCachesOptions) {}

  private make(kind: KindDefinition): WatchCache<KubeObject> {
    return new WatchCache<KubeObject>({
      storage: this.o.storage,
      prefix: resourcePrefix(kind.resource),
      decode: (value, _key, modRevision) => decodeStored(this.o.transformer.fromStorage(kind.resource, value), modRevision),
      onDecodeError: (key, e) => this.o.log.warn({ key, err: (e as Error).message }, 'a stored value is not a JSON object; watchers do not see it'),
      progressIntervalMs: this.o.progressIntervalMs,
      maxPending: this.o.maxPending,
    });
  }

  /** Starts every cache not started yet; throws the first failure (the caller retries). */
  async start(): Promise<void> {
    await Promise.all(
      this.o.kinds.map(async (kind) => {
        if (this.caches.has(kind.resource)) return;
        const cache = this.make(kind);
        try {
          await cache.start();
        } catch (e) {
          cache.close();
          throw e;
        }
        if (this.closed) cache.close();
        else this.caches.set(kind.resource, cache);
      }),
    );
  }

  /** Resources whose cache has not synced yet. */
  notSynced(): string[] {
    return this.o.kinds.filter((k) => !this.caches.has(k.resource)).map((k) => k.resource);
  }

  get(kind: KindDefinition): WatchCache<KubeObject> {
    const c = this.caches.get(kind.resource);
    if (c === undefined) throw new ApiError(Code.UNAVAILABLE, `the watch cache of ${kind.resource} is not ready yet; retry`);
    return c;
  }

  /** Watchers across all caches. */
  get watcherCount(): number {
    let n = 0;
    for (const c of this.caches.values()) n += c.watcherCount;
    return n;
  }

  close(): void {
    this.closed = true;
    for (const c of this.caches.values()) c.close();
    this.caches.clear();
  }
}
