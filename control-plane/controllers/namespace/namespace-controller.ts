// Empties a Terminating namespace, then lets it go: deletes every namespaced object in it (all
// kinds the server serves), and once nothing is left removes the "kubernetes" finalizer through
// the namespaces/finalize subresource; the API server then deletes the namespace.
import type { KubeObject } from '../../../api/kind.js';
import type { Namespace } from '../../../api/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
// The client has no call for the finalize subresource yet: build it from its connection.
import { unary } from '../../../client/connection.js';
import { decodeObject, encodeObject } from '../../../client/object-json.js';
import { Controller } from '../shared/controller.js';
import type { ControllerDeps, SyncResult } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { ignoreNotFound } from '../replica-set/replica-set-controller.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

/** Kinds never deleted one by one (events go with the namespace's content anyway). */
const SKIP = new Set(['bindings']);

export interface NamespaceControllerDeps extends ControllerDeps {
  readonly client: ShoalClient;
  readonly informers: InformerFactory;
  readonly events: EventSink;
  /** How soon to look again while content is still going (default 1 s). */
  readonly recheckMs?: number;
}

export class NamespaceController extends Controller {
  private readonly namespaces: Informer<Namespace>;

  constructor(private readonly d: NamespaceControllerDeps) {
    super('namespace', d);
    this.namespaces = d.informers.get<Namespace>('namespaces');
    this.enqueueAll(this.namespaces);
  }

  protected async sync(key: string): Promise<SyncResult | void> {
    const ns = this.namespaces.cache.get(key);
    if (ns === undefined || ns.metadata.deletionTimestamp === undefined) return;
    const finalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!finalizers.includes(NAMESPACE_FINALIZER)) return;
    const name = ns.metadata.name ?? '';
    const resources = (await this.d.client.discovery()).filter((r) => r.namespaced && !SKIP.has(r.name) && r.verbs.includes('delete') && r.verbs.includes('list'));
    let remaining = 0;
    for (const r of resources) {
      const rc = this.d.client.resource<KubeObject>(r.name, name);
      const { items } = await rc.listAll();
      remaining += items.length;
      for (const o of items) {
        if (o.metadata.deletionTimestamp !== undefined) continue;
        await ignoreNotFound(rc.delete(o.metadata.name ?? '', { propagationPolicy: 'Background' }));
      }
    }
    if (remaining > 0) return { requeueAfterMs: this.d.recheckMs ?? 1000 };
    await this.finalize(ns, finalizers.filter((f) => f !== NAMESPACE_FINALIZER));
    this.log.info({ namespace: name }, 'namespace emptied; finalized');
  }

  private async finalize(ns: Namespace, finalizers: string[]): Promise<void> {
    const name = ns.metadata.name ?? '';
    const object = { ...ns, spec: { ...(ns.spec as object | undefined), finalizers } };
    await ignoreNotFound(
      this.d.client.connection.call('write', async (ctx) => {
        const res = await unary(ctx.api.update.bind(ctx.api), { resource: 'namespaces', namespace: '', name, subresource: 'finalize', object: encodeObject(object), dryRun: false }, ctx);
        return decodeObject<Namespace>(res.object, `finalize namespace ${name}`, ctx.server);
      }),
    );
  }
}
