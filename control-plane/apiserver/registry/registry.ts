// The generic registry: create, read, list, update, patch and delete objects of any kind in the
// store, the way Kubernetes' generic registry does. Every write is a compare-and-swap on the
// revision it read; nothing partial is ever written. Admission (stage 3) and validation
// (stage 4) run inside each attempt, on the object that will be written.
//
// Server-set fields: uid, creationTimestamp, generation (1 at create, +1 when spec changes),
// resourceVersion (= the key's modRevision, never stored in the value), name from generateName.
import type { FieldError, KindDefinition, KubeObject, ObjectMeta } from '../../../api/kind.js';
import { bindingKind } from '../../../api/index.js';
import type { Storage, StoredValue } from '../storage/storage.js';
import { StorageError } from '../storage/storage.js';
import type { Clock, RandomSource } from '../clock.js';
import { timestamp } from '../clock.js';
import { alreadyExists, ApiError, badRequest, Code, conflict, invalid, MODIFIED, notFound, tooOld } from '../errors.js';
import type { AdmissionChain, Operation } from '../pipeline/admission.js';
import { admit } from '../pipeline/admission.js';
import { WriteEffectsRecorder } from '../pipeline/write-effects.js';
import { validateObject } from '../pipeline/validation.js';
import type { RequestAttributes } from '../request.js';
import { clone, decodeStored, deepEqual, encodeStored, parseJson } from './codec.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import type { PropagationPolicy } from './deletion.js';
import { decideDelete, FINALIZER_NAMESPACE, shouldDeleteDuringUpdate } from './deletion.js';
import { parseEviction } from './eviction.js';
import { compileFilter } from './filter.js';
import { checkSegment, listPrefix, objectKey } from './keys.js';
import { mergePatch } from './merge-patch.js';
import type { ValueTransformer } from './value-transformer.js';
import { identityTransformer } from './value-transformer.js';

export interface RegistryDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly admission: AdmissionChain;
  /** Largest stored object (bytes of JSON); bigger → RESOURCE_EXHAUSTED. */
  readonly maxObjectBytes: number;
  /** Bytes to and from the store (encryption at rest); identity by default. */
  readonly transformer?: ValueTransformer;
  /** An admission side effect failed to undo or finish (the write's outcome stands). */
  readonly onEffectError?: (e: unknown) => void;
}

export interface ListOptions {
  readonly labelSelector: string;
  readonly fieldSelector: string;
  readonly limit: number;
  readonly continueToken: string;
  readonly resourceVersion: string;
}

export interface ListOutcome {
  readonly items: KubeObject[];
  readonly resourceVersion: number;
  readonly continueToken: string;
  readonly remaining: number;
}

export interface DeleteOptions {
  readonly gracePeriodSeconds: number | undefined;
  readonly preconditionUid: string;
  readonly preconditionResourceVersion: string;
  readonly propagationPolicy: PropagationPolicy;
}

/** Retries of a compare-and-swap loop that nobody pinned to a revision (patch, delete, binding). */
const MAX_ATTEMPTS = 16;
/** Names tried for one generateName create. */
const MAX_GENERATE_ATTEMPTS = 8;
const GENERATE_SUFFIX_LENGTH = 5;
/** Keys read per round trip when a selector filters a paginated list. */
const FILTERED_CHUNK = 500;

export class Registry {
  private readonly transformer: ValueTransformer;

  constructor(private readonly deps: RegistryDeps) {
    this.transformer = deps.transformer ?? identityTransformer;
  }

  /** A stored value as the object it holds (resourceVersion = its modRevision). */
  private decode(kind: KindDefinition, v: StoredValue): KubeObject {
    return decodeStored(this.transformer.fromStorage(kind.resource, v.value), v.modRevision);
  }

  private sealed(kind: KindDefinition, plain: Uint8Array): Uint8Array {
    return this.transformer.toStorage(kind.resource, plain);
  }

  private key(kind: KindDefinition, namespace: string, name: string): string {
    return objectKey(kind.resource, namespace, name, kind.namespaced);
  }

  private now(): string {
    return timestamp(this.deps.clock.now());
  }

