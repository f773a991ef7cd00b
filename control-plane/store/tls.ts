// TLS for the store's two ports, with etcd's semantics: a side (client or peer) has a
// certificate and key, optionally a trusted CA, and with client-cert-auth it requires every
// connecting party to present a certificate signed by that CA. The files are read and checked
// once, at start-up; what is built from them is passed to whoever needs it (no global state).
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { grpcAddressOf, schemeOf } from './peer-url.js';

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  trustedCaFile: string | undefined;
  /** Require and verify client certificates signed by trustedCaFile. */
  clientCertAuth: boolean;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** undefined: the system's roots (for dialing only; never with clientCertAuth). */
  readonly ca: Buffer | undefined;
  readonly clientCertAuth: boolean;
  /** The certificate may be presented as a client certificate (extended key usage clientAuth, or none). */
  readonly canDial: boolean;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** The flag names of one side, for messages. */
export interface TlsFlagNames {
  cert: string;
  key: string;
  ca: string;
}

export const CLIENT_TLS_FLAGS: TlsFlagNames = { cert: '--cert-file', key: '--key-file', ca: '--trusted-ca-file' };
export const PEER_TLS_FLAGS: TlsFlagNames = { cert: '--peer-cert-file', key: '--peer-key-file', ca: '--peer-trusted-ca-file' };

export class TlsError extends Error {
  override readonly name = 'TlsError';
}

function read(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsError(`${flag} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function certificates(flag: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new TlsError(`${flag} ${path}: not a PEM certificate`);
  }
}

/** Reads and checks one side's files: each readable, PEM of the right kind, the key the certificate's. */
export function loadTlsMaterial(s: TlsSettings, flags: TlsFlagNames): TlsMaterial {
  const cert = read(flags.cert, s.certFile);
  const x = certificates(flags.cert, s.certFile, cert);
  const key = read(flags.key, s.keyFile);
  let keyObject;
  try {
    keyObject = createPrivateKey(key);
  } catch {
    // No cause attached: OpenSSL's message could quote key material.
    throw new TlsError(`${flags.key} ${s.keyFile}: not a PEM private key`);
  }
  if (!x.checkPrivateKey(keyObject)) throw new TlsError(`${flags.key} ${s.keyFile} is not the key of ${flags.cert} ${s.certFile} (${x.subject})`);
  let ca: Buffer | undefined;
  if (s.trustedCaFile !== undefined) {
    ca = read(flags.ca, s.trustedCaFile);
    certificates(flags.ca, s.trustedCaFile, ca);
  }
  const eku = x.keyUsage as string[] | undefined;
  return { cert, key, ca, clientCertAuth: s.clientCertAuth, canDial: eku === undefined || eku.includes(CLIENT_AUTH_OID) };
}

export function serverCredentials(m: TlsMaterial): grpc.ServerCredentials {
  return grpc.ServerCredentials.createSsl(m.ca ?? null, [{ cert_chain: m.cert, private_key: m.key }], m.clientCertAuth);
}

/** Dials with the side's certificate as client certificate and its trusted CA as roots. */
export function channelCredentials(m: TlsMaterial): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(m.ca ?? null, m.key, m.cert);
}

/** How to reach a URL: its gRPC address and the credentials its scheme calls for. */
export type Dialer = (url: string) => { address: string; credentials: grpc.ChannelCredentials };

/** Dials http:// URLs in the clear and https:// URLs with `tls` (refused when there is none). */
export function urlDialer(tls: TlsMaterial | undefined, flags: TlsFlagNames): Dialer {
  const insecure = grpc.credentials.createInsecure();
  const secure = tls === undefined ? undefined : channelCredentials(tls);
  return (url) => {
    const address = grpcAddressOf(url);
    if (schemeOf(url) === 'http') return { address, credentials: insecure };
    if (secure === undefined) throw new TlsError(`cannot dial ${url}: this member has no ${flags.cert}/${flags.key}`);
    return { address, credentials: secure };
  };
}
