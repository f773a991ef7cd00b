// ServiceAccount token signing for the controller manager (--service-account-private-key-file):
// the controllers' ServiceAccountTokens seam, made of the API server's own token functions so a
// token the controller signs is exactly what the API server's authenticator accepts.
//
// Lifetime: these are long-lived tokens stored in Secrets (Kubernetes' legacy tokens never
// expire). Ours expire after a year, because the authenticator requires "exp"; the controller
// re-issues a token once less than 30 days remain (each informer resync looks again), so a
// mounted Secret stays valid without anyone acting.
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { Clock } from '../client/index.js';
import type { ServiceAccountIdentity, ServiceAccountTokens } from './controllers/index.js';
import { authenticateServiceAccountToken, issueServiceAccountToken, serviceAccountUsername } from './apiserver/security/index.js';
import type { ServiceAccountAlgorithm } from './apiserver/security/index.js';

export const LEGACY_TOKEN_LIFETIME_SECONDS = 365 * 24 * 3600;
export const LEGACY_TOKEN_REFRESH_BEFORE_MS = 30 * 24 * 3600 * 1000;

export class ServiceAccountKeyError extends Error {
  readonly code = 'SERVICE_ACCOUNT_KEY';
  override readonly name = 'ServiceAccountKeyError';
}

/** The JWS algorithm a private key signs with (EC P-256/P-384, RSA, Ed25519). */
export function algorithmFor(key: KeyObject): ServiceAccountAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    throw new ServiceAccountKeyError(`EC curve ${curve ?? '?'} is not supported (use P-256 or P-384)`);
  }
  throw new ServiceAccountKeyError(`key type ${type ?? '?'} is not supported (use EC P-256/P-384, RSA or Ed25519)`);
}

export interface ServiceAccountSignerOptions {
  /** PEM of the private key (the file's text). */
  readonly privateKeyPem: string;
  /** Where the PEM came from, for error messages. */
  readonly source: string;
  /** Token issuer, also its audience (the API server's --api-service-account-issuer, default "shoal"). */
  readonly issuer: string;
  /** The CA clients verify the API server with (PEM), "" without TLS. */
  readonly caPem: string;
  readonly clock: Clock;
}

export function serviceAccountSigner(o: ServiceAccountSignerOptions): ServiceAccountTokens {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(o.privateKeyPem);
  } catch (e) {
    throw new ServiceAccountKeyError(`${o.source}: not a PEM private key: ${(e as Error).message}`, { cause: e });
  }
  const algorithm = algorithmFor(privateKey);
  const publicKey = createPublicKey(privateKey);
  const audiences = [o.issuer];
  return {
    caPem: o.caPem,
    issue: (sa: ServiceAccountIdentity) =>
      issueServiceAccountToken(sa, { privateKey, publicKey, algorithm, issuer: o.issuer, audiences, now: new Date(o.clock.now()), expirationSeconds: LEGACY_TOKEN_LIFETIME_SECONDS, jti: randomUUID() }),
    async isCurrent(token: string, sa: ServiceAccountIdentity): Promise<boolean> {
      // Verified as of 30 days from now: a token that expires sooner is re-issued today.
      const r = await authenticateServiceAccountToken(token, { publicKeys: [publicKey], issuer: o.issuer, audiences, now: new Date(o.clock.now() + LEGACY_TOKEN_REFRESH_BEFORE_MS), lookup: () => ({ uid: sa.uid }) });
      return r.kind === 'authenticated' && r.user.name === serviceAccountUsername(sa.namespace, sa.name);
    },
  };
}
