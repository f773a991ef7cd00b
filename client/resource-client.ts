// Typed CRUD on one resource ("pods", "deployments"), optionally scoped to a namespace. Reads,
// watches and discovery are retried across servers; writes only when they provably never left
// (see Connection.call). Calls that take a name use, in order: options.namespace, the client's
// namespace, "" (cluster-scoped). Calls that take an object use its metadata.namespace first.
import type { KubeObject } from '../api/kind.js';
import { unary } from './connection.js';
import type { CallOptionsIn, Connection } from './connection.js';
import { decodeObject, encodeObject } from './object-json.js';
import { updateWithRetry } from './update-with-retry.js';
import type { UpdateWithRetryOptions } from './update-with-retry.js';
import { Watch } from './watch.js';
import type { WatchOptions } from './watch.js';

export interface NamespaceOption {
  /** Overrides the client's namespace for this call. */
  readonly namespace?: string;
}

export interface WriteOptions extends CallOptionsIn, NamespaceOption {
  /** Run every server stage but store nothing. */
  readonly dryRun?: boolean;
}

export interface ListOptions extends CallOptionsIn, NamespaceOption {
  /** "app=web,tier in (a,b),!canary" */
  readonly labelSelector?: string;
  /** "spec.nodeName=n1,status.phase!=Running" */
  readonly fieldSelector?: string;
  /** Page size (0 = everything). */
  readonly limit?: number;
  /** Token from the previous page. */
  readonly continue?: string;
  /** "" = latest (linearizable), else exactly that revision (Gone when compacted). */
  readonly resourceVersion?: string;
}

export interface ObjectList<T extends KubeObject> {
  readonly items: T[];
  /** The revision the list was read at: watch from here. */
  readonly resourceVersion: string;
  /** "" on the last page. */
  readonly continue: string;
  readonly remainingItemCount: number;
}

export const PropagationPolicy = { Background: 'Background', Foreground: 'Foreground', Orphan: 'Orphan' } as const;
export type PropagationPolicy = (typeof PropagationPolicy)[keyof typeof PropagationPolicy];

export interface DeleteOptions extends WriteOptions {
  /** Overrides the object's own grace period; 0 = now. */
  readonly gracePeriodSeconds?: number;
  /** Delete only if the stored object still has this uid / resourceVersion (else Conflict). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: PropagationPolicy;
}

export interface ResourceWatchOptions extends WatchOptions, NamespaceOption {}

/** A JSON merge patch (RFC 7386): objects merge, null deletes, everything else replaces. */
export type MergePatch = Readonly<Record<string, unknown>>;

/** T: the object as stored and returned. I: what create accepts (defaulted fields optional). */
export class ResourceClient<T extends KubeObject = KubeObject, I extends KubeObject = T> {
  constructor(
    private readonly conn: Connection,
    /** Plural resource name, e.g. "pods". */
    readonly resource: string,
    /** undefined = cluster-scoped, or all namespaces for list and watch. */
    readonly namespace?: string,
  ) {
    if (resource === '') throw new TypeError('resource: a plural resource name such as "pods" is required');
  }

  /** Aborts when the client closes. */
  get closedSignal(): AbortSignal {
    return this.conn.closedSignal;
  }

  /** The same resource scoped to another namespace ("" or undefined = all / cluster-scoped). */
  inNamespace(namespace: string | undefined): ResourceClient<T, I> {
    return new ResourceClient<T, I>(this.conn, this.resource, namespace);
  }

  async create(object: I, opts: WriteOptions = {}): Promise<T> {
    const namespace = this.nsOf(object, opts);
    return this.conn.call('write', async (ctx) => {
      const res = await unary(ctx.api.create.bind(ctx.api), { resource: this.resource, namespace, object: encodeObject(object), name: '', subresource: '', dryRun: opts.dryRun ?? false }, ctx);
      return decodeObject<T>(res.object, `create ${this.resource}`, ctx.server);
    }, opts);
  }