  /** Store errors as the client sees them. */
  private storeError(e: unknown, kind: KindDefinition, name: string): ApiError {
    if (e instanceof ApiError) return e;
    if (!(e instanceof StorageError)) return new ApiError(Code.INTERNAL, `internal error: ${(e as Error)?.message ?? String(e)}`, [], { cause: e });
    switch (e.code) {
      case 'NotFound':
        return notFound(kind.resource, name);
      case 'AlreadyExists':
        return alreadyExists(kind.resource, name);
      case 'Conflict':
        return conflict(kind.resource, name, MODIFIED);
      case 'Compacted':
        return tooOld(`too old resource version: ${e.message}`);
      case 'Rejected':
        return new ApiError(Code.RESOURCE_EXHAUSTED, `the store refused the write: ${e.message}`, [], { cause: e });
      case 'Unavailable':
      case 'Closed':
        return new ApiError(Code.UNAVAILABLE, `the store is unavailable: ${e.message}`, [], { cause: e });
    }
  }

  private async read(kind: KindDefinition, namespace: string, name: string): Promise<{ stored: StoredValue; object: KubeObject }> {
    let stored: StoredValue | undefined;
    try {
      stored = await this.deps.storage.get(this.key(kind, namespace, name));
    } catch (e) {
      throw this.storeError(e, kind, name);
    }
    if (stored === undefined) throw notFound(kind.resource, name);
    return { stored, object: this.decode(kind, stored) };
  }

  /** One per write attempt: admission's side effects are undone unless the attempt commits. */
  private effects(): WriteEffectsRecorder {
    return new WriteEffectsRecorder(this.deps.onEffectError);
  }

  private encode(kind: KindDefinition, object: KubeObject): Uint8Array {
    const bytes = encodeStored(object);
    if (bytes.length > this.deps.maxObjectBytes) {
      throw new ApiError(Code.RESOURCE_EXHAUSTED, `${kind.kind} "${object.metadata.name ?? ''}" is too large: ${bytes.length} bytes of JSON, the limit is ${this.deps.maxObjectBytes}`);
    }
    return bytes;
  }

  /** Admission then validation; returns the object to write. */
  private async admitAndValidate(attrs: RequestAttributes, operation: Operation, kind: KindDefinition, object: KubeObject, old: KubeObject | undefined, effects: WriteEffectsRecorder): Promise<KubeObject> {
    const admitted = await admit(this.deps.admission, { attrs, operation, kind, object, oldObject: old, effects });
    return validateObject(kind, admitted, old);
  }

  /** The namespace and name of the request and of the body must agree; fills in what the body left out. */
  private address(attrs: RequestAttributes, kind: KindDefinition, object: KubeObject, needName: boolean): void {
    const meta = object.metadata;
    if (kind.namespaced) {
      const ns = meta.namespace ?? '';
      if (ns !== '' && attrs.namespace !== '' && ns !== attrs.namespace) {
        throw badRequest(`the namespace of the provided object (${ns}) does not match the namespace sent on the request (${attrs.namespace})`);
      }
      const effective = ns !== '' ? ns : attrs.namespace;
      if (effective === '') throw badRequest(`${kind.resource} are namespaced: a namespace is required (in the request or metadata.namespace)`);
      meta.namespace = effective;
    } else if ((meta.namespace ?? '') !== '') {
      throw badRequest(`${kind.resource} are cluster-scoped: metadata.namespace must be empty, got "${meta.namespace}"`);
    } else {
      delete meta.namespace;
    }
    if (needName) {
      const name = meta.name ?? '';
      if (name !== '' && attrs.name !== '' && name !== attrs.name) {
        throw badRequest(`the name of the object (${name}) does not match the name on the request (${attrs.name})`);
      }
      if (name === '') meta.name = attrs.name;
    }
  }

  // ---------------------------------------------------------------- create

  async create(attrs: RequestAttributes, kind: KindDefinition, body: KubeObject): Promise<KubeObject> {
    const input = clone(body);
    this.address({ ...attrs, name: '' }, kind, input, false);
    const meta = input.metadata;
    if ((meta.resourceVersion ?? '') !== '') throw badRequest('metadata.resourceVersion: Forbidden: resourceVersion should not be set on objects to be created');
    const generate = (meta.name ?? '') === '' && (meta.generateName ?? '') !== '';
    if ((meta.name ?? '') === '' && !generate) {
      throw invalid(kind.kind, undefined, [{ field: 'metadata.name', type: 'FieldValueRequired', detail: 'Required value: name or generateName is required' }]);
    }
    if (!generate) checkSegment('name', meta.name!);
    else checkSegment('name', meta.generateName!);
    if (kind.namespaced) checkSegment('namespace', meta.namespace!);
    for (let attempt = 1; ; attempt++) {
      const name = generate ? `${meta.generateName}${this.deps.random.suffix(GENERATE_SUFFIX_LENGTH)}` : meta.name!;
      const prepared = this.prepareForCreate(kind, input, name);
      const effects = this.effects();
      try {
        const object = await this.admitAndValidate(attrs, 'CREATE', kind, prepared, undefined, effects);
        const bytes = this.encode(kind, object);
        if (attrs.dryRun) return object;
        try {
          const stored = await this.deps.storage.create(this.key(kind, meta.namespace ?? '', name), this.sealed(kind, bytes));
          await effects.commit(false);
          return decodeStored(bytes, stored.modRevision);
        } catch (e) {
          if (generate && e instanceof StorageError && e.code === 'AlreadyExists' && attempt < MAX_GENERATE_ATTEMPTS) continue;
          throw this.storeError(e, kind, name);
        }
      } finally {
        await effects.abort();
      }
    }
  }

