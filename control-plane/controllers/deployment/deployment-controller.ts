// The loop around planDeployment: Deployments, their ReplicaSets and (for Recreate) pods feed
// the queue; a sync claims ReplicaSets, applies the plan's actions and writes status.
import type { Deployment, Pod, ReplicaSet } from '../../../api/index.js';
import { labelSelectorFromObject } from '../../../api/index.js';
import { isAlreadyExists, objectKey } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { claim, controllerRef, withControllerRef, withoutOwnerRef } from '../shared/owner-refs.js';
import { isPodActive } from '../shared/pod-state.js';
import { ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { planDeployment } from './reconcile.js';
import type { DeploymentAction } from './reconcile.js';
import { REVISION_ANNOTATION, canonicalJson, templatesEqual } from '../../../workloads/index.js';

export interface DeploymentControllerDeps extends ControllerDeps {
  readonly client: ShoalClient;
  readonly informers: InformerFactory;
  readonly events: EventSink;
}

export class DeploymentController extends Controller {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;

  constructor(private readonly d: DeploymentControllerDeps) {
    super('deployment', d);
    this.deployments = d.informers.get<Deployment>('deployments');
    this.replicaSets = d.informers.get<ReplicaSet>('replicasets');
    this.pods = d.informers.get<Pod>('pods');
    this.enqueueAll(this.deployments);
    const onRS = (rs: ReplicaSet): void => {
      const owner = this.ownerOf(rs);
      if (owner !== undefined) this.queue.add(owner);
      else if (controllerRef(rs) === undefined) {
        for (const dep of this.deployments.cache.byIndex('namespace', rs.metadata.namespace ?? '')) {
          if (labelSelectorFromObject(dep.spec.selector).matches(rs.metadata.labels)) this.queue.add(objectKey(dep));
        }
      }
    };
    this.replicaSets.addHandlers({ onAdd: onRS, onUpdate: (old, rs) => (old === rs ? undefined : onRS(rs)), onDelete: onRS });
    // Recreate waits for old pods to be gone.
    this.pods.addHandlers({
      onDelete: (p) => {
        const ref = controllerRef(p);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = this.replicaSets.cache.getByName(p.metadata.namespace, ref.name);
        const owner = rs === undefined ? undefined : this.ownerOf(rs);
        if (owner !== undefined) this.queue.add(owner);
      },
    });
  }

  private ownerOf(rs: ReplicaSet): string | undefined {
    const ref = controllerRef(rs);
    if (ref?.kind !== 'Deployment') return undefined;
    const dep = this.deployments.cache.getByName(rs.metadata.namespace, ref.name);
    return dep !== undefined && dep.metadata.uid === ref.uid ? objectKey(dep) : undefined;
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const dep = this.deployments.cache.get(key);
    if (dep === undefined) return;
    const [ns, name] = splitKey(key);
    const rsClient = this.d.client.resource<ReplicaSet>('replicasets', ns);
    const sel = labelSelectorFromObject(dep.spec.selector);
    const c = claim(dep, this.replicaSets.cache.byIndex('namespace', ns), (rs) => sel.matches(rs.metadata.labels));
    for (const rs of c.adopt) await ignoreNotFound(rsClient.update(withControllerRef(rs, dep)));
    for (const rs of c.release) await ignoreNotFound(rsClient.update(withoutOwnerRef(rs, dep.metadata.uid ?? '')));
    const owned = c.owned;
    const oldUids = new Set(owned.filter((rs) => !templatesEqual(rs.spec.template, dep.spec.template)).map((rs) => rs.metadata.uid ?? ''));
    const oldPodsRunning = this.pods.cache.byIndex('namespace', ns).some((p) => isPodActive(p) && oldUids.has(controllerRef(p)?.uid ?? ''));
    const plan = planDeployment({ deployment: dep, replicaSets: owned, oldPodsRunning, nowMs: this.clock.now() });
    const byName = new Map(owned.map((rs) => [rs.metadata.name ?? '', rs]));
    for (const a of plan.actions) await this.apply(dep, a, byName);
    const deps = this.d.client.resource<Deployment>('deployments', ns);
    if (plan.revision !== '' && dep.metadata.annotations?.[REVISION_ANNOTATION] !== plan.revision) {
      await ignoreNotFound(deps.patch(name, { metadata: { annotations: { [REVISION_ANNOTATION]: plan.revision } } }));
    }
    if (canonicalJson(plan.status) !== canonicalJson(dep.status ?? {})) await ignoreNotFound(deps.patchStatus(name, { status: plan.status }));
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  private async apply(dep: Deployment, a: DeploymentAction, byName: ReadonlyMap<string, ReplicaSet>): Promise<void> {
    const ns = dep.metadata.namespace ?? '';
    const rsClient = this.d.client.resource<ReplicaSet>('replicasets', ns);
    switch (a.type) {
      case 'createReplicaSet': {
        try {
          const rs = await rsClient.create(a.replicaSet);
          this.d.events.event(dep, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name ?? ''} to ${rs.spec.replicas}`);
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
          // Same name, different template (or not ours): a hash collision; the next hash differs.
          const existing = await rsClient.get(a.replicaSet.metadata.name ?? '');
          if (existing.metadata.uid !== undefined && controllerRef(existing)?.uid === dep.metadata.uid && templatesEqual(existing.spec.template, dep.spec.template)) return;
          await this.d.client.resource<Deployment>('deployments', ns).patchStatus(dep.metadata.name ?? '', { status: { collisionCount: (dep.status?.collisionCount ?? 0) + 1 } });
          throw e;
        }
        return;
      }
      case 'scale': {
        const rs = byName.get(a.name);
        await ignoreNotFound(rsClient.patch(a.name, { spec: { replicas: a.replicas } }));
        const from = rs?.spec.replicas ?? 0;
        this.d.events.event(dep, 'Normal', 'ScalingReplicaSet', `Scaled ${a.replicas > from ? 'up' : 'down'} replica set ${a.name} from ${from} to ${a.replicas}`);
        return;
      }
      case 'setRevision':
        await ignoreNotFound(rsClient.patch(a.name, { metadata: { annotations: { [REVISION_ANNOTATION]: String(a.revision) } } }));
        return;
      case 'deleteReplicaSet':
        await ignoreNotFound(rsClient.delete(a.name));
        return;
    }
  }
}
