// The one key algorithm of the cluster PKI: ECDSA on P-256 with SHA-256.
// Why not RSA 2048: key generation is milliseconds instead of seconds on a Raspberry Pi, keys and
// certificates are a fraction of the size (every TLS handshake on a slow edge link carries the
// chain), the strength is comparable (~128 bits vs ~112), and every client we care about speaks
// it (Go's etcdctl and kubectl, Node's TLS, grpc-js); kubeadm offers the same choice (ECDSA-P256).
import { webcrypto } from 'node:crypto';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The WebCrypto implementation passed explicitly to every @peculiar/x509 call (no global provider). */
export const crypto = webcrypto;

/** A new extractable key pair for a certificate (the private key is written to a 0600 file). */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}