  private prepareForCreate(kind: KindDefinition, input: KubeObject, name: string): KubeObject {
    const o = clone(input);
    const { resourceVersion: _rv, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, ...meta } = o.metadata;
    o.metadata = { ...meta, name, uid: this.deps.random.uuid(), creationTimestamp: this.now(), generation: 1 };
    // The status subresource belongs to controllers and agents: a create starts it afresh
    // (nodes keep theirs: the agent registers a node with its capacity).
    if (kind.hasStatus && kind.resource !== 'nodes') delete o.status;
    if (kind.resource === 'pods') o.status = { phase: 'Pending' };
    if (kind.resource === 'namespaces') {
      const spec = (o.spec ?? {}) as { finalizers?: string[] };
      o.spec = { ...spec, finalizers: spec.finalizers ?? [FINALIZER_NAMESPACE] };
      o.status = { phase: 'Active' };
    }
    return o;
  }

  // ---------------------------------------------------------------- get, list

  async get(_attrs: RequestAttributes, kind: KindDefinition, namespace: string, name: string): Promise<KubeObject> {
    return (await this.read(kind, namespace, name)).object;
  }

  async list(attrs: RequestAttributes, kind: KindDefinition, opts: ListOptions): Promise<ListOutcome> {
    const prefix = listPrefix(kind.resource, attrs.namespace, kind.namespaced);
    const { filter, selects } = compileFilter(kind, opts.labelSelector, opts.fieldSelector);
    if (!Number.isSafeInteger(opts.limit) || opts.limit < 0) throw badRequest(`limit must be >= 0, got ${opts.limit}`);
    let revision: number;
    let start: string | undefined;
    if (opts.continueToken !== '') {
      if (opts.resourceVersion !== '' && opts.resourceVersion !== '0') throw badRequest('specifying resource_version is not allowed when using continue');
      const c = decodeContinue(opts.continueToken, prefix);
      revision = c.rv;
      start = c.start;
    } else {
      revision = parseResourceVersion(opts.resourceVersion, 'resource_version');
    }
    const items: KubeObject[] = [];
    let next = '';
    let remaining = 0;
    // Bounded: each round reads keys after the previous one, and stops when the store has no more.
    for (;;) {
      const want = opts.limit === 0 ? 0 : selects ? Math.max(FILTERED_CHUNK, opts.limit) : opts.limit - items.length;
      let r;
      try {
        r = await this.deps.storage.list(prefix, { limit: want, startKey: start, revision });
      } catch (e) {
        if (e instanceof StorageError && e.code === 'Compacted') {
          throw tooOld(opts.continueToken !== '' ? 'too old resource version, the continue token has expired; relist' : `too old resource version: ${revision} (${e.compactRevision})`);
        }
        // A revision the store has not reached (e.g. from a faster API server): retry, as Kubernetes' "Too large resource version".
        if (e instanceof StorageError && e.code === 'Rejected') throw new ApiError(Code.UNAVAILABLE, `too large resource version: ${revision} (${e.message}); retry`);
        throw this.storeError(e, kind, '');
      }
      if (revision === 0) revision = r.revision;
      let stoppedAt = -1;
      for (let i = 0; i < r.items.length; i++) {
        const sv = r.items[i]!;
        const o = this.decode(kind, sv);
        if (!filter(o)) continue;
        items.push(o);
        if (opts.limit > 0 && items.length === opts.limit) {
          stoppedAt = i;
          break;
        }
      }
      if (stoppedAt >= 0) {
        const more = stoppedAt < r.items.length - 1 || r.more;
        if (more) {
          next = r.items[stoppedAt]!.key + '\0';
          remaining = selects ? 0 : r.remaining + (r.items.length - 1 - stoppedAt);
        }
        break;
      }
      if (!r.more || r.items.length === 0) break;
      start = r.items[r.items.length - 1]!.key + '\0';
    }
    return { items, resourceVersion: revision, continueToken: next === '' ? '' : encodeContinue({ rv: revision, start: next }), remaining };
  }

