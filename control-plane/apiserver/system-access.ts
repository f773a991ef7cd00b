// The API server's own reads and writes (repair events, the kubernetes Service and its
// Endpoints, API server leases): through the registry as system:apiserver, so admission and
// validation apply to them as to anyone's.
import type { KindDefinition, KubeObject } from '../../api/kind.js';
import { ApiError, Code } from './errors.js';
import type { KindLookup } from './kinds.js';
import type { Registry } from './registry/registry.js';
import type { RequestAttributes, Verb } from './request.js';

export const SYSTEM_USER = { name: 'system:apiserver', groups: ['system:masters'] } as const;

export class SystemAccess {
  constructor(
    private readonly registry: Registry,
    private readonly kinds: KindLookup,
  ) {}

  kind(resource: string): KindDefinition {
    const k = this.kinds.byResource(resource);
    if (k === undefined) throw new ApiError(Code.INTERNAL, `the server does not serve ${resource}`);
    return k;
  }

  private attrs(verb: Verb, kind: KindDefinition, namespace: string, name = ''): RequestAttributes {
    return { user: SYSTEM_USER, verb, apiGroup: kind.group, resource: kind.resource, subresource: '', namespace: kind.namespaced ? namespace : '', name, dryRun: false, labelSelector: '', fieldSelector: '' };
  }

  /** undefined when absent. */
  async get(resource: string, namespace: string, name: string): Promise<KubeObject | undefined> {
    const kind = this.kind(resource);
    try {
      return await this.registry.get(this.attrs('get', kind, namespace, name), kind, namespace, name);
    } catch (e) {
      if (e instanceof ApiError && e.code === Code.NOT_FOUND) return undefined;
      throw e;
    }
  }

  /** namespace "" = all namespaces. */
  async list(resource: string, namespace = ''): Promise<KubeObject[]> {
    const kind = this.kind(resource);
    const r = await this.registry.list(this.attrs('list', kind, namespace), kind, { labelSelector: '', fieldSelector: '', limit: 0, continueToken: '', resourceVersion: '' });
    return r.items;
  }

  create(resource: string, object: KubeObject): Promise<KubeObject> {
    const kind = this.kind(resource);
    return this.registry.create(this.attrs('create', kind, object.metadata.namespace ?? ''), kind, object);
  }

  /** A compare-and-swap on object.metadata.resourceVersion. */
  update(resource: string, object: KubeObject): Promise<KubeObject> {
    const kind = this.kind(resource);
    return this.registry.update(this.attrs('update', kind, object.metadata.namespace ?? '', object.metadata.name ?? ''), kind, object);
  }

  /** Deletes unless already gone; resourceVersion (if given) must still match. */
  async delete(resource: string, namespace: string, name: string, resourceVersion = ''): Promise<void> {
    const kind = this.kind(resource);
    try {
      await this.registry.delete(this.attrs('delete', kind, namespace, name), kind, { gracePeriodSeconds: 0, preconditionUid: '', preconditionResourceVersion: resourceVersion, propagationPolicy: 'Background' });
    } catch (e) {
      if (e instanceof ApiError && e.code === Code.NOT_FOUND) return;
      throw e;
    }
  }

  /** A Warning event about an object, as a controller would record it. */
  async warn(component: string, involved: KubeObject, reason: string, message: string, now: string): Promise<void> {
    const ns = involved.metadata.namespace ?? 'default';
    await this.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${involved.metadata.name ?? 'object'}.`, namespace: ns },
      involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, namespace: ns, name: involved.metadata.name, uid: involved.metadata.uid, resourceVersion: involved.metadata.resourceVersion },
      reason,
      message,
      type: 'Warning',
      source: { component },
      reportingComponent: component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  }
}
