// Cascading deletion by ownerReferences, for the resources it watches:
// - background: a dependent whose owners are all gone is deleted (an owner missing from the
//   cache is confirmed gone with a live read first, so a lagging cache never kills anything);
// - orphan: an owner being deleted with the "orphan" finalizer has its references removed from
//   every dependent, then the finalizer, and the API server deletes it;
// - foreground: an owner with "foregroundDeletion" first has its dependents deleted (foreground
//   too); when none is left the finalizer goes.
import type { KubeObject, OwnerReference } from '../../../api/kind.js';
import { registry } from '../../../api/index.js';
import { isNotFound } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import { ownerUidIndex } from '../shared/informer-factory.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { withoutOwnerRef } from '../shared/owner-refs.js';
import { ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, decideDependent, pendingFinalizer, withoutFinalizer } from './plan.js';
import type { OwnerState } from './plan.js';

export const GC_RESOURCES = [
  'pods', 'replicasets', 'replicationcontrollers', 'deployments', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs',
  'services', 'endpoints', 'configmaps', 'secrets', 'serviceaccounts',
] as const;

export interface GarbageCollectorDeps extends ControllerDeps {
  readonly client: ShoalClient;
  readonly informers: InformerFactory;
  readonly events: EventSink;
  readonly resources?: readonly string[];
  /** How soon to look again at an owner waiting for its dependents (default 500 ms). */
  readonly recheckMs?: number;
}

const SEP = '|';

export class GarbageCollector extends Controller {
  private readonly informers = new Map<string, Informer<KubeObject>>();

  constructor(private readonly d: GarbageCollectorDeps) {
    super('garbage-collector', d);
    for (const resource of d.resources ?? GC_RESOURCES) {
      const inf = d.informers.get<KubeObject>(resource);
      this.informers.set(resource, inf);
      const key = (o: KubeObject): string => `${resource}${SEP}${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
      const check = (o: KubeObject): void => {
        if ((o.metadata.ownerReferences ?? []).length > 0 || pendingFinalizer(o) !== undefined) this.queue.add(key(o));
      };
      inf.addHandlers({
        onAdd: check,
        onUpdate: (_old, o) => check(o),
        onDelete: (o) => {
          for (const dep of this.dependents(o.metadata.uid ?? '')) this.queue.add(dep.key);
          // An owner waiting (foreground) for this dependent may now be done.
          for (const r of o.metadata.ownerReferences ?? []) {
            const owner = this.findOwner(o, r);
            if (owner !== undefined) this.queue.add(owner.key);
          }
        },
      });
    }
  }

  private dependents(uid: string): { key: string; object: KubeObject; resource: string }[] {
    if (uid === '') return [];
    const out: { key: string; object: KubeObject; resource: string }[] = [];
    for (const [resource, inf] of this.informers) {
      for (const o of inf.cache.byIndex(ownerUidIndex, uid)) out.push({ key: `${resource}${SEP}${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`, object: o, resource });
    }
    return out;
  }

  private ownerResource(r: OwnerReference): { resource: string; namespaced: boolean } | undefined {
    const k = registry.byKind(r.apiVersion, r.kind);
    return k === undefined ? undefined : { resource: k.resource, namespaced: k.namespaced };
  }

  private findOwner(dependent: KubeObject, r: OwnerReference): { key: string; object: KubeObject } | undefined {
    const kr = this.ownerResource(r);
    if (kr === undefined) return undefined;
    const ns = kr.namespaced ? (dependent.metadata.namespace ?? '') : '';
    const o = this.informers.get(kr.resource)?.cache.getByName(ns, r.name);
    return o !== undefined && o.metadata.uid === r.uid ? { key: `${kr.resource}${SEP}${ns}/${r.name}`, object: o } : undefined;
  }

  private async ownerState(dependent: KubeObject, r: OwnerReference): Promise<OwnerState> {
    if (this.findOwner(dependent, r) !== undefined) return 'present';
    const kr = this.ownerResource(r);
    if (kr === undefined) return 'unknown';
    const ns = kr.namespaced ? (dependent.metadata.namespace ?? '') : '';
    try {
      const live = await this.d.client.resource<KubeObject>(kr.resource, ns).get(r.name);
      return live.metadata.uid === r.uid ? 'present' : 'absent';
    } catch (e) {
      if (isNotFound(e)) return 'absent';
      throw e;
    }
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const i = key.indexOf(SEP);
    const resource = key.slice(0, i);
    const objKey = key.slice(i + 1);
    const inf = this.informers.get(resource);
    const o = inf?.cache.get(objKey.startsWith('/') ? objKey.slice(1) : objKey);
    if (o === undefined) return;
    const client = this.d.client.resource<KubeObject>(resource, o.metadata.namespace ?? '');

    const fin = pendingFinalizer(o);
    if (fin === FINALIZER_ORPHAN) {
      for (const dep of this.dependents(o.metadata.uid ?? '')) {
        await ignoreNotFound(this.d.client.resource<KubeObject>(dep.resource, dep.object.metadata.namespace ?? '').update(withoutOwnerRef(dep.object, o.metadata.uid ?? '')));
      }
      await ignoreNotFound(client.update(withoutFinalizer(o, FINALIZER_ORPHAN)));
      return;
    }
    if (fin === FINALIZER_FOREGROUND) {
      const deps = this.dependents(o.metadata.uid ?? '');
      for (const dep of deps) {
        if (dep.object.metadata.deletionTimestamp !== undefined) continue;
        await ignoreNotFound(this.d.client.resource<KubeObject>(dep.resource, dep.object.metadata.namespace ?? '').delete(dep.object.metadata.name ?? '', { propagationPolicy: 'Foreground' }));
      }
      if (deps.length > 0) return { requeueAfterMs: this.d.recheckMs ?? 500 };
      await ignoreNotFound(client.update(withoutFinalizer(o, FINALIZER_FOREGROUND)));
      return;
    }

    const refs = o.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const states = new Map<string, OwnerState>();
    for (const r of refs) states.set(r.uid, await this.ownerState(o, r));
    const decision = decideDependent(refs, (r) => states.get(r.uid) ?? 'unknown');
    switch (decision.action) {
      case 'keep':
        return;
      case 'delete':
        if (o.metadata.deletionTimestamp !== undefined) return;
        this.log.debug({ key }, 'owners gone; deleting dependent');
        await ignoreNotFound(client.delete(o.metadata.name ?? '', { preconditions: { uid: o.metadata.uid ?? '' }, propagationPolicy: 'Background' }));
        return;
      case 'dropRefs': {
        let next = o;
        for (const uid of decision.uids) next = withoutOwnerRef(next, uid);
        await ignoreNotFound(client.update(next));
        return;
      }
    }
  }
}
