// Which CertificateSigningRequests the API server approves by itself (contract C4), and what any
// approved request may be signed for. Pure: the requester, the signer and the parsed subject in,
// a decision out.
//   - a bootstrapper (system:bootstrappers, i.e. a bootstrap token) asking for
//     CN=system:node:<name>, O=system:nodes with the kubelet client signer: a new node;
//   - system:node:<name> asking for the same CN with the kubelet signer: renewal.
// Everything else stays pending until an admin approves or denies it.
import { CLIENT_SIGNER, KUBELET_CLIENT_SIGNER } from '../../../api/index.js';
import { nodeCsrPolicy } from '../../pki/index.js';
import type { CsrPolicy, RequestedSubject } from '../../pki/index.js';
import { Groups } from '../security/index.js';

/** The requester as the API server authenticated it. */
export interface Requester {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface CsrView {
  readonly signerName: string;
  readonly usages: readonly string[];
  readonly subject: RequestedSubject;
}

export type AutoApproval = { readonly approve: true; readonly reason: string; readonly message: string } | { readonly approve: false; readonly why: string };

/** Usages a client certificate may carry: Shoal's signers issue client certificates only. */
export const CLIENT_USAGES: readonly string[] = ['digital signature', 'key encipherment', 'client auth'];

/** Why these usages cannot be signed as a client certificate, or undefined when they can. */
export function usagesProblem(usages: readonly string[]): string | undefined {
  const other = usages.filter((u) => !CLIENT_USAGES.includes(u));
  if (other.length > 0) return `usages ${other.map((u) => `"${u}"`).join(', ')} are not allowed: the signers issue client certificates (${CLIENT_USAGES.join(', ')})`;
  if (!usages.includes('client auth')) return 'usages must include "client auth"';
  return undefined;
}

/** Refuses any subject in system:masters: an approved CSR must never mint an unrevocable cluster-admin credential. */
const clientPolicy: CsrPolicy = (s) => {
  if (s.organizations.includes(Groups.masters)) return { allowed: false, reason: `O="${Groups.masters}" is never signed from a CSR` };
  if (s.others.length > 0) return { allowed: false, reason: `unexpected subject attributes: ${s.others.join(', ')}` };
  return { allowed: true };
};

/** What the signer of `signerName` will sign once a request is approved; undefined = not a signer of this server. */
export function signingPolicy(signerName: string): CsrPolicy | undefined {
  switch (signerName) {
    case KUBELET_CLIENT_SIGNER:
      return nodeCsrPolicy();
    case CLIENT_SIGNER:
      return clientPolicy;
    default:
      return undefined;
  }
}

export function decideAutoApproval(requester: Requester, csr: CsrView): AutoApproval {
  if (csr.signerName !== KUBELET_CLIENT_SIGNER) return { approve: false, why: `only ${KUBELET_CLIENT_SIGNER} requests are approved automatically` };
  const usages = usagesProblem(csr.usages);
  if (usages !== undefined) return { approve: false, why: usages };
  const node = nodeCsrPolicy()(csr.subject);
  if (!node.allowed) return { approve: false, why: node.reason };
  if (requester.groups.includes(Groups.bootstrappers)) {
    return { approve: true, reason: 'AutoApproved', message: `new node: ${requester.name} (a bootstrap token) asked for ${csr.subject.commonName}` };
  }
  if (requester.name === csr.subject.commonName) {
    return { approve: true, reason: 'AutoApproved', message: `renewal: ${requester.name} asked for its own identity` };
  }
  return { approve: false, why: `${requester.name} may not request a certificate for ${csr.subject.commonName} without approval` };
}
