// The loop around planDaemonSet: DaemonSets, nodes (joins, label and taint changes) and pods feed
// the queue. Pods are placed directly (spec.nodeName), one per eligible node, carrying the
// controller-revision-hash label and the DaemonSet tolerations.
import type { DaemonSet, Node, Pod } from '../../../api/index.js';
import { labelSelectorFromObject } from '../../../api/index.js';
import { objectKey } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import { Expectations } from '../shared/expectations.js';
import { trackOwnedPods } from '../shared/owned-pods.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { claim, withControllerRef } from '../shared/owner-refs.js';
import { errorMessage, ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { podFromTemplate } from '../replica-set/reconcile.js';
import { canonicalJson } from '../../../workloads/index.js';
import { REVISION_HASH_LABEL, daemonTolerations, planDaemonSet } from './reconcile.js';

export class DaemonSetController extends Controller {
  readonly expectations: Expectations;
  private readonly sets: Informer<DaemonSet>;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory; readonly events: EventSink }) {
    super('daemonset', d);
    this.expectations = new Expectations(d.clock);
    this.sets = d.informers.get<DaemonSet>('daemonsets');
    this.nodes = d.informers.get<Node>('nodes');
    this.pods = d.informers.get<Pod>('pods');
    this.enqueueAll(this.sets);
    const all = (): void => {
      for (const k of this.sets.cache.keys()) this.queue.add(k);
    };
    this.nodes.addHandlers({ onAdd: all, onUpdate: (old, n) => (old === n ? undefined : all()), onDelete: all });
    trackOwnedPods(this.pods, 'DaemonSet', this.queue, this.expectations);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const ds = this.sets.cache.get(key);
    if (ds === undefined) {
      this.expectations.delete(key);
      return;
    }
    const [ns, name] = splitKey(key);
    const podClient = this.d.client.resource<Pod>('pods', ns);
    const sel = labelSelectorFromObject(ds.spec.selector);
    const c = claim(ds, this.pods.cache.byIndex('namespace', ns), (p) => sel.matches(p.metadata.labels));
    for (const p of c.adopt) await ignoreNotFound(podClient.update(withControllerRef(p, ds)));
    const plan = planDaemonSet(ds, this.nodes.cache.list(), c.owned, this.clock.now());
    if (this.expectations.satisfied(key) && ds.metadata.deletionTimestamp === undefined) {
      if (plan.create.length > 0 || plan.delete.length > 0) this.expectations.expect(key, plan.create.length, plan.delete.map((p) => objectKey(p)));
      const template = { ...ds.spec.template, spec: { ...ds.spec.template.spec, tolerations: daemonTolerations(ds) } };
      const errors: unknown[] = [];
      await Promise.all(
        plan.create.map(async (node) => {
          const pod = podFromTemplate(ds, template, { [REVISION_HASH_LABEL]: plan.hash });
          try {
            const made = await podClient.create({ ...pod, spec: { ...pod.spec, nodeName: node } });
            this.d.events.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata.name ?? ''}`);
          } catch (e) {
            this.expectations.creationSkipped(key);
            errors.push(e);
            this.d.events.event(ds, 'Warning', 'FailedCreate', `Error creating pod on node ${node}: ${errorMessage(e)}`);
          }
        }),
      );
      for (const p of plan.delete) {
        try {
          await ignoreNotFound(podClient.delete(p.metadata.name ?? ''));
          this.d.events.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
        } catch (e) {
          this.expectations.deletionObserved(key, objectKey(p));
          errors.push(e);
        }
      }
      if (errors.length > 0) throw errors[0];
    }
    if (canonicalJson(plan.status) !== canonicalJson(ds.status ?? {})) await ignoreNotFound(this.d.client.resource<DaemonSet>('daemonsets', ns).patchStatus(name, { status: plan.status }));
  }
}
