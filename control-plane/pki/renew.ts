// Renewal: a new certificate for the same subject, names and usage as an existing one issued by
// this CA, with a fresh validity window (like `kubeadm certs renew`).
import * as x509 from './x509.js';
import { crypto } from './algorithm.js';
import type { CryptoKey } from './algorithm.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { parseCertificate } from './certificate-authority.js';
import { readSubject } from './certificate-request.js';
import type { IssuedCertificate, UsageProfile } from './leaf-certificate.js';
import { issueLeaf } from './leaf-certificate.js';
import { PkiError } from './pki-error.js';
import type { PkiDeps, ValidityOptions } from './validity.js';

function usageOf(cert: x509.X509Certificate): UsageProfile {
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [];
  const server = eku.includes(x509.ExtendedKeyUsage.serverAuth);
  const client = eku.includes(x509.ExtendedKeyUsage.clientAuth);
  if (server && client) return 'peer';
  if (server) return 'server';
  if (client) return 'client';
  throw new PkiError('bad-subject', `"${cert.subject}" has neither serverAuth nor clientAuth`);
}

export interface RenewOptions extends ValidityOptions {
  /** Keep this public key (e.g. the old certificate's); absent: a new key pair is generated. */
  publicKey?: CryptoKey;
}

export async function renewCertificate(ca: CertificateAuthority, certPem: string, o: RenewOptions, deps: PkiDeps): Promise<IssuedCertificate> {
  const old = parseCertificate(certPem);
  if (!(await old.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }, crypto))) {
    throw new PkiError('bad-subject', `"${old.subject}" was not issued by the CA "${ca.cert.subject}"`);
  }
  const subject = readSubject(old.subjectName);
  if (subject.others.length > 0) throw new PkiError('bad-subject', `cannot renew a subject with ${subject.others.join(', ')}`);
  const san = old.getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') dnsNames.push(n.value);
    else if (n.type === 'ip') ipAddresses.push(n.value);
  }
  return issueLeaf(ca, { ...subject, usage: usageOf(old), dnsNames, ipAddresses, ...(o.publicKey !== undefined ? { publicKey: o.publicKey } : {}) }, o, deps);
}
