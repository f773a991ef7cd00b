// Leaf certificates signed by the cluster CA. A usage profile decides the extended key usage:
// server (TLS serving), client (CN = user, O = groups) or peer (both: a store member serves its
// peers and dials them with the same certificate, as etcd's peer certificates do).
import { isIP } from 'node:net';
import * as x509 from './x509.js';
import { crypto, SIGNING_ALGORITHM } from './algorithm.js';
import type { CryptoKey } from './algorithm.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { PkiError } from './pki-error.js';
import { PrivateKey } from './private-key.js';
import type { PkiDeps, ValidityOptions } from './validity.js';
import { DEFAULT_LEAF_VALIDITY_MS, randomSerial, validityWindow } from './validity.js';

export const USAGE_PROFILES = {
  server: [x509.ExtendedKeyUsage.serverAuth],
  client: [x509.ExtendedKeyUsage.clientAuth],
  peer: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
} as const;
export type UsageProfile = keyof typeof USAGE_PROFILES;

export interface Subject {
  commonName: string;
  /** O= attributes, in order (for client certificates: the user's groups). */
  organizations?: readonly string[];
}

export interface LeafRequest extends Subject {
  usage: UsageProfile;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** The subject's public key (from a CSR); absent: a new key pair is generated and returned. */
  publicKey?: CryptoKey;
}

export interface IssuedCertificate {
  readonly cert: x509.X509Certificate;
  readonly certPem: string;
  /** Present when the key pair was generated here. */
  readonly key: PrivateKey | undefined;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function subjectName(s: Subject): x509.JsonName {
  if (s.commonName === '' || s.commonName.length > 64) throw new PkiError('bad-subject', `CN must be 1 to 64 characters, got ${s.commonName.length}`);
  for (const o of s.organizations ?? []) {
    if (o === '' || o.length > 64) throw new PkiError('bad-subject', `O must be 1 to 64 characters, got "${o}"`);
  }
  return [{ CN: [s.commonName] }, ...(s.organizations ?? []).map((o) => ({ O: [o] }))];
}

function altNames(dnsNames: readonly string[], ips: readonly string[]): x509.JsonGeneralNames {
  const names: x509.JsonGeneralNames = [];
  const seen = new Set<string>();
  for (const d of dnsNames) {
    const n = d.toLowerCase();
    if (!DNS_NAME.test(n)) throw new PkiError('bad-san', `"${d}" is not a DNS name`);
    if (!seen.has(`dns:${n}`)) names.push({ type: 'dns', value: n });
    seen.add(`dns:${n}`);
  }
  for (const ip of ips) {
    if (isIP(ip) === 0) throw new PkiError('bad-san', `"${ip}" is not an IP address`);
    if (!seen.has(`ip:${ip}`)) names.push({ type: 'ip', value: ip });
    seen.add(`ip:${ip}`);
  }
  return names;
}

export async function issueLeaf(ca: CertificateAuthority, req: LeafRequest, o: ValidityOptions, deps: PkiDeps): Promise<IssuedCertificate> {
  const name = subjectName(req);
  const sans = altNames(req.dnsNames ?? [], req.ipAddresses ?? []);
  if (req.usage !== 'client' && sans.length === 0) throw new PkiError('bad-san', `a ${req.usage} certificate needs at least one DNS name or IP address`);
  const key = req.publicKey === undefined ? await PrivateKey.generate() : undefined;
  const publicKey = req.publicKey ?? key!.publicKey;
  const { notBefore, notAfter } = validityWindow(deps.now(), o, DEFAULT_LEAF_VALIDITY_MS, ca.cert.notAfter);
  if (notAfter <= deps.now()) throw new PkiError('bad-validity', `the CA "${ca.cert.subject}" has expired`);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([...USAGE_PROFILES[req.usage]], false),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
    await x509.AuthorityKeyIdentifierExtension.create(ca.key.publicKey, false, crypto),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(deps),
      subject: name,
      issuer: ca.cert.subjectName,
      notBefore,
      notAfter,
      publicKey,
      signingKey: ca.key.privateKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions,
    },
    crypto,
  );
  return { cert, certPem: cert.toString('pem'), key };
}

export interface ServingRequest {
  commonName: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** 'peer' for certificates that also dial (store members, whose peers check client certs). */
  usage?: 'server' | 'peer';
}

/** A serving certificate for every given name and address, plus localhost and 127.0.0.1. */
export function issueServing(ca: CertificateAuthority, req: ServingRequest, o: ValidityOptions, deps: PkiDeps): Promise<IssuedCertificate> {
  return issueLeaf(
    ca,
    {
      commonName: req.commonName,
      usage: req.usage ?? 'server',
      dnsNames: [...(req.dnsNames ?? []), 'localhost'],
      ipAddresses: [...(req.ipAddresses ?? []), '127.0.0.1'],
    },
    o,
    deps,
  );
}

/** A client certificate: CN = user, O = groups (what the API server's authenticator reads). */
export function issueClient(ca: CertificateAuthority, user: string, groups: readonly string[], o: ValidityOptions, deps: PkiDeps): Promise<IssuedCertificate> {
  return issueLeaf(ca, { commonName: user, organizations: groups, usage: 'client' }, o, deps);
}
