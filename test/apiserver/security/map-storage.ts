// A minimal in-memory Storage for the encryption tests (latest revision only, synchronous
// watches). The API server branch brings the full MemoryStorage twin; these tests can move to it
// once both are on main.
import type { ListOptions, ListResult, Storage, StoredValue, StorageWatch, StorageWatchHandlers } from '../../../control-plane/apiserver/storage/storage.js';
import { StorageError } from '../../../control-plane/apiserver/storage/storage.js';

export class MapStorage implements Storage {
  readonly data = new Map<string, StoredValue>();
  private rev = 1;
  private readonly watchers = new Set<{ prefix: string; h: StorageWatchHandlers }>();

  get(key: string): Promise<StoredValue | undefined> {
    return Promise.resolve(this.data.get(key));
  }

  list(prefix: string, o: ListOptions = {}): Promise<ListResult> {
    const keys = [...this.data.keys()].filter((k) => k.startsWith(prefix) && (o.startKey === undefined || k >= o.startKey)).sort();
    const limit = o.limit !== undefined && o.limit > 0 ? o.limit : keys.length;
    const items = keys.slice(0, limit).map((k) => this.data.get(k)!);
    return Promise.resolve({ items, revision: this.rev, more: keys.length > limit, remaining: keys.length - items.length });
  }

  create(key: string, value: Uint8Array): Promise<StoredValue> {
    if (this.data.has(key)) return Promise.reject(new StorageError('AlreadyExists', key));
    return Promise.resolve(this.put(key, value, undefined));
  }

  update(key: string, value: Uint8Array, expected: number): Promise<StoredValue> {
    const old = this.data.get(key);
    if (old === undefined) return Promise.reject(new StorageError('NotFound', key));
    if (old.modRevision !== expected) return Promise.reject(new StorageError('Conflict', key));
    return Promise.resolve(this.put(key, value, old));
  }

  delete(key: string, expected: number): Promise<{ prev: StoredValue; revision: number }> {
    const old = this.data.get(key);
    if (old === undefined) return Promise.reject(new StorageError('NotFound', key));
    if (old.modRevision !== expected) return Promise.reject(new StorageError('Conflict', key));
    this.data.delete(key);
    const revision = ++this.rev;
    this.emit(key, { type: 'delete', key, value: new Uint8Array(), prevValue: old.value, modRevision: revision, createRevision: 0 }, revision);
    return Promise.resolve({ prev: old, revision });
  }

  watch(prefix: string, _from: number, h: StorageWatchHandlers): StorageWatch {
    const w = { prefix, h };
    this.watchers.add(w);
    return { requestProgress: () => undefined, close: () => void this.watchers.delete(w) };
  }

  currentRevision(): Promise<number> {
    return Promise.resolve(this.rev);
  }

  compactedRevision(): Promise<number> {
    return Promise.resolve(0);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private put(key: string, value: Uint8Array, old: StoredValue | undefined): StoredValue {
    const modRevision = ++this.rev;
    const v = { key, value, createRevision: old?.createRevision ?? modRevision, modRevision };
    this.data.set(key, v);
    this.emit(key, { type: 'put', key, value, prevValue: old?.value, modRevision, createRevision: v.createRevision }, modRevision);
    return v;
  }

  private emit(key: string, e: Parameters<StorageWatchHandlers['onEvents']>[0][number], revision: number): void {
    for (const w of this.watchers) if (key.startsWith(w.prefix)) w.h.onEvents([e], revision);
  }
}
