// The loop around planReplicas for ReplicaSets and ReplicationControllers (one class, a kind
// adapter each): pods and owners feed the queue; a sync applies the plan with expectations so a
// lagging cache never doubles creations or deletions.
import type { KubeObject } from '../../../api/kind.js';
import type { Pod, PodTemplateSpec, ReplicaSet, ReplicationController } from '../../../api/index.js';
import { labelSelectorFromMap, labelSelectorFromObject } from '../../../api/index.js';
import { isNotFound, objectKey } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import { Expectations } from '../shared/expectations.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { controllerRef, withControllerRef, withoutOwnerRef } from '../shared/owner-refs.js';
import { planReplicas, podFromTemplate, slowStartBatches } from './reconcile.js';
import type { ReplicaStatusCounts } from './reconcile.js';

export interface ReplicaKind<T extends KubeObject> {
  readonly resource: string;
  readonly kind: string;
  readonly matches: (owner: T) => (labels: Readonly<Record<string, string>> | undefined) => boolean;
  readonly replicas: (owner: T) => number;
  readonly minReadySeconds: (owner: T) => number;
  readonly template: (owner: T) => PodTemplateSpec;
}

export const replicaSetKindAdapter: ReplicaKind<ReplicaSet> = {
  resource: 'replicasets',
  kind: 'ReplicaSet',
  matches: (rs) => {
    const sel = labelSelectorFromObject(rs.spec.selector);
    return (labels) => sel.matches(labels);
  },
  replicas: (rs) => rs.spec.replicas,
  minReadySeconds: (rs) => rs.spec.minReadySeconds,
  template: (rs) => rs.spec.template,
};

export const replicationControllerKindAdapter: ReplicaKind<ReplicationController> = {
  resource: 'replicationcontrollers',
  kind: 'ReplicationController',
  matches: (rc) => {
    const map = rc.spec.selector ?? rc.spec.template.metadata?.labels ?? {};
    // An empty selector would match every pod; the API server defaults it, but never trust that.
    if (Object.keys(map).length === 0) return () => false;
    const sel = labelSelectorFromMap(map);
    return (labels) => sel.matches(labels);
  },
  replicas: (rc) => rc.spec.replicas ?? 1,
  minReadySeconds: (rc) => rc.spec.minReadySeconds ?? 0,
  template: (rc) => rc.spec.template,
};

export interface ReplicaSetControllerDeps extends ControllerDeps {
  readonly client: ShoalClient;
  readonly informers: InformerFactory;
  readonly events: EventSink;
}

export class ReplicaSetController<T extends KubeObject = ReplicaSet> extends Controller {
  readonly expectations: Expectations;
  private readonly owners: Informer<T>;
  private readonly pods: Informer<Pod>;

  constructor(private readonly adapter: ReplicaKind<T>, private readonly d: ReplicaSetControllerDeps) {
    super(adapter.resource === 'replicasets' ? 'replicaset' : 'replicationcontroller', d);
    this.expectations = new Expectations(d.clock);
    this.owners = d.informers.get<T>(adapter.resource);
    this.pods = d.informers.get<Pod>('pods');
    this.enqueueAll(this.owners);
    this.pods.addHandlers({
      onAdd: (p) => {
        const owner = this.ownerKey(p);
        if (owner !== undefined) {
          this.expectations.creationObserved(owner);
          this.queue.add(owner);
        } else this.enqueueMatching(p);
      },
      onUpdate: (old, p) => {
        if (old === p) return; // resync: the owners' own resync covers it
        if (p.metadata.deletionTimestamp !== undefined && old.metadata.deletionTimestamp === undefined) {
          const owner = this.ownerKey(p);
          if (owner !== undefined) this.expectations.deletionObserved(owner, objectKey(p));
        }
        const oldOwner = this.ownerKey(old);
        const owner = this.ownerKey(p);
        if (oldOwner !== undefined && oldOwner !== owner) this.queue.add(oldOwner);
        if (owner !== undefined) this.queue.add(owner);
        else this.enqueueMatching(p);
        if (owner === undefined || JSON.stringify(old.metadata.labels) !== JSON.stringify(p.metadata.labels)) this.enqueueMatching(old);
      },
      onDelete: (p) => {
        const owner = this.ownerKey(p);
        if (owner === undefined) return;
        this.expectations.deletionObserved(owner, objectKey(p));
        this.queue.add(owner);
      },
    });
  }

