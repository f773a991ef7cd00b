// The loop around planStatefulSet: sets and their pods feed the queue; a sync applies the plan
// (with expectations) and records where each ordinal's volumes live.
import type { Pod, StatefulSet } from '../../../api/index.js';
import { isAlreadyExists, objectKey } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import { Expectations } from '../shared/expectations.js';
import { trackOwnedPods } from '../shared/owned-pods.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { controllerRef } from '../shared/owner-refs.js';
import { ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { canonicalJson } from '../../../workloads/index.js';
import { VOLUME_NODES_ANNOTATION, ordinalOf, planStatefulSet, statefulPod, volumeNodes } from './reconcile.js';

export class StatefulSetController extends Controller {
  readonly expectations: Expectations;
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory; readonly events: EventSink }) {
    super('statefulset', d);
    this.expectations = new Expectations(d.clock);
    this.sets = d.informers.get<StatefulSet>('statefulsets');
    this.pods = d.informers.get<Pod>('pods');
    this.enqueueAll(this.sets);
    trackOwnedPods(this.pods, 'StatefulSet', this.queue, this.expectations);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const set = this.sets.cache.get(key);
    if (set === undefined) {
      this.expectations.delete(key);
      return;
    }
    const [ns, name] = splitKey(key);
    const pods = this.pods.cache.byIndex('namespace', ns).filter((p) => controllerRef(p)?.uid === set.metadata.uid);
    const sets = this.d.client.resource<StatefulSet>('statefulsets', ns);
    // Remember where each ordinal first ran: its volumes live there.
    if ((set.spec.volumeClaimTemplates ?? []).length > 0) {
      const nodes = volumeNodes(set);
      let changed = false;
      for (const p of pods) {
        const i = ordinalOf(set, p);
        if (i !== undefined && p.spec.nodeName && nodes[String(i)] === undefined) {
          nodes[String(i)] = p.spec.nodeName;
          changed = true;
        }
      }
      if (changed) await ignoreNotFound(sets.patch(name, { metadata: { annotations: { [VOLUME_NODES_ANNOTATION]: JSON.stringify(nodes) } } }));
    }
    const plan = planStatefulSet(set, pods);
    const podClient = this.d.client.resource<Pod>('pods', ns);
    if (this.expectations.satisfied(key) && set.metadata.deletionTimestamp === undefined) {
      const creates = plan.actions.filter((a) => a.type === 'create').length;
      const deletes = plan.actions.flatMap((a) => (a.type === 'delete' ? [objectKey(a.pod)] : []));
      if (plan.actions.length > 0) this.expectations.expect(key, creates, deletes);
      const nodes = volumeNodes(set);
      for (const a of plan.actions) {
        if (a.type === 'create') {
          const pod = statefulPod(set, a.ordinal, plan.hash, (set.spec.volumeClaimTemplates ?? []).length > 0 ? nodes[String(a.ordinal)] : undefined);
          try {
            await podClient.create(pod);
            this.d.events.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name ?? ''} in StatefulSet ${name} successful`);
          } catch (e) {
            this.expectations.creationSkipped(key);
            if (!isAlreadyExists(e)) throw e; // the old one is still going away
          }
        } else {
          await ignoreNotFound(podClient.delete(a.pod.metadata.name ?? '', { preconditions: { uid: a.pod.metadata.uid ?? '' } }));
          this.d.events.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${a.pod.metadata.name ?? ''} in StatefulSet ${name} successful (${a.reason})`);
        }
      }
    }
    if (canonicalJson(plan.status) !== canonicalJson(set.status ?? {})) await ignoreNotFound(sets.patchStatus(name, { status: plan.status }));
  }
}
