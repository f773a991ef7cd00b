// What a credential check says. "not-mine": this authenticator does not handle this kind of
// credential (let the next try). "refused": it does, and the credential is bad; the reason is for
// the server's log and the audit line only: clients just get UNAUTHENTICATED. Reasons never
// contain a token or a secret.
import type { UserInfo } from '../authorizer.js';

export type AuthnResult =
  | { readonly kind: 'authenticated'; readonly user: UserInfo }
  | { readonly kind: 'not-mine' }
  | { readonly kind: 'refused'; readonly reason: string };

export const notMine: AuthnResult = { kind: 'not-mine' };
export const refused = (reason: string): AuthnResult => ({ kind: 'refused', reason });

/** Lookups may be served from an informer cache (sync) or the store (async). */
export type MaybePromise<T> = T | Promise<T>;
