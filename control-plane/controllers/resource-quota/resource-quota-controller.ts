// Keeps every ResourceQuota's status (hard = spec.hard, used = what the namespace's objects cost)
// true to what exists. Admission charges used before an object is written (apiserver
// admission/resource-quota.ts); this loop is what lowers it again after a delete, a pod turning
// Succeeded/Failed, or a write that failed after it was charged. Level-triggered: a change of any
// counted resource in a namespace re-syncs that namespace's quotas, and the informer resync
// re-syncs all of them.
//
// The count is a live list of the namespace (not the informer caches, which may lag behind a
// create this very quota just admitted), written with a compare-and-swap on the quota's
// resourceVersion: an admission that charged the quota after it was read makes the write fail
// and the sync run again. Left open, as in Kubernetes: an object charged and not yet written when
// the list was read is not counted until the next sync.
import type { KubeObject, ResourceQuota } from '../../../api/index.js';
import { formatQuantity, groupOf, resourceOfQuotaKey, sumUsage } from '../../../api/index.js';
import { isNotFound, namespaceIndex, objectKey } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { canonicalJson } from '../../../workloads/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps } from '../shared/controller.js';
import type { InformerFactory } from '../shared/informer-factory.js';

/** Resources whose changes re-sync the quotas of their namespace. */
export const QUOTA_TRIGGER_RESOURCES = ['pods', 'services', 'configmaps', 'secrets', 'replicationcontrollers'] as const;

export interface ResourceQuotaControllerDeps extends ControllerDeps {
  readonly client: ShoalClient;
  readonly informers: InformerFactory;
}

export class ResourceQuotaController extends Controller {
  private readonly quotas: Informer<ResourceQuota>;

  constructor(private readonly d: ResourceQuotaControllerDeps) {
    super('resourcequota', d);
    this.quotas = d.informers.get<ResourceQuota>('resourcequotas');
    this.enqueueAll(this.quotas);
    const onObject = (o: KubeObject): void => {
      for (const q of this.quotas.cache.byIndex(namespaceIndex, o.metadata.namespace ?? '')) this.queue.add(objectKey(q));
    };
    for (const r of QUOTA_TRIGGER_RESOURCES) {
      d.informers.get<KubeObject>(r).addHandlers({ onAdd: onObject, onUpdate: (_old, o) => onObject(o), onDelete: onObject });
    }
  }

  protected async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const client = this.d.client.resource<ResourceQuota>('resourcequotas', ns);
    let quota: ResourceQuota;
    try {
      quota = await client.get(name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const hard = quota.spec.hard ?? {};
    const keys = Object.keys(hard);
    const objects = await this.countedObjects(ns, keys);
    const total = sumUsage(keys, quota.spec.scopes ?? [], objects);
    const used = Object.fromEntries([...total].map(([k, v]) => [k, formatQuantity(v, hard[k] ?? '')]));
    if (canonicalJson(quota.status?.hard ?? {}) === canonicalJson(hard) && canonicalJson(quota.status?.used ?? {}) === canonicalJson(used)) return;
    // quota carries the resourceVersion it was read at: a charge since then makes this a conflict (retried).
    await client.updateStatus({ ...quota, status: { ...(quota.status ?? {}), hard, used } });
    this.log.debug({ quota: key, used }, 'quota usage recounted');
  }

  /** The namespace's objects of every resource the quota's keys count, read live. */
  private async countedObjects(ns: string, keys: readonly string[]): Promise<{ resource: string; group: string; object: KubeObject }[]> {
    const wanted = new Map<string, string>();
    for (const k of keys) {
      const r = resourceOfQuotaKey(k);
      if (r !== undefined) wanted.set(r.resource, r.group);
    }
    const out: { resource: string; group: string; object: KubeObject }[] = [];
    for (const [resource, group] of wanted) {
      let items: KubeObject[];
      try {
        items = (await this.d.client.resource<KubeObject>(resource, ns).listAll()).items;
      } catch (e) {
        if (isNotFound(e)) continue; // a resource this server does not serve counts 0
        throw e;
      }
      for (const object of items) if (object.apiVersion === undefined || groupOf(object.apiVersion) === group) out.push({ resource, group, object });
    }
    return out;
  }
}