  // ---------------------------------------------------------------- update, patch

  async update(attrs: RequestAttributes, kind: KindDefinition, body: KubeObject): Promise<KubeObject> {
    const input = clone(body);
    this.address(attrs, kind, input, true);
    const pinned = input.metadata.resourceVersion ?? '';
    return this.guaranteedUpdate(attrs, kind, pinned, () => input);
  }

  async patch(attrs: RequestAttributes, kind: KindDefinition, patchBytes: Uint8Array): Promise<KubeObject> {
    const patch = parseJson(patchBytes, 'the patch');
    const pm = patch.metadata as { resourceVersion?: unknown } | undefined | null;
    const pinned = pm !== null && typeof pm === 'object' && typeof pm.resourceVersion === 'string' ? pm.resourceVersion : '';
    return this.guaranteedUpdate(attrs, kind, pinned, (old) => {
      const patched = mergePatch(old, patch) as KubeObject;
      if (typeof patched.metadata !== 'object' || patched.metadata === null || Array.isArray(patched.metadata)) throw badRequest('the patch leaves metadata that is not an object');
      if (patched.kind !== kind.kind || patched.apiVersion !== kind.apiVersion) throw badRequest(`the patch changes kind or apiVersion of ${kind.resource} "${attrs.name}"`);
      if (patched.metadata.name !== old.metadata.name) throw badRequest(`the patch changes metadata.name of ${kind.resource} "${attrs.name}"`);
      if (patched.metadata.namespace !== old.metadata.namespace) throw badRequest(`the patch changes metadata.namespace of ${kind.resource} "${attrs.name}"`);
      return patched;
    });
  }

  /**
   * Read, change, compare-and-swap; retried (bounded) on conflict unless the caller pinned a
   * resourceVersion. `change` gets the stored object and returns the requested new one.
   */
  private async guaranteedUpdate(attrs: RequestAttributes, kind: KindDefinition, pinned: string, change: (old: KubeObject) => KubeObject): Promise<KubeObject> {
    checkSubresource(kind, attrs.subresource, ['', 'status', 'finalize', 'approval']);
    for (let attempt = 1; ; attempt++) {
      const { stored, object: old } = await this.read(kind, attrs.namespace, attrs.name);
      if (pinned !== '' && pinned !== old.metadata.resourceVersion) throw conflict(kind.resource, attrs.name, MODIFIED);
      const requested = change(clone(old));
      const next = this.prepareForUpdate(kind, attrs.subresource, requested, old);
      const effects = this.effects();
      try {
        const object = await this.admitAndValidate(attrs, 'UPDATE', kind, next, old, effects);
        if (deepEqual(object, old)) return old; // nothing changed: no write, same resourceVersion
        const key = this.key(kind, attrs.namespace, attrs.name);
        const remove = shouldDeleteDuringUpdate(kind.resource, object, old);
        const bytes = this.encode(kind, object);
        if (attrs.dryRun) return object;
        try {
          if (remove) {
            const { revision } = await this.deps.storage.delete(key, stored.modRevision);
            await effects.commit(true);
            return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
          }
          const written = await this.deps.storage.update(key, this.sealed(kind, bytes), stored.modRevision);
          await effects.commit(false);
          return decodeStored(bytes, written.modRevision);
        } catch (e) {
          const retry = e instanceof StorageError && e.code === 'Conflict';
          if (retry && pinned === '' && attempt < MAX_ATTEMPTS) continue;
          throw this.storeError(e, kind, attrs.name);
        }
      } finally {
        await effects.abort();
      }
    }
  }

