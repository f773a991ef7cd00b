// Keeps in-memory state (the RBAC index, the node graph) in step with one resource's watch
// cache: list the cache, hand every object to onUpsert, then watch from the list's revision.
// When the watch ends (Reset, Slow, Unavailable) it lists again and reports what vanished
// meanwhile as deletes, so the state converges whatever was missed. No store reads: the cache
// already holds everything.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/kind.js';
import type { CacheWatch, WatchCache } from './storage/watch-cache.js';

export interface CacheFeedHandlers {
  onUpsert(object: KubeObject): void;
  /** The object as last seen. */
  onDelete(object: KubeObject): void;
}

export class CacheFeed {
  private readonly known = new Map<string, KubeObject>();
  private watch: CacheWatch | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly what: string,
    private readonly cache: WatchCache<KubeObject>,
    private readonly handlers: CacheFeedHandlers,
    private readonly log: Logger,
    private readonly retryMs = 500,
  ) {}

  /** Resolves once every object the cache holds has been handed over. */
  async start(): Promise<void> {
    const { items, revision } = await this.cache.list();
    if (this.closed) return;
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(item.key);
      this.known.set(item.key, item.object);
      this.handlers.onUpsert(item.object);
    }
    for (const [key, object] of [...this.known]) {
      if (seen.has(key)) continue;
      this.known.delete(key);
      this.handlers.onDelete(object);
    }
    this.watch = await this.cache.watch(
      { fromRevision: revision },
      {
        onEvent: (e) => {
          if (this.closed || e.type === 'BOOKMARK') return;
          if (e.type === 'DELETED') {
            this.known.delete(e.key);
            this.handlers.onDelete(e.object);
          } else {
            this.known.set(e.key, e.object);
            this.handlers.onUpsert(e.object);
          }
        },
        onError: (err) => {
          if (this.closed) return;
          this.log.warn({ feed: this.what, err: err.message }, 'security state feed ended; relisting');
          this.scheduleRestart();
        },
      },
    );
    if (this.closed) this.watch.close();
  }

  private scheduleRestart(): void {
    this.watch = undefined;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.closed) return;
      this.start().catch((e: unknown) => {
        this.log.warn({ feed: this.what, err: (e as Error).message }, 'security state feed relist failed; retrying');
        if (!this.closed) this.scheduleRestart();
      });
    }, this.retryMs);
  }

  close(): void {
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.watch?.close();
  }
}
