// Objects and watch recorders for the WatchCache tests.
import type { CacheWatch, CacheWatchEvent, WatchCache, WatchCacheError } from '../../../control-plane/apiserver/storage/index.js';
import { waitFor } from './watch-collector.js';

export interface Obj {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly gen: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export const encodeObj = (o: Obj): Uint8Array => enc.encode(JSON.stringify(o));

export function decoder(): { decode: (v: Uint8Array) => Obj; calls: () => number } {
  let calls = 0;
  return {
    decode: (v) => {
      calls++;
      return JSON.parse(dec.decode(v)) as Obj;
    },
    calls: () => calls,
  };
}

/** Records what one cache watcher receives; can pause (return false) on demand. */
export class Recorder {
  readonly events: CacheWatchEvent<Obj>[] = [];
  error: WatchCacheError | null = null;
  watch: CacheWatch | null = null;
  paused = false;

  handlers = {
    onEvent: (e: CacheWatchEvent<Obj>): boolean => {
      this.events.push(e);
      return !this.paused;
    },
    onError: (e: WatchCacheError): void => {
      this.error = e;
    },
  };

  static async start(cache: WatchCache<Obj>, opts: Parameters<WatchCache<Obj>['watch']>[0]): Promise<Recorder> {
    const r = new Recorder();
    r.watch = await cache.watch(opts, r.handlers);
    return r;
  }

  /** Names currently present according to the events received (replayed as a client would). */
  state(): Map<string, Obj> {
    const m = new Map<string, Obj>();
    for (const e of this.events) {
      if (e.type === 'BOOKMARK') continue;
      if (e.type === 'DELETED') m.delete(e.key);
      else m.set(e.key, e.object);
    }
    return m;
  }

  changes(): Extract<CacheWatchEvent<Obj>, { key: string }>[] {
    return this.events.filter((e): e is Extract<CacheWatchEvent<Obj>, { key: string }> => e.type !== 'BOOKMARK');
  }

  async waitUntil(what: string, cond: (r: Recorder) => boolean, timeoutMs = 20_000): Promise<void> {
    await waitFor(what, () => cond(this), timeoutMs);
  }
}
