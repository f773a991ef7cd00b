// One informer per resource (all namespaces), shared by every controller of a manager, so the
// cluster is listed and watched once. Indexers are registered before start().
import { setMaxListeners } from 'node:events';
import type { KubeObject } from '../../../api/kind.js';
import type { Clock, IndexFunc, Informer, ShoalClient } from '../../../client/index.js';

export const ownerUidIndex = 'ownerUid';
export const byOwnerUid: IndexFunc<KubeObject> = (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(private readonly deps: { readonly client: ShoalClient; readonly clock: Clock; readonly resyncPeriodMs: number; readonly onError: (resource: string, e: unknown) => void }) {
    // Every informer listens on the client's close signal; a manager has a dozen or more.
    setMaxListeners(0, deps.client.resource('pods').closedSignal);
  }

  /** The informer of `resource` (created on first use; every one indexes by owner uid). */
  get<T extends KubeObject>(resource: string): Informer<T> {
    let inf = this.informers.get(resource);
    if (inf === undefined) {
      inf = this.deps.client.informer<KubeObject>(resource, {
        namespace: '',
        indexers: { [ownerUidIndex]: byOwnerUid },
        resyncPeriodMs: this.deps.resyncPeriodMs,
        clock: this.deps.clock,
        onError: (e) => this.deps.onError(resource, e),
      });
      this.informers.set(resource, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** True once every informer listed; false when one was stopped first. */
  async waitForSync(): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    return results.every((r) => r);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
