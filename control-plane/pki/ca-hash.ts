// The CA public key pin, as kubeadm prints it for `join --discovery-token-ca-cert-hash`:
// "sha256:" + hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo.
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseCertificate } from './certificate-authority.js';
import { PkiError } from './pki-error.js';

const HASH = /^sha256:([0-9a-f]{64})$/;

export function caCertHash(caCertPem: string): string {
  const spki = Buffer.from(parseCertificate(caCertPem, 'CA certificate').publicKey.rawData);
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Throws unless `expected` ("sha256:<64 hex>", case-insensitive) pins this CA's public key. */
export function checkCaCertHash(caCertPem: string, expected: string): void {
  const m = HASH.exec(expected.trim().toLowerCase());
  if (m === null) throw new PkiError('bad-ca-hash', `want "sha256:" and 64 hex digits, got "${expected}"`);
  const want = Buffer.from(m[1]!, 'hex');
  const got = Buffer.from(caCertHash(caCertPem).slice('sha256:'.length), 'hex');
  if (!timingSafeEqual(want, got)) throw new PkiError('ca-hash-mismatch', `the CA's public key hashes to ${caCertHash(caCertPem)}`);
}
