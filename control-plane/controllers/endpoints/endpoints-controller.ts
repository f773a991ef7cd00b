// Keeps an Endpoints object (same name) for every Service with a selector; removes it when the
// Service goes. Services without a selector own their Endpoints by hand and are left alone.
import type { Endpoints, Pod, Service } from '../../../api/index.js';
import { labelSelectorFromMap } from '../../../api/index.js';
import { isAlreadyExists, objectKey } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller, splitKey } from '../shared/controller.js';
import type { ControllerDeps } from '../shared/controller.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { ignoreNotFound } from '../replica-set/replica-set-controller.js';
import { canonicalJson } from '../../../workloads/index.js';
import { endpointSubsets } from './reconcile.js';

export interface EndpointsControllerDeps extends ControllerDeps {
  readonly client: ShoalClient;
  readonly informers: InformerFactory;
}

export class EndpointsController extends Controller {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(private readonly d: EndpointsControllerDeps) {
    super('endpoints', d);
    this.services = d.informers.get<Service>('services');
    this.pods = d.informers.get<Pod>('pods');
    this.endpoints = d.informers.get<Endpoints>('endpoints');
    this.enqueueAll(this.services);
    this.enqueueAll(this.endpoints);
    const onPod = (p: Pod): void => {
      for (const s of this.services.cache.byIndex('namespace', p.metadata.namespace ?? '')) {
        const sel = s.spec.selector;
        if (sel !== undefined && Object.keys(sel).length > 0 && labelSelectorFromMap(sel).matches(p.metadata.labels)) this.queue.add(objectKey(s));
      }
    };
    this.pods.addHandlers({
      onAdd: onPod,
      onUpdate: (old, p) => {
        if (old === p) return;
        onPod(p);
        if (JSON.stringify(old.metadata.labels) !== JSON.stringify(p.metadata.labels)) onPod(old);
      },
      onDelete: onPod,
    });
  }

  protected async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const client = this.d.client.resource<Endpoints>('endpoints', ns);
    const svc = this.services.cache.get(key);
    const current = this.endpoints.cache.get(key);
    if (svc === undefined) {
      // Only Endpoints this controller made (it labels nothing; Kubernetes removes by service name too).
      if (current !== undefined) await ignoreNotFound(client.delete(name));
      return;
    }
    const sel = svc.spec.selector;
    if (sel === undefined || Object.keys(sel).length === 0) return;
    const subsets = endpointSubsets(svc, this.pods.cache.byIndex('namespace', ns));
    if (current !== undefined && canonicalJson(current.subsets ?? []) === canonicalJson(subsets)) return;
    const labels = svc.metadata.labels;
    if (current === undefined) {
      try {
        await client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, subsets } as Endpoints);
        return;
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
    // A compare-and-swap on what the cache holds; a Conflict retries with a fresher cache.
    const base = current ?? (await client.get(name));
    await client.update({ ...base, subsets });
  }
}
