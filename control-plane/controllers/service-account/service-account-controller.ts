// Every active namespace has a "default" ServiceAccount: created when missing (at start, when a
// namespace appears, when someone deletes it). Tokens come with the security work (issue 5).
import type { Namespace, ServiceAccount } from '../../../api/index.js';
import { isAlreadyExists } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller } from '../shared/controller.js';
import type { ControllerDeps } from '../shared/controller.js';
import type { InformerFactory } from '../shared/informer-factory.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountController extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory }) {
    super('serviceaccount', d);
    this.namespaces = d.informers.get<Namespace>('namespaces');
    this.accounts = d.informers.get<ServiceAccount>('serviceaccounts');
    this.enqueueAll(this.namespaces);
    this.accounts.addHandlers({
      onDelete: (sa) => {
        if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(sa.metadata.namespace ?? '');
      },
    });
  }

  protected async sync(key: string): Promise<void> {
    const ns = this.namespaces.cache.get(key);
    if (ns === undefined || ns.metadata.deletionTimestamp !== undefined || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    if (this.accounts.cache.getByName(key, DEFAULT_SERVICE_ACCOUNT) !== undefined) return;
    try {
      await this.d.client.resource<ServiceAccount>('serviceaccounts', key).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: key } } as ServiceAccount);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}
