// One request's credentials through the authenticators, in Kubernetes' order: a verified client
// certificate first, then the bearer token through each token authenticator until one claims it.
// A request with neither gets "not-mine" (anonymous access is off: the pipeline answers
// UNAUTHENTICATED); a token nobody recognizes is refused.
import type { AuthnResult } from './authn-result.js';
import { refused } from './authn-result.js';
import { parseBearerToken } from './bearer-token.js';
import type { CertificateInput } from './client-certificate.js';
import { certificateIdentity } from './client-certificate.js';

export interface RequestCredentials {
  /** The "authorization" metadata values. */
  readonly authorization?: readonly string[];
  /** The peer certificate TLS verified against the cluster CA (absent without mTLS). */
  readonly peerCertificate?: CertificateInput;
}

export type TokenAuthenticator = (token: string) => Promise<AuthnResult>;

export async function authenticateRequest(creds: RequestCredentials, tokenAuthenticators: readonly TokenAuthenticator[]): Promise<AuthnResult> {
  if (creds.peerCertificate !== undefined) {
    const r = certificateIdentity(creds.peerCertificate);
    if (r.kind === 'authenticated') return r;
    if (creds.authorization === undefined || creds.authorization.length === 0) return r;
  }
  const bearer = parseBearerToken(creds.authorization);
  switch (bearer.kind) {
    case 'none':
      return { kind: 'not-mine' };
    case 'invalid':
      return refused(bearer.reason);
    case 'token':
      for (const a of tokenAuthenticators) {
        const r = await a(bearer.token);
        if (r.kind !== 'not-mine') return r;
      }
      return refused('the bearer token is not a bootstrap or service-account token this cluster knows');
  }
}
