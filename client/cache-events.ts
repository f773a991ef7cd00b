// What changed in the cache, as handler calls: the pure rules for applying a watch event and for
// turning a relist into the events a watcher would have seen. A relist after "too old" must not
// lose deletes: anything cached but absent from the list gets a delete with its last known state.
import type { KubeObject } from '../api/kind.js';
import type { CacheStore } from './cache-store.js';
import { objectKey } from './object-json.js';
import type { WatchEventType } from './watch.js';

export type CacheEvent<T extends KubeObject> =
  | { readonly type: 'add'; readonly object: T }
  | { readonly type: 'update'; readonly old: T; readonly object: T }
  | { readonly type: 'delete'; readonly object: T };

/** Compares resourceVersions as store revisions (decimal integers); undefined if either is not one. */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The events that take `cached` to `listed`: deletes (last known state) for keys no longer
 * listed, adds for new keys, updates for changed resourceVersions. A key whose uid changed was
 * deleted and created again while we were away: a delete of the old, then an add of the new.
 * Deletes come first, then the rest in list order.
 */
export function relistDiff<T extends KubeObject>(cached: ReadonlyMap<string, T>, listed: readonly T[]): CacheEvent<T>[] {
  const listedKeys = new Set(listed.map((o) => objectKey(o)));
  const events: CacheEvent<T>[] = [];
  for (const [key, old] of cached) if (!listedKeys.has(key)) events.push({ type: 'delete', object: old });
  for (const object of listed) {
    const old = cached.get(objectKey(object));
    if (old === undefined) events.push({ type: 'add', object });
    else if (old.metadata.uid !== undefined && object.metadata.uid !== undefined && old.metadata.uid !== object.metadata.uid) {
      events.push({ type: 'delete', object: old }, { type: 'add', object });
    } else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) events.push({ type: 'update', old, object });
  }
  return events;
}

/**
 * Applies one watch event to the store and returns the handler call it means (undefined when it
 * changes nothing: a stale event older than the cached object, or a delete of something unknown).
 */
export function applyWatchEvent<T extends KubeObject>(store: CacheStore<T>, type: WatchEventType, object: T): CacheEvent<T> | undefined {
  const key = objectKey(object);
  const cached = store.get(key);
  if (type === 'DELETED') {
    if (cached === undefined) return undefined;
    store.delete(key);
    // A server that lost the previous value sends only the address (no uid): the cache knows more.
    return { type: 'delete', object: object.metadata.uid === undefined ? cached : object };
  }
  if (cached !== undefined && (compareResourceVersions(object.metadata.resourceVersion, cached.metadata.resourceVersion) ?? 1) <= 0) return undefined;
  store.set(object);
  return cached === undefined ? { type: 'add', object } : { type: 'update', old: cached, object };
}
