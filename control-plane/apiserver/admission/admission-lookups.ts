// What admission plugins read and write besides the request's object: the namespace's
// LimitRanges, ResourceQuotas and ServiceAccounts. Reads come from the API server's watch caches
// (one store watch per resource, already kept for watchers); a live store read only where
// correctness needs it: the quota's compare-and-swap and its first count.
import type { KindDefinition, KubeObject } from '../../../api/kind.js';
import { ApiError, Code } from '../errors.js';
import type { KindLookup } from '../kinds.js';
import { decodeStored, encodeStored } from '../registry/codec.js';
import { listPrefix, objectKey } from '../registry/keys.js';
import type { ValueTransformer } from '../registry/value-transformer.js';
import type { Storage } from '../storage/storage.js';
import { StorageError } from '../storage/storage.js';
import type { WatchCaches } from '../watch-caches.js';

export type CasResult = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly reason: 'Conflict' | 'NotFound' };

export interface AdmissionLookups {
  /** The kind served under resource (and API group), if any. */
  kind(resource: string, group?: string): KindDefinition | undefined;
  /** Objects of resource in namespace from the watch cache, at least as new as the store's current
   * revision (a consistent read); from the store when the cache cannot answer (not started, relisting). */
  listCached(resource: string, namespace: string): Promise<KubeObject[]>;
  /** One object as the watch cache holds it now (no freshness wait). */
  getCached(resource: string, namespace: string, name: string): KubeObject | undefined;
  /** Live reads from the store. */
  getLive(resource: string, namespace: string, name: string): Promise<KubeObject | undefined>;
  listLive(resource: string, namespace: string): Promise<KubeObject[]>;
  /**
   * Writes object if the stored one still has resourceVersion (compare-and-swap). No admission or
   * validation: only for server-owned fields (a quota's status).
   */
  compareAndSwap(resource: string, object: KubeObject): Promise<CasResult>;
}

const groupOfKind = (k: KindDefinition): string => (k.apiVersion.includes('/') ? k.apiVersion.slice(0, k.apiVersion.indexOf('/')) : '');

export class StoreLookups implements AdmissionLookups {
  constructor(
    private readonly d: {
      readonly storage: Storage;
      readonly transformer: ValueTransformer;
      readonly kinds: KindLookup;
      /** The server's caches (built after the registry, hence a getter). */
      readonly caches: () => WatchCaches;
    },
  ) {}

  kind(resource: string, group?: string): KindDefinition | undefined {
    const k = this.d.kinds.byResource(resource);
    return k !== undefined && (group === undefined || groupOfKind(k) === group) ? k : undefined;
  }

  private mustKind(resource: string): KindDefinition {
    const k = this.kind(resource);
    if (k === undefined) throw new ApiError(Code.INTERNAL, `admission: the server does not serve ${resource}`);
    return k;
  }

  async listCached(resource: string, namespace: string): Promise<KubeObject[]> {
    const kind = this.kind(resource);
    if (kind === undefined) return [];
    try {
      const r = await this.d.caches().get(kind).list({ filter: (o) => o.metadata.namespace === namespace });
      return r.items.map((i) => i.object);
    } catch {
      // The cache is not started yet, relisting, or could not catch up in time: the store answers.
      return this.listLive(resource, namespace);
    }
  }

  getCached(resource: string, namespace: string, name: string): KubeObject | undefined {
    const kind = this.kind(resource);
    if (kind === undefined) return undefined;
    try {
      return this.d.caches().get(kind).get(objectKey(resource, namespace, name, kind.namespaced))?.object;
    } catch {
      return undefined; // cache not ready: the caller reads live
    }
  }

  async getLive(resource: string, namespace: string, name: string): Promise<KubeObject | undefined> {
    const kind = this.mustKind(resource);
    const v = await this.storeCall(() => this.d.storage.get(objectKey(resource, namespace, name, kind.namespaced)));
    return v === undefined ? undefined : decodeStored(this.d.transformer.fromStorage(resource, v.value), v.modRevision);
  }

  async listLive(resource: string, namespace: string): Promise<KubeObject[]> {
    const kind = this.mustKind(resource);
    const r = await this.storeCall(() => this.d.storage.list(listPrefix(resource, namespace, kind.namespaced)));
    return r.items.map((v) => decodeStored(this.d.transformer.fromStorage(resource, v.value), v.modRevision));
  }

  async compareAndSwap(resource: string, object: KubeObject): Promise<CasResult> {
    const kind = this.mustKind(resource);
    const key = objectKey(resource, object.metadata.namespace ?? '', object.metadata.name ?? '', kind.namespaced);
    const rv = Number(object.metadata.resourceVersion ?? '');
    if (!Number.isSafeInteger(rv) || rv <= 0) throw new ApiError(Code.INTERNAL, `admission: compare-and-swap of ${resource} without a resourceVersion`);
    try {
      const bytes = encodeStored(object);
      const stored = await this.d.storage.update(key, this.d.transformer.toStorage(resource, bytes), rv);
      return { ok: true, object: decodeStored(bytes, stored.modRevision) };
    } catch (e) {
      if (e instanceof StorageError && (e.code === 'Conflict' || e.code === 'NotFound')) return { ok: false, reason: e.code };
      throw storeFailure(e);
    }
  }

  private async storeCall<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw storeFailure(e);
    }
  }
}

function storeFailure(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(Code.UNAVAILABLE, `admission could not reach the store: ${(e as Error)?.message ?? String(e)}; retry`, [], { cause: e });
}
