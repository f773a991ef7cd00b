// The informer's local cache: objects by "namespace/name", plus indexes (namespace built in,
// more by the caller, e.g. pods by spec.nodeName). Pure data structure; no I/O.
import type { KubeObject } from '../api/kind.js';
import { objectKey } from './object-json.js';

/** The index values of an object (an object may sit under several values, or none). */
export type IndexFunc<T extends KubeObject> = (object: T) => readonly string[];

export const namespaceIndex = 'namespace';

export const byNamespace: IndexFunc<KubeObject> = (o) => [o.metadata.namespace ?? ''];

/** The read side, what handlers and listers get. */
export interface CacheReader<T extends KubeObject> {
  /** By key: "namespace/name", or "name" when cluster-scoped. */
  get(key: string): T | undefined;
  getByName(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  keys(): string[];
  readonly size: number;
  /** Every object whose index `indexName` contains `value`. Throws on an unknown index. */
  byIndex(indexName: string, value: string): T[];
  /** The values present in an index (e.g. every namespace with objects). */
  indexValues(indexName: string): string[];
}

export class CacheStore<T extends KubeObject> implements CacheReader<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers: ReadonlyMap<string, IndexFunc<T>>;
  /** index name → value → keys */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Readonly<Record<string, IndexFunc<T>>> = {}) {
    if (namespaceIndex in indexers) throw new TypeError(`indexers: "${namespaceIndex}" is built in`);
    this.indexers = new Map<string, IndexFunc<T>>([[namespaceIndex, byNamespace], ...Object.entries(indexers)]);
    for (const name of this.indexers.keys()) this.indexes.set(name, new Map());
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace === undefined || namespace === '' ? name : `${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** A snapshot of key → object (for diffs). */
  entries(): Map<string, T> {
    return new Map(this.items);
  }

  byIndex(indexName: string, value: string): T[] {
    const keys = this.index(indexName).get(value);
    if (keys === undefined) return [];
    return [...keys].map((k) => this.items.get(k) as T);
  }

  indexValues(indexName: string): string[] {
    return [...this.index(indexName).keys()];
  }

  /** Stores the object; returns the one it replaced. */
  set(object: T): T | undefined {
    const key = objectKey(object);
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, object);
    this.reindex(key, object);
    return old;
  }

  /** Removes by key; returns what was there. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Replaces everything (after a relist). */
  replace(objects: readonly T[]): void {
    this.items.clear();
    for (const m of this.indexes.values()) m.clear();
    for (const o of objects) this.set(o);
  }

  private index(name: string): Map<string, Set<string>> {
    const m = this.indexes.get(name);
    if (m === undefined) throw new RangeError(`no index "${name}" (have: ${[...this.indexes.keys()].join(', ')})`);
    return m;
  }

  private reindex(key: string, object: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name) as Map<string, Set<string>>;
      for (const v of new Set(fn(object))) {
        let keys = idx.get(v);
        if (keys === undefined) idx.set(v, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private unindex(key: string, object: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name) as Map<string, Set<string>>;
      for (const v of fn(object)) {
        const keys = idx.get(v);
        if (keys === undefined) continue;
        keys.delete(key);
        if (keys.size === 0) idx.delete(v);
      }
    }
  }
}
