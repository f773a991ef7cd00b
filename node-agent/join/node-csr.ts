// The node's CertificateSigningRequest (contract C4) and what its answer means. Pure.
import type { KubeObject } from '../../api/index.js';
import { NODE_USER_PREFIX, NODES_GROUP } from '../../control-plane/pki/index.js';
import type { Subject } from '../../control-plane/pki/index.js';

export const CSR_API_VERSION = 'certificates.k8s.io/v1';
export const CSR_KIND = 'CertificateSigningRequest';
export const CSR_RESOURCE = 'certificatesigningrequests';
export const NODE_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
/** What the kubelet asks for with an ECDSA key. */
export const NODE_CLIENT_USAGES = ['digital signature', 'client auth'] as const;

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface CertificateSigningRequest extends KubeObject {
  spec: { request: string; signerName: string; usages: string[]; expirationSeconds?: number; username?: string; groups?: string[]; uid?: string };
  status?: { conditions?: CsrCondition[]; certificate?: string };
}

export function nodeSubject(nodeName: string): Subject {
  return { commonName: `${NODE_USER_PREFIX}${nodeName}`, organizations: [NODES_GROUP] };
}

export function nodeCsrObject(csrPem: string, expirationSeconds?: number): CertificateSigningRequest {
  return {
    apiVersion: CSR_API_VERSION,
    kind: CSR_KIND,
    // Kubernetes' kubelet does the same: the server picks a unique name.
    metadata: { generateName: 'node-csr-' },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: NODE_CLIENT_SIGNER,
      usages: [...NODE_CLIENT_USAGES],
      ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
    },
  };
}

export type CsrOutcome =
  | { readonly kind: 'issued'; readonly certPem: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'pending' };

/** Denied or Failed wins over a certificate; Approved without a certificate is still pending. */
export function csrOutcome(csr: CertificateSigningRequest): CsrOutcome {
  const conditions = csr.status?.conditions ?? [];
  const refusal = conditions.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
  if (refusal !== undefined) return { kind: 'refused', reason: `${refusal.type}${refusal.reason ? ` (${refusal.reason})` : ''}${refusal.message ? `: ${refusal.message}` : ''}` };
  const cert = csr.status?.certificate;
  if (cert !== undefined && cert !== '') return { kind: 'issued', certPem: Buffer.from(cert, 'base64').toString('utf8') };
  return { kind: 'pending' };
}