  /** The cache key of the pod's controller when it is one of ours. */
  private ownerKey(p: Pod): string | undefined {
    const ref = controllerRef(p);
    if (ref === undefined || ref.kind !== this.adapter.kind) return undefined;
    const owner = this.owners.cache.getByName(p.metadata.namespace, ref.name);
    if (owner === undefined || owner.metadata.uid !== ref.uid) return undefined;
    return objectKey(owner);
  }

  /** Orphans: every owner in the namespace whose selector matches may adopt it. */
  private enqueueMatching(p: Pod): void {
    if (controllerRef(p) !== undefined) return;
    for (const o of this.owners.cache.byIndex('namespace', p.metadata.namespace ?? '')) {
      if (this.adapter.matches(o)(p.metadata.labels)) this.queue.add(objectKey(o));
    }
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const owner = this.owners.cache.get(key);
    if (owner === undefined) {
      this.expectations.delete(key);
      return;
    }
    const [ns] = splitKey(key);
    const a = this.adapter;
    const matches = a.matches(owner);
    const satisfied = this.expectations.satisfied(key);
    const plan = planReplicas({
      owner,
      replicas: a.replicas(owner),
      minReadySeconds: a.minReadySeconds(owner),
      matches: (p) => matches(p.metadata.labels),
      pods: this.pods.cache.byIndex('namespace', ns),
      nowMs: this.clock.now(),
      expectationsSatisfied: satisfied,
    });
    const pods = this.d.client.resource<Pod>('pods', ns);
    const errors: unknown[] = [];
    // Adopt/release are compare-and-swap updates of the cached pod: a Conflict retries the key.
    for (const p of plan.adopt) await ignoreNotFound(pods.update(withControllerRef(p, owner))).catch((e: unknown) => errors.push(e));
    for (const p of plan.release) await ignoreNotFound(pods.update(withoutOwnerRef(p, owner.metadata.uid ?? ''))).catch((e: unknown) => errors.push(e));

    if (plan.create > 0) {
      this.expectations.expect(key, plan.create);
      let left = plan.create;
      for (const batch of slowStartBatches(plan.create)) {
        const results = await Promise.allSettled(Array.from({ length: batch }, () => pods.create(podFromTemplate(owner, a.template(owner)))));
        left -= batch;
        let failed = 0;
        for (const r of results) {
          if (r.status === 'fulfilled') this.d.events.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata.name ?? ''}`);
          else {
            failed++;
            errors.push(r.reason);
            this.d.events.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(r.reason)}`);
          }
        }
        if (failed > 0) {
          // The failed ones and the batches never tried will not show up in the cache.
          this.expectations.creationSkipped(key, failed + left);
          break;
        }
      }
    } else if (plan.delete.length > 0) {
      this.expectations.expect(key, 0, plan.delete.map((p) => objectKey(p)));
      await Promise.all(
        plan.delete.map(async (p) => {
          try {
            await pods.delete(p.metadata.name ?? '', { preconditions: { uid: p.metadata.uid ?? '' } });
            this.d.events.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
          } catch (e) {
            this.expectations.deletionObserved(key, objectKey(p));
            if (!isNotFound(e)) {
              errors.push(e);
              this.d.events.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
            }
          }
        }),
      );
    }

    await this.updateStatus(owner, plan.status);
    if (errors.length > 0) throw errors[0];
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  private async updateStatus(owner: T, counts: ReplicaStatusCounts): Promise<void> {
    const current = (owner as { status?: Record<string, unknown> }).status ?? {};
    const next: Record<string, number> = { ...counts, observedGeneration: owner.metadata.generation ?? 0 };
    if (Object.entries(next).every(([k, v]) => (current[k] ?? 0) === v)) return;
    await ignoreNotFound(this.d.client.resource<T>(this.adapter.resource, owner.metadata.namespace).patchStatus(owner.metadata.name ?? '', { status: next }));
  }
}

export async function ignoreNotFound<R>(p: Promise<R>): Promise<R | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