  /** The object to write for an update of the main resource, its status, or (namespaces) its finalizers. */
  private prepareForUpdate(kind: KindDefinition, subresource: string, requested: KubeObject, old: KubeObject): KubeObject {
    const rm = requested.metadata;
    const om = old.metadata;
    if ((rm.uid ?? '') !== '' && rm.uid !== om.uid) {
      throw conflict(kind.resource, om.name ?? '', `Precondition failed: UID in precondition: ${rm.uid}, UID in object meta: ${om.uid}`);
    }
    let next: KubeObject;
    if (subresource === 'status') {
      next = { ...old, status: requested.status };
      if (requested.status === undefined) delete next.status;
      return next;
    }
    if (subresource === 'approval') {
      // certificatesigningrequests/approval: only status.conditions changes (Approved/Denied).
      const conditions = (requested.status as { conditions?: unknown } | undefined)?.conditions;
      return { ...old, status: { ...(old.status as object | undefined), conditions } };
    }
    if (subresource === 'finalize') {
      const finalizers = (requested.spec as { finalizers?: unknown } | undefined)?.finalizers;
      return { ...old, spec: { ...(old.spec as object), finalizers } };
    }
    next = { ...requested };
    if (kind.hasStatus) {
      if (old.status === undefined) delete next.status;
      else next.status = old.status;
    }
    if (kind.resource === 'namespaces') {
      // spec.finalizers changes only through the finalize subresource (the namespace controller).
      const finalizers = (old.spec as { finalizers?: unknown } | undefined)?.finalizers;
      next.spec = { ...((next.spec as object | undefined) ?? {}), finalizers };
    }
    const errors: FieldError[] = [];
    if (om.deletionTimestamp !== undefined) {
      const added = (rm.finalizers ?? []).filter((f) => !(om.finalizers ?? []).includes(f));
      if (added.length > 0) errors.push({ field: 'metadata.finalizers', type: 'FieldValueForbidden', detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` });
    }
    if (errors.length > 0) throw invalid(kind.kind, om.name, errors);
    const meta: ObjectMeta = {
      ...rm,
      name: om.name,
      namespace: om.namespace,
      uid: om.uid,
      creationTimestamp: om.creationTimestamp,
      deletionTimestamp: om.deletionTimestamp,
      deletionGracePeriodSeconds: om.deletionGracePeriodSeconds,
      resourceVersion: om.resourceVersion,
      generation: deepEqual(next.spec, old.spec) ? om.generation : (om.generation ?? 0) + 1,
    };
    if (om.namespace === undefined) delete meta.namespace;
    if (om.deletionTimestamp === undefined) {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    next.metadata = meta;
    return next;
  }

  // ---------------------------------------------------------------- delete

  async delete(attrs: RequestAttributes, kind: KindDefinition, opts: DeleteOptions): Promise<KubeObject> {
    checkSubresource(kind, attrs.subresource, ['']);
    for (let attempt = 1; ; attempt++) {
      const { stored, object: old } = await this.read(kind, attrs.namespace, attrs.name);
      if (opts.preconditionUid !== '' && opts.preconditionUid !== old.metadata.uid) {
        throw conflict(kind.resource, attrs.name, `Precondition failed: UID in precondition: ${opts.preconditionUid}, UID in object meta: ${old.metadata.uid}`);
      }
      if (opts.preconditionResourceVersion !== '' && opts.preconditionResourceVersion !== old.metadata.resourceVersion) {
        throw conflict(kind.resource, attrs.name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditionResourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
      }
      const effects = this.effects();
      try {
        await admit(this.deps.admission, { attrs, operation: 'DELETE', kind, object: old, oldObject: old, effects });
        const outcome = decideDelete(kind.resource, old, { grace: opts.gracePeriodSeconds, policy: opts.propagationPolicy, now: this.deps.clock.now() });
        if (outcome.action === 'none' || attrs.dryRun) return outcome.action === 'mark' ? outcome.object : old;
        const key = this.key(kind, attrs.namespace, attrs.name);
        try {
          if (outcome.action === 'delete') {
            await this.deps.storage.delete(key, stored.modRevision);
            await effects.commit(true);
            return old;
          }
          const bytes = this.encode(kind, outcome.object);
          const written = await this.deps.storage.update(key, this.sealed(kind, bytes), stored.modRevision);
          await effects.commit(false);
          return decodeStored(bytes, written.modRevision);
        } catch (e) {
          if (e instanceof StorageError && e.code === 'Conflict' && attempt < MAX_ATTEMPTS) continue;
          throw this.storeError(e, kind, attrs.name);
        }
      } finally {
        await effects.abort();
      }
    }
  }

  // ---------------------------------------------------------------- pods/binding

  /** Binds a pod to a node once (spec.nodeName) and records the PodScheduled condition. */
  async bind(attrs: RequestAttributes, kind: KindDefinition, bodyBytes: Uint8Array): Promise<KubeObject> {
    checkSubresource(kind, 'binding', kind.resource === 'pods' ? ['binding'] : []);
    const body = parseJson(bodyBytes, 'the binding');
    if (body.kind === undefined) body.kind = 'Binding';
    if (body.apiVersion === undefined) body.apiVersion = 'v1';
    if (body.kind !== 'Binding') throw badRequest(`the body of pods/binding must be a Binding, got kind ${JSON.stringify(body.kind)}`);
    const bm = (body.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const podName = typeof bm.name === 'string' && bm.name !== '' ? bm.name : attrs.name;
    if (attrs.name !== '' && podName !== attrs.name) throw badRequest(`the name of the binding (${podName}) does not match the pod name on the request (${attrs.name})`);
    if (typeof bm.namespace === 'string' && bm.namespace !== '' && bm.namespace !== attrs.namespace) {
      throw badRequest(`the namespace of the binding (${bm.namespace}) does not match the namespace sent on the request (${attrs.namespace})`);
    }
    const checked = bindingKind.validate({ ...body, metadata: { ...(body.metadata as object), name: podName, namespace: attrs.namespace } });
    if (!checked.ok) throw invalid('Binding', podName, checked.errors);
    const node = (checked.object as { target: { name: string } }).target.name;
    const bindAttrs = { ...attrs, name: podName };
    for (let attempt = 1; ; attempt++) {
      const { stored, object: pod } = await this.read(kind, attrs.namespace, podName);
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata.deletionTimestamp !== undefined) throw conflict('pods/binding', podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
      if ((spec.nodeName ?? '') !== '') throw conflict('pods/binding', podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`);
      const status = (pod.status ?? {}) as { conditions?: { type: string }[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: this.now() } as { type: string });
      const next: KubeObject = { ...pod, spec: { ...spec, nodeName: node }, status: { ...status, conditions } };
      // The pod's own schema still holds; its update rules do not (spec.nodeName is set only here).
      const object = validateObject(kind, await admit(this.deps.admission, { attrs: bindAttrs, operation: 'CREATE', kind, object: next, oldObject: pod }), undefined);
      const bytes = this.encode(kind, object);
      if (attrs.dryRun) return object;
      try {
        const written = await this.deps.storage.update(this.key(kind, attrs.namespace, podName), this.sealed(kind, bytes), stored.modRevision);
        return decodeStored(bytes, written.modRevision);
      } catch (e) {
        if (e instanceof StorageError && e.code === 'Conflict' && attempt < MAX_ATTEMPTS) continue;
        throw this.storeError(e, kind, podName);
      }
    }
  }

  // ---------------------------------------------------------------- pods/eviction

  /**
   * Evicts a pod: a delete honouring its grace period (or the eviction's deleteOptions), as
   * Kubernetes' Eviction API does. Returns the pod as the delete left it (marked, or gone).
   */
  async evict(attrs: RequestAttributes, kind: KindDefinition, bodyBytes: Uint8Array): Promise<KubeObject> {
    checkSubresource(kind, 'eviction', kind.resource === 'pods' ? ['eviction'] : []);
    const { podName, gracePeriodSeconds } = parseEviction(attrs, bodyBytes);
    return this.delete({ ...attrs, name: podName, subresource: '' }, kind, { gracePeriodSeconds, preconditionUid: '', preconditionResourceVersion: '', propagationPolicy: 'Background' });
  }
}

/** "" or "0" = the latest; otherwise a positive revision. */
export function parseResourceVersion(raw: string, field: string): number {
  if (raw === '' || raw === '0') return 0;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw badRequest(`${field}: Invalid value: "${raw}": must be a resource version (a decimal revision) or empty`);
  return Number(raw);
}

/** A subresource this kind does not have → NOT_FOUND, as Kubernetes answers. */
export function checkSubresource(kind: KindDefinition, subresource: string, allowed: readonly string[]): void {
  const has = subresource === '' || (subresource === 'status' && kind.hasStatus) || (subresource === 'finalize' && kind.resource === 'namespaces') || ((subresource === 'binding' || subresource === 'eviction') && kind.resource === 'pods') || (subresource === 'approval' && kind.resource === 'certificatesigningrequests');
  if (!allowed.includes(subresource) || !has) {
    throw new ApiError(Code.NOT_FOUND, `the server could not find the requested resource: ${kind.resource} has no subresource "${subresource}" for this verb`);
  }
}
