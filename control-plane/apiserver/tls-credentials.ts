// TLS on the gRPC API port. With a client CA the server asks for a client certificate but does
// not require one (bearer tokens work without), and does not reject an unverifiable one in the
// handshake: the authenticator verifies it (chain to the CA, validity with clock-skew tolerance)
// and answers UNAUTHENTICATED, which a client can read, instead of a bare TLS failure.
//
// grpc-js' createSsl cannot ask for an optional certificate (requestCert is tied to rejecting),
// so this uses its certificate-provider credentials with a provider that serves fixed PEMs.
import { ServerCredentials, experimental } from '@grpc/grpc-js';
import type { experimental as Experimental } from '@grpc/grpc-js';

type CertificateProvider = Experimental.CertificateProvider;

/** A provider of fixed PEM bytes. Listeners are answered on the next microtask: grpc-js registers
 * its server's watcher only after adding the provider listeners, and would miss a synchronous
 * answer (the port would then drop every connection). */
class StaticProvider implements CertificateProvider {
  constructor(
    private readonly identity: { certificate: Buffer; privateKey: Buffer },
    private readonly ca: Buffer,
  ) {}
  addCaCertificateListener(l: Experimental.CaCertificateUpdateListener): void {
    queueMicrotask(() => l({ caCertificate: this.ca }));
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(l: Experimental.IdentityCertificateUpdateListener): void {
    queueMicrotask(() => l(this.identity));
  }
  removeIdentityCertificateListener(): void {}
}

export interface TlsServerMaterial {
  /** PEM serving certificate (chain) and its key. */
  readonly cert: Buffer;
  readonly key: Buffer;
  /** PEM CA(s) whose client certificates are requested; absent = no client certificates. */
  readonly clientCa?: Buffer;
}

export function tlsServerCredentials(m: TlsServerMaterial): ServerCredentials {
  if (m.clientCa === undefined) return ServerCredentials.createSsl(null, [{ cert_chain: m.cert, private_key: m.key }], false);
  const p = new StaticProvider({ certificate: m.cert, privateKey: m.key }, m.clientCa);
  // One provider for both roles: grpc-js 1.14 swaps the two provider arguments internally.
  return experimental.createCertificateProviderServerCredentials(p, p, false);
}
