// How the client proves who it is and checks who it talks to. Today: plaintext (insecure). The
// security issue fills in TLS (CA, client certificate) and bearer tokens; the seam is here:
// a channel credential for each connection plus metadata added to every call.
import { credentials as grpcCredentials, Metadata } from '@grpc/grpc-js';
import type { ChannelCredentials } from '@grpc/grpc-js';

/** Act as another user (the API server checks that the caller may "impersonate" them). */
export interface Impersonation {
  readonly user: string;
  readonly groups?: readonly string[];
}

export type ClientCredentials =
  | { readonly kind: 'insecure'; readonly token?: string; readonly impersonate?: Impersonation }
  | {
      readonly kind: 'tls';
      /** PEM of the CA that signed the API servers' certificates (undefined = system roots). */
      readonly ca?: Uint8Array;
      /** PEM client certificate and key, both or neither. */
      readonly cert?: Uint8Array;
      readonly key?: Uint8Array;
      /** Bearer token sent as `authorization` metadata on every call. */
      readonly token?: string;
      /**
       * Accept any server certificate. Only for a join's first, anonymous read of the public
       * ConfigMap kube-public/cluster-info, whose CA the caller then pins with --ca-cert-hash.
       */
      readonly skipServerVerification?: boolean;
      readonly impersonate?: Impersonation;
    };

export const insecureCredentials: ClientCredentials = { kind: 'insecure' };

export function channelCredentials(c: ClientCredentials): ChannelCredentials {
  switch (c.kind) {
    case 'insecure':
      return grpcCredentials.createInsecure();
    case 'tls': {
      if ((c.cert === undefined) !== (c.key === undefined)) throw new TypeError('credentials: cert and key must be given together');
      const buf = (b: Uint8Array | undefined): Buffer | null => (b === undefined ? null : Buffer.from(b));
      if (c.skipServerVerification === true) return grpcCredentials.createSsl(buf(c.ca), buf(c.key), buf(c.cert), { rejectUnauthorized: false, checkServerIdentity: () => undefined });
      return grpcCredentials.createSsl(buf(c.ca), buf(c.key), buf(c.cert));
    }
  }
}

/**
 * Metadata sent with every call. The token travels as call metadata rather than gRPC call
 * credentials, because grpc-js refuses call credentials on an insecure channel.
 */
export function callMetadata(c: ClientCredentials): Metadata {
  const md = new Metadata();
  if (c.token !== undefined && c.token !== '') md.set('authorization', `Bearer ${c.token}`);
  if (c.impersonate !== undefined) {
    md.set('impersonate-user', c.impersonate.user);
    for (const g of c.impersonate.groups ?? []) md.add('impersonate-group', g);
  }
  return md;
}
