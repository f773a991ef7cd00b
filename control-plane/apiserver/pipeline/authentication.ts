// Stage 1: who is asking. In dev mode every caller is an anonymous admin (no credentials are
// checked); a secured API server uses ClusterAuthenticator (pipeline/cluster-authentication.ts):
// client certificates and bearer tokens, anything else UNAUTHENTICATED.
import type { UserInfo } from '../request.js';

/** What an authenticator may look at: the call's metadata and its transport peer. */
export interface AuthenticationInput {
  /** gRPC metadata, lower-case keys (e.g. "authorization": ["Bearer ..."]). */
  readonly metadata: Readonly<Record<string, readonly string[]>>;
  /** "ipv4:127.0.0.1:52100" as grpc-js reports it. */
  readonly peer: string;
  /** DER of the client certificate when the connection is mTLS (issue 5). */
  readonly peerCertificate?: Uint8Array;
  /** What the call asks for: anonymous access depends on it (contract C2). */
  readonly target?: { readonly verb: string; readonly resource: string; readonly namespace: string; readonly name: string };
}

export interface Authenticator {
  /** The caller, or throws ApiError(UNAUTHENTICATED). */
  authenticate(input: AuthenticationInput): Promise<UserInfo>;
}

export const ANONYMOUS_ADMIN: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated', 'system:masters'] };

/** Pass-through: everyone is an anonymous admin (until issue 5). */
export const anonymousAdmin: Authenticator = {
  authenticate: () => Promise.resolve(ANONYMOUS_ADMIN),
};
