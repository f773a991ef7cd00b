// The token Secret of a ServiceAccount (Kubernetes' legacy kind, type
// kubernetes.io/service-account-token): data token / ca.crt / namespace, annotations naming the
// account and its uid, owned by the account (the garbage collector removes it with the account).
// One per account, named "<account>-token", so a controller that restarts or changes hosts finds
// the one it made instead of making another. Signing is behind ServiceAccountTokens (the keys
// live at the edge, control-plane/service-account-tokens.ts); what to do is decided here, purely.
import type { Secret, ServiceAccount } from '../../../api/index.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export interface ServiceAccountIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** Issues and checks the signed tokens (an implementation holds the key and the clock). */
export interface ServiceAccountTokens {
  /** A new token for the account. */
  issue(sa: ServiceAccountIdentity): Promise<string>;
  /** True when `token` was signed with the current key for exactly this account and is not near its expiry. */
  isCurrent(token: string, sa: ServiceAccountIdentity): Promise<boolean>;
  /** The CA (PEM) that clients verify the API server with; "" when the API has no TLS. */
  readonly caPem: string;
}

export function tokenSecretName(serviceAccount: string): string {
  return `${serviceAccount}-token`;
}

export function identityOf(sa: ServiceAccount): ServiceAccountIdentity {
  return { namespace: sa.metadata.namespace ?? '', name: sa.metadata.name ?? '', uid: sa.metadata.uid ?? '' };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string | undefined => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** The Secret holding `token` for the account. */
export function tokenSecret(sa: ServiceAccountIdentity, token: string, caPem: string): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: tokenSecretName(sa.name),
      namespace: sa.namespace,
      annotations: { [SERVICE_ACCOUNT_NAME_ANNOTATION]: sa.name, [SERVICE_ACCOUNT_UID_ANNOTATION]: sa.uid },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: sa.name, uid: sa.uid }],
    },
    type: SERVICE_ACCOUNT_TOKEN_TYPE,
    data: { token: b64(token), 'ca.crt': b64(caPem), namespace: b64(sa.namespace) },
  } as Secret;
}

/**
 * What the account's token Secret needs:
 * - create: there is none;
 * - foreign: a Secret of that name that is not a token of this account (left alone);
 * - check: ours with the right uid, CA and namespace; its token must still be verified (isCurrent);
 * - replace: ours but for an earlier account of the same name, or with another CA or namespace.
 */
export type TokenSecretAction = { readonly kind: 'create' } | { readonly kind: 'foreign'; readonly reason: string } | { readonly kind: 'check'; readonly token: string } | { readonly kind: 'replace' };

export function tokenSecretAction(sa: ServiceAccountIdentity, existing: Secret | undefined, caPem: string): TokenSecretAction {
  if (existing === undefined) return { kind: 'create' };
  const annotations = existing.metadata.annotations ?? {};
  if (existing.type !== SERVICE_ACCOUNT_TOKEN_TYPE) return { kind: 'foreign', reason: `it has type ${existing.type}, not ${SERVICE_ACCOUNT_TOKEN_TYPE}` };
  if (annotations[SERVICE_ACCOUNT_NAME_ANNOTATION] !== sa.name) return { kind: 'foreign', reason: `it belongs to service account "${annotations[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? ''}"` };
  const data = existing.data ?? {};
  const token = unb64(data['token']);
  if (annotations[SERVICE_ACCOUNT_UID_ANNOTATION] !== sa.uid || token === undefined || token === '' || unb64(data['ca.crt']) !== caPem || unb64(data['namespace']) !== sa.namespace) return { kind: 'replace' };
  return { kind: 'check', token };
}
