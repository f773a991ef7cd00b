// Stage 1 of a secured API server, in Kubernetes' order:
//   1. a client certificate presented on the TLS connection, verified here against the cluster CA
//      and its validity window (the TLS layer only asks for it: tokens must work without one);
//   2. else a bearer token: a bootstrap token (Secret lookup) or a service-account token (signed
//      JWT + ServiceAccount lookup);
//   3. else no credentials: UNAUTHENTICATED, except `get configmaps cluster-info` in kube-public,
//      answered as system:anonymous (contract C2; grpc.health.v1 never reaches this stage).
// Bad credentials are always UNAUTHENTICATED; the reason goes to the log only.
// Impersonation: metadata "impersonate-user" (and "impersonate-group", repeatable or
// comma-separated) makes the request act as that user, if the real caller may "impersonate" the
// user and each group (RBAC verb impersonate on users / groups in the core group).
import type { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError, Code } from '../errors.js';
import type { UserInfo } from '../request.js';
import type { AuthnResult, Decision, ResourceRequest, TokenAuthenticator } from '../security/index.js';
import { authenticateRequest, certificateIdentity, forbiddenMessage, Groups, resourceRequest, Users, verifyClientCertificate, withAuthenticatedGroup } from '../security/index.js';
import type { AuthenticationInput, Authenticator } from './authentication.js';

export const ANONYMOUS: UserInfo = { name: Users.anonymous, groups: [Groups.unauthenticated] };

/** Contract C2: what a caller without credentials may ask. */
export function anonymousAllowed(target: AuthenticationInput['target']): boolean {
  return target !== undefined && target.verb === 'get' && target.resource === 'configmaps' && target.namespace === 'kube-public' && target.name === 'cluster-info';
}

export interface ClusterAuthenticatorOptions {
  /** CAs whose client certificates are accepted; empty = certificates are not a credential. */
  readonly clientCas: readonly X509Certificate[];
  /** Bearer token checks, tried in order until one claims the token. */
  readonly tokens: readonly TokenAuthenticator[];
  readonly now: () => Date;
  /** Allowed clock difference when checking certificate validity (edge clocks drift). */
  readonly certificateToleranceSeconds?: number;
  /** Decides impersonation (the cluster's authorizer). */
  readonly authorize: (user: UserInfo, attrs: ResourceRequest) => Decision;
  readonly log: Logger;
}

const unauthenticated = (why: string): ApiError => new ApiError(Code.UNAUTHENTICATED, why);

function values(md: AuthenticationInput['metadata'], key: string): string[] {
  return (md[key] ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export class ClusterAuthenticator implements Authenticator {
  constructor(private readonly o: ClusterAuthenticatorOptions) {}

  async authenticate(input: AuthenticationInput): Promise<UserInfo> {
    const user = await this.caller(input);
    return this.impersonated(user, input);
  }

  private refuse(r: Extract<AuthnResult, { kind: 'refused' }>, input: AuthenticationInput): never {
    this.o.log.info({ peer: input.peer, reason: r.reason }, 'authentication refused');
    throw unauthenticated(`the request's credentials are not valid for this cluster (${r.reason.startsWith('client certificate') ? 'client certificate' : 'bearer token'} refused)`);
  }

  private async caller(input: AuthenticationInput): Promise<UserInfo> {
    if (input.peerCertificate !== undefined && this.o.clientCas.length > 0) {
      const bad = verifyClientCertificate(input.peerCertificate, this.o.clientCas, this.o.now(), this.o.certificateToleranceSeconds ?? 0);
      if (bad !== undefined) this.refuse({ kind: 'refused', reason: bad }, input);
      const id = certificateIdentity(input.peerCertificate);
      if (id.kind === 'authenticated') return id.user;
      if (id.kind === 'refused') this.refuse(id, input);
    }
    const authorization = input.metadata['authorization'];
    const r = await authenticateRequest(authorization === undefined ? {} : { authorization }, this.o.tokens);
    switch (r.kind) {
      case 'authenticated':
        return r.user;
      case 'refused':
        return this.refuse(r, input);
      case 'not-mine':
        if (anonymousAllowed(input.target)) return ANONYMOUS;
        throw unauthenticated('no credentials: this API server needs a client certificate signed by the cluster CA or a bearer token (see ~/.shoal/config)');
    }
  }

  private impersonated(user: UserInfo, input: AuthenticationInput): UserInfo {
    const as = values(input.metadata, 'impersonate-user');
    const groups = values(input.metadata, 'impersonate-group');
    if (as.length === 0) {
      if (groups.length > 0) throw new ApiError(Code.INVALID_ARGUMENT, 'impersonate-group needs impersonate-user');
      return user;
    }
    if (as.length > 1) throw new ApiError(Code.INVALID_ARGUMENT, `impersonate-user given ${as.length} times; give one user`);
    const checks = [resourceRequest({ verb: 'impersonate', resource: 'users', name: as[0]! }), ...groups.map((g) => resourceRequest({ verb: 'impersonate', resource: 'groups', name: g }))];
    for (const attrs of checks) {
      const d = this.o.authorize(user, attrs);
      if (!d.allowed) throw new ApiError(Code.PERMISSION_DENIED, forbiddenMessage(user, attrs, d.reason));
    }
    return withAuthenticatedGroup({ name: as[0]!, groups });
  }
}
