// Service-account tokens: JWTs signed by the control plane's service-account key, bound to one
// service account by its uid. A token authenticates only while that account exists with the same
// uid, so deleting (or deleting and recreating) the account revokes every token it had.
// Claims as Kubernetes' bound tokens:
//   iss, sub = system:serviceaccount:<ns>:<name>, aud, iat, nbf, exp, jti,
//   "kubernetes.io": { namespace, serviceaccount: { name, uid } }
import type { KeyObject } from 'node:crypto';
import { createHash } from 'node:crypto';
import { SignJWT, decodeJwt, errors, jwtVerify } from 'jose';
import { serviceAccountGroups, serviceAccountUsername, withAuthenticatedGroup } from '../identities.js';
import type { AuthnResult, MaybePromise } from './authn-result.js';
import { notMine, refused } from './authn-result.js';

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** Finds a service account's current uid; undefined when it does not exist. */
export type ServiceAccountLookup = (namespace: string, name: string) => MaybePromise<{ readonly uid: string } | undefined>;

/** Asymmetric algorithms only: a token must never verify with a shared secret or "none". */
export const SERVICE_ACCOUNT_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const;
export type ServiceAccountAlgorithm = (typeof SERVICE_ACCOUNT_ALGORITHMS)[number];

/** The "kid" of a public key: base64url SHA-256 of its SPKI DER (as Kubernetes derives it). */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

export interface IssueOptions {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly algorithm: ServiceAccountAlgorithm;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly now: Date;
  /** Lifetime; Kubernetes' default for requested tokens is one hour. */
  readonly expirationSeconds: number;
  /** A unique id (inject randomUUID). */
  readonly jti: string;
}

export async function issueServiceAccountToken(sa: ServiceAccountRef, o: IssueOptions): Promise<string> {
  if (o.expirationSeconds <= 0) throw new Error(`expirationSeconds must be positive, got ${o.expirationSeconds}`);
  const iat = Math.floor(o.now.getTime() / 1000);
  return new SignJWT({ 'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } } })
    .setProtectedHeader({ alg: o.algorithm, kid: keyId(o.publicKey) })
    .setIssuer(o.issuer)
    .setSubject(serviceAccountUsername(sa.namespace, sa.name))
    .setAudience([...o.audiences])
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + o.expirationSeconds)
    .setJti(o.jti)
    .sign(o.privateKey);
}

export interface VerifyOptions {
  /** Every key whose tokens are accepted (the current one and those being rotated out). */
  readonly publicKeys: readonly KeyObject[];
  readonly issuer: string;
  /** Accepted audiences; a token must name at least one. */
  readonly audiences: readonly string[];
  readonly now: Date;
  readonly lookup: ServiceAccountLookup;
  /** Allowed clock difference for exp/nbf; default 0. */
  readonly clockToleranceSeconds?: number;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The bound account named by the claims, or why the claims are not a service-account token. */
function boundAccount(payload: Record<string, unknown>): ServiceAccountRef | string {
  const k = payload['kubernetes.io'];
  if (!isObject(k) || !isObject(k.serviceaccount)) return 'no "kubernetes.io" service account claim';
  const { namespace } = k;
  const { name, uid } = k.serviceaccount;
  if (typeof namespace !== 'string' || typeof name !== 'string' || typeof uid !== 'string' || namespace === '' || name === '' || uid === '') {
    return 'the "kubernetes.io" claim lacks namespace, service account name or uid';
  }
  if (payload.sub !== serviceAccountUsername(namespace, name)) return `sub ${JSON.stringify(payload.sub)} does not match the "kubernetes.io" claim (${namespace}/${name})`;
  return { namespace, name, uid };
}

export async function authenticateServiceAccountToken(token: string, o: VerifyOptions): Promise<AuthnResult> {
  if (!JWT_SHAPE.test(token)) return notMine;
  let unverifiedIssuer: unknown;
  try {
    unverifiedIssuer = decodeJwt(token).iss;
  } catch {
    return notMine;
  }
  // Another issuer's JWT (e.g. an OIDC token) is for another authenticator.
  if (unverifiedIssuer !== o.issuer) return notMine;

  let payload: Record<string, unknown> | undefined;
  let failure = 'no service-account key is configured';
  for (const key of o.publicKeys) {
    try {
      const r = await jwtVerify(token, key, {
        issuer: o.issuer,
        audience: [...o.audiences],
        currentDate: o.now,
        algorithms: [...SERVICE_ACCOUNT_ALGORITHMS],
        clockTolerance: o.clockToleranceSeconds ?? 0,
        requiredClaims: ['sub', 'exp'],
      });
      payload = r.payload as Record<string, unknown>;
      break;
    } catch (e) {
      if (e instanceof errors.JWTExpired) return refused(`service-account token expired at ${new Date(Number(e.payload.exp) * 1000).toISOString()}`);
      if (e instanceof errors.JWTClaimValidationFailed) return refused(`service-account token: ${e.message} (claim "${e.claim}")`);
      // Wrong key for this token, or a bad signature: try the next key.
      failure = e instanceof errors.JWSSignatureVerificationFailed ? 'signature does not verify with any service-account key' : `invalid token: ${(e as Error).message}`;
    }
  }
  if (payload === undefined) return refused(`service-account token: ${failure}`);

  const sa = boundAccount(payload);
  if (typeof sa === 'string') return refused(`service-account token: ${sa}`);
  const current = await o.lookup(sa.namespace, sa.name);
  if (current === undefined) return refused(`service-account token: service account ${sa.namespace}/${sa.name} no longer exists`);
  if (current.uid !== sa.uid) return refused(`service-account token: service account ${sa.namespace}/${sa.name} was recreated (token is for uid ${sa.uid}, it now has uid ${current.uid})`);
  return {
    kind: 'authenticated',
    user: withAuthenticatedGroup({
      name: serviceAccountUsername(sa.namespace, sa.name),
      groups: serviceAccountGroups(sa.namespace),
      uid: sa.uid,
      serviceAccount: sa,
      ...(typeof payload.jti === 'string' ? { extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${payload.jti}`] } } : {}),
    }),
  };
}
