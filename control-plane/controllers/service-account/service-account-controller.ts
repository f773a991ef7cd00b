// Every active namespace has a "default" ServiceAccount: created when missing (at start, when a
// namespace appears, when someone deletes it). With a signing key (tokens), every ServiceAccount
// also has a token Secret (token-secret.ts), made when missing and re-issued when it no longer
// verifies (key changed, account recreated, near expiry). Keys are namespaces: one sync looks at
// every account of the namespace, so any change to an account or a token Secret enqueues it.
import type { Namespace, Secret, ServiceAccount } from '../../../api/index.js';
import { isAlreadyExists } from '../../../client/index.js';
import type { Informer, ShoalClient } from '../../../client/index.js';
import { Controller } from '../shared/controller.js';
import type { ControllerDeps } from '../shared/controller.js';
import type { EventSink } from '../shared/event-recorder.js';
import type { InformerFactory } from '../shared/informer-factory.js';
import { identityOf, SERVICE_ACCOUNT_TOKEN_TYPE, tokenSecret, tokenSecretAction, tokenSecretName } from './token-secret.js';
import type { ServiceAccountTokens } from './token-secret.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountController extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;
  private readonly secrets: Informer<Secret> | undefined;
  /** Foreign Secrets already reported (one event each, not one per resync). */
  private readonly reported = new Set<string>();

  constructor(private readonly d: ControllerDeps & { readonly client: ShoalClient; readonly informers: InformerFactory; readonly events?: EventSink; readonly tokens?: ServiceAccountTokens }) {
    super('serviceaccount', d);
    this.namespaces = d.informers.get<Namespace>('namespaces');
    this.accounts = d.informers.get<ServiceAccount>('serviceaccounts');
    this.enqueueAll(this.namespaces);
    if (d.tokens === undefined) {
      this.accounts.addHandlers({
        onDelete: (sa) => {
          if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(sa.metadata.namespace ?? '');
        },
      });
      return;
    }
    this.secrets = d.informers.get<Secret>('secrets');
    this.enqueueAll(this.accounts, (sa) => sa.metadata.namespace);
    this.enqueueAll(this.secrets, (s) => (s.type === SERVICE_ACCOUNT_TOKEN_TYPE ? s.metadata.namespace : undefined));
  }

  protected async sync(key: string): Promise<void> {
    const ns = this.namespaces.cache.get(key);
    if (ns === undefined || ns.metadata.deletionTimestamp !== undefined || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') return;
    if (this.accounts.cache.getByName(key, DEFAULT_SERVICE_ACCOUNT) === undefined) {
      try {
        await this.d.client.resource<ServiceAccount>('serviceaccounts', key).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: key } } as ServiceAccount);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      // The new account comes back through the informer, which enqueues this namespace again.
      return;
    }
    const tokens = this.d.tokens;
    if (tokens === undefined || this.secrets === undefined) return;
    for (const sa of this.accounts.cache.byIndex('namespace', key)) {
      if (sa.metadata.deletionTimestamp === undefined) await this.ensureToken(sa, tokens, this.secrets);
    }
  }

  private async ensureToken(account: ServiceAccount, tokens: ServiceAccountTokens, secrets: Informer<Secret>): Promise<void> {
    const sa = identityOf(account);
    const existing = secrets.cache.getByName(sa.namespace, tokenSecretName(sa.name));
    const action = tokenSecretAction(sa, existing, tokens.caPem);
    const client = this.d.client.resource<Secret>('secrets', sa.namespace);
    switch (action.kind) {
      case 'foreign': {
        const k = `${sa.namespace}/${tokenSecretName(sa.name)}`;
        if (!this.reported.has(k)) {
          this.reported.add(k);
          this.d.events?.event(account, 'Warning', 'TokenSecretNameTaken', `Secret ${tokenSecretName(sa.name)} is not this service account's token (${action.reason}); no token was made`);
        }
        return;
      }
      case 'check':
        if (await tokens.isCurrent(action.token, sa)) return;
        break;
      case 'create':
        try {
          await client.create(tokenSecret(sa, await tokens.issue(sa), tokens.caPem));
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
        }
        return;
      case 'replace':
        break;
    }
    if (existing === undefined) return;
    // Re-issue in place, pinned to the version judged stale (a concurrent change wins and is judged again).
    const fresh = tokenSecret(sa, await tokens.issue(sa), tokens.caPem);
    await client.update({ ...fresh, metadata: { ...existing.metadata, ...fresh.metadata, annotations: { ...existing.metadata.annotations, ...fresh.metadata.annotations } } });
  }
}