  async get(name: string, opts: CallOptionsIn & NamespaceOption = {}): Promise<T> {
    const namespace = this.ns(opts);
    return this.conn.call('idempotent', async (ctx) => {
      const res = await unary(ctx.api.get.bind(ctx.api), { resource: this.resource, namespace, name }, ctx);
      return decodeObject<T>(res.object, `get ${this.resource} ${name}`, ctx.server);
    }, opts);
  }

  /** One page (or everything when limit is 0). */
  async list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const namespace = this.ns(opts);
    return this.conn.call('idempotent', async (ctx) => {
      const res = await unary(ctx.api.list.bind(ctx.api), {
        resource: this.resource,
        namespace,
        labelSelector: opts.labelSelector ?? '',
        fieldSelector: opts.fieldSelector ?? '',
        limit: opts.limit ?? 0,
        continue: opts.continue ?? '',
        resourceVersion: opts.resourceVersion ?? '',
      }, ctx);
      const items = res.items.map((b, i) => decodeObject<T>(b, `list ${this.resource} item ${i}`, ctx.server));
      return { items, resourceVersion: res.resourceVersion, continue: res.continue, remainingItemCount: res.remainingItemCount };
    }, opts);
  }

  /**
   * Every page, following continue tokens (pages after the first are read at the first page's
   * revision, so the result is one consistent snapshot). `limit` is the page size.
   */
  async listAll(opts: Omit<ListOptions, 'continue'> = {}): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let page = await this.list(opts);
    const resourceVersion = page.resourceVersion;
    items.push(...page.items);
    // Each page holds at least one item, so this ends; the cap guards against a server that loops.
    for (let pages = 1; page.continue !== ''; pages++) {
      if (pages > 1_000_000) throw new Error(`listAll ${this.resource}: more than a million pages; the server keeps returning continue tokens`);
      page = await this.list({ ...opts, continue: page.continue });
      items.push(...page.items);
    }
    return { items, resourceVersion };
  }

  /** Replaces the object; a set metadata.resourceVersion makes it a compare-and-swap (Conflict when stale). */
  update(object: T, opts: WriteOptions = {}): Promise<T> {
    return this.replace(object, '', opts);
  }

  /** Replaces the status subresource only. */
  updateStatus(object: T, opts: WriteOptions = {}): Promise<T> {
    return this.replace(object, 'status', opts);
  }

  patch(name: string, patch: MergePatch, opts: WriteOptions = {}): Promise<T> {
    return this.mergePatch(name, patch, '', opts);
  }

  patchStatus(name: string, patch: MergePatch, opts: WriteOptions = {}): Promise<T> {
    return this.mergePatch(name, patch, 'status', opts);
  }

  /** Merge-patches a subresource by name ("approval" of certificatesigningrequests). */
  patchSubresource(name: string, subresource: string, patch: MergePatch, opts: WriteOptions = {}): Promise<T> {
    return this.mergePatch(name, patch, subresource, opts);
  }

  /**
   * Deletes by name. Returns the object as the server last had it: still present with
   * metadata.deletionTimestamp when finalizers or a grace period hold it, else its final state.
   */
  async delete(name: string, opts: DeleteOptions = {}): Promise<T> {
    const namespace = this.ns(opts);
    return this.conn.call('write', async (ctx) => {
      const res = await unary(ctx.api.delete.bind(ctx.api), {
        resource: this.resource,
        namespace,
        name,
        gracePeriodSeconds: opts.gracePeriodSeconds,
        preconditionUid: opts.preconditions?.uid ?? '',
        preconditionResourceVersion: opts.preconditions?.resourceVersion ?? '',
        propagationPolicy: opts.propagationPolicy ?? '',
        dryRun: opts.dryRun ?? false,
      }, ctx);
      return decodeObject<T>(res.object, `delete ${this.resource} ${name}`, ctx.server);
    }, opts);
  }

  /** Binds a pod to a node through the pods/binding subresource (pods only). */
  async bind(podName: string, nodeName: string, opts: WriteOptions = {}): Promise<KubeObject> {
    const namespace = this.ns(opts);
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: podName, ...(namespace === '' ? {} : { namespace }) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    return this.conn.call('write', async (ctx) => {
      const res = await unary(ctx.api.create.bind(ctx.api), { resource: this.resource, namespace, object: encodeObject(binding), name: podName, subresource: 'binding', dryRun: opts.dryRun ?? false }, ctx);
      return decodeObject<KubeObject>(res.object, `bind ${this.resource} ${podName}`, ctx.server);
    }, opts);
  }

  /**
   * Evicts a pod through the pods/eviction subresource (pods only): a delete that honours the
   * pod's grace period, or `gracePeriodSeconds`. Returns the pod as the delete left it.
   */
  async evict(podName: string, opts: WriteOptions & { gracePeriodSeconds?: number } = {}): Promise<T> {
    const namespace = this.ns(opts);
    const eviction = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: podName, ...(namespace === '' ? {} : { namespace }) },
      ...(opts.gracePeriodSeconds === undefined ? {} : { deleteOptions: { gracePeriodSeconds: opts.gracePeriodSeconds } }),
    };
    return this.conn.call('write', async (ctx) => {
      const res = await unary(ctx.api.create.bind(ctx.api), { resource: this.resource, namespace, object: encodeObject(eviction), name: podName, subresource: 'eviction', dryRun: opts.dryRun ?? false }, ctx);
      return decodeObject<T>(res.object, `evict ${this.resource} ${podName}`, ctx.server);
    }, opts);
  }

  /** Changes as an async iterator; close() it (or break out of for-await) when done. */
  watch(opts: ResourceWatchOptions = {}): Watch<T> {
    return new Watch<T>(this.conn, {
      resource: this.resource,
      namespace: this.ns(opts),
      labelSelector: opts.labelSelector ?? '',
      fieldSelector: opts.fieldSelector ?? '',
      allowBookmarks: opts.allowBookmarks ?? true,
    }, opts);
  }

  /** get → mutate → update, again on Conflict (bounded). See updateWithRetry. */
  updateWithRetry(name: string, mutate: (current: T) => T | undefined | Promise<T | undefined>, opts: UpdateWithRetryOptions & NamespaceOption = {}): Promise<T> {
    return updateWithRetry(this, name, mutate, opts);
  }

  private async replace(object: T, subresource: '' | 'status', opts: WriteOptions): Promise<T> {
    const namespace = this.nsOf(object, opts);
    const name = object.metadata.name ?? '';
    return this.conn.call('write', async (ctx) => {
      const res = await unary(ctx.api.update.bind(ctx.api), { resource: this.resource, namespace, name, subresource, object: encodeObject(object), dryRun: opts.dryRun ?? false }, ctx);
      return decodeObject<T>(res.object, `update ${this.resource} ${name}`, ctx.server);
    }, opts);
  }

  private async mergePatch(name: string, patch: MergePatch, subresource: string, opts: WriteOptions): Promise<T> {
    const namespace = this.ns(opts);
    return this.conn.call('write', async (ctx) => {
      const res = await unary(ctx.api.patch.bind(ctx.api), { resource: this.resource, namespace, name, subresource, patch: encodeObject(patch), dryRun: opts.dryRun ?? false }, ctx);
      return decodeObject<T>(res.object, `patch ${this.resource} ${name}`, ctx.server);
    }, opts);
  }

  private ns(opts: NamespaceOption): string {
    return opts.namespace ?? this.namespace ?? '';
  }

  private nsOf(object: KubeObject, opts: NamespaceOption): string {
    return opts.namespace ?? object.metadata.namespace ?? this.namespace ?? '';
  }
}
