// Certificate signing requests: a subject (e.g. a node joining with a bootstrap token) proves it
// holds a key and asks for a client certificate. The CA signs only what the policy allows, and
// only the subject and public key of the request are used: requested extensions (SANs, CA:TRUE,
// key usages) are ignored, the result is always a client certificate.
import * as x509 from './x509.js';
import { crypto, SIGNING_ALGORITHM } from './algorithm.js';
import type { CryptoKey } from './algorithm.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { IssuedCertificate, Subject } from './leaf-certificate.js';
import { issueLeaf, subjectName } from './leaf-certificate.js';
import { PkiError } from './pki-error.js';
import { PrivateKey } from './private-key.js';
import type { PkiDeps, ValidityOptions } from './validity.js';

export interface RequestedSubject {
  commonName: string;
  organizations: string[];
  /** Any other attribute of the subject (OU, C, ...), as "type=value". */
  others: string[];
}

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };
/** Decides whether the CA signs a request for this subject. Pure. */
export type CsrPolicy = (subject: RequestedSubject) => PolicyDecision;

export type SignOutcome =
  | { ok: true; issued: IssuedCertificate; subject: RequestedSubject }
  | { ok: false; code: 'bad-csr' | 'csr-refused'; reason: string };

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
const NODE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Kubernetes' rule for node client certificates: CN "system:node:<name>" with a DNS-1123 name,
 * O exactly "system:nodes", nothing else. With nodeName, only that node.
 */
export function nodeCsrPolicy(nodeName?: string): CsrPolicy {
  return (s) => {
    if (!s.commonName.startsWith(NODE_USER_PREFIX)) return { allowed: false, reason: `CN "${s.commonName}" does not start with "${NODE_USER_PREFIX}"` };
    const name = s.commonName.slice(NODE_USER_PREFIX.length);
    if (name.length > 253 || !NODE_NAME.test(name)) return { allowed: false, reason: `"${name}" is not a valid node name (DNS-1123 subdomain)` };
    if (nodeName !== undefined && name !== nodeName) return { allowed: false, reason: `the request is for node "${name}", not "${nodeName}"` };
    if (s.organizations.length !== 1 || s.organizations[0] !== NODES_GROUP) {
      return { allowed: false, reason: `O must be exactly "${NODES_GROUP}", got [${s.organizations.join(', ')}]` };
    }
    if (s.others.length > 0) return { allowed: false, reason: `unexpected subject attributes: ${s.others.join(', ')}` };
    return { allowed: true };
  };
}

/** The subject of a certificate or request as CN, O and the rest. */
export function readSubject(name: x509.Name): RequestedSubject {
  const out: RequestedSubject = { commonName: '', organizations: [], others: [] };
  let cns = 0;
  for (const rdn of name.toJSON()) {
    for (const [type, values] of Object.entries(rdn)) {
      for (const v of values) {
        if (type === 'CN') {
          out.commonName = v;
          cns++;
        } else if (type === 'O') out.organizations.push(v);
        else out.others.push(`${type}=${v}`);
      }
    }
  }
  if (cns > 1) out.others.push('CN (more than one)');
  return out;
}

export type ReadCsrOutcome = { ok: true; subject: RequestedSubject; publicKey: CryptoKey } | { ok: false; reason: string };

/** Parses a PEM CSR and checks its signature and key (ECDSA P-256); the subject is not judged here. */
export async function readCsr(csrPem: string): Promise<ReadCsrOutcome> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(csrPem)) throw new Error('no "BEGIN CERTIFICATE REQUEST" block');
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (e) {
    return { ok: false, reason: `not a PEM certificate request: ${(e as Error).message}` };
  }
  let publicKey: CryptoKey;
  try {
    if (!(await csr.verify(crypto))) return { ok: false, reason: 'the request signature does not verify' };
    publicKey = await csr.publicKey.export(crypto);
  } catch (e) {
    return { ok: false, reason: `unsupported key or signature: ${(e as Error).message}` };
  }
  const alg = publicKey.algorithm as { name: string; namedCurve?: string };
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256') return { ok: false, reason: `the key must be ECDSA P-256, got ${alg.name} ${alg.namedCurve ?? ''}`.trim() };
  return { ok: true, subject: readSubject(csr.subjectName), publicKey };
}

/** Signs a PEM CSR if its signature verifies and the policy allows its subject. */
export async function signCsr(ca: CertificateAuthority, csrPem: string, policy: CsrPolicy, o: ValidityOptions, deps: PkiDeps): Promise<SignOutcome> {
  const read = await readCsr(csrPem);
  if (!read.ok) return { ok: false, code: 'bad-csr', reason: read.reason };
  const { subject, publicKey } = read;
  if (subject.commonName === '') return { ok: false, code: 'csr-refused', reason: 'the request has no CN' };
  const decision = policy(subject);
  if (!decision.allowed) return { ok: false, code: 'csr-refused', reason: decision.reason };
  try {
    const issued = await issueLeaf(ca, { commonName: subject.commonName, organizations: subject.organizations, usage: 'client', publicKey }, o, deps);
    return { ok: true, issued, subject };
  } catch (e) {
    if (e instanceof PkiError) return { ok: false, code: 'csr-refused', reason: e.message };
    throw e;
  }
}

/** A CSR for a subject (what an agent sends); a new key unless one is given. */
export async function createCsr(subject: Subject, key?: PrivateKey): Promise<{ csrPem: string; key: PrivateKey }> {
  const k = key ?? (await PrivateKey.generate());
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: subjectName(subject), keys: { privateKey: k.privateKey, publicKey: k.publicKey }, signingAlgorithm: SIGNING_ALGORITHM },
    crypto,
  );
  return { csrPem: csr.toString('pem'), key: k };
}
