// CertificateSigningRequest (certificates.k8s.io/v1, cluster-scoped): a PEM CSR (base64) asking a
// signer for a client certificate. spec.username/groups/uid are the requester's, set by the API
// server (what a client sends there is overwritten); the spec never changes after create.
// status.conditions (Approved / Denied / Failed) and status.certificate (base64 PEM) are written
// by the API server: at create when the request is auto-approved, later through the "approval"
// subresource (`shoalctl certificate approve|deny`).
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import type { FieldError } from '../kind.js';
import { int32, invalid, obj, oneOf, requiredString, timestamp } from '../schemas/kit.js';
import { immutable } from '../schemas/update-rules.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';
import { BASE64 } from './config-map.js';

export const CSR_API_VERSION = 'certificates.k8s.io/v1';
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
/** The signers this API server implements (both issue client certificates from the cluster CA). */
export const CSR_SIGNERS = [KUBELET_CLIENT_SIGNER, CLIENT_SIGNER] as const;
export const CSR_CONDITION_TYPES = ['Approved', 'Denied', 'Failed'] as const;
export type CsrConditionType = (typeof CSR_CONDITION_TYPES)[number];
/** Kubernetes' key usage names. */
export const KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
] as const;
export const DEFAULT_CSR_USAGES = ['digital signature', 'client auth'] as const;
/** Kubernetes' minimum for spec.expirationSeconds (10 minutes). */
export const MIN_EXPIRATION_SECONDS = 600;

const base64 = (what: string) =>
  requiredString().superRefine((v, ctx) => {
    // The value is not echoed: it may be long, and a certificate body is not for logs.
    if (!BASE64.test(v)) invalid(ctx, [], '<value omitted>', `must be the base64 encoding of ${what}`);
  });

export const csrConditionSchema = obj({
  type: oneOf(CSR_CONDITION_TYPES),
  status: oneOf(['True', 'False', 'Unknown']).default('True'),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastUpdateTime: timestamp().optional(),
  lastTransitionTime: timestamp().optional(),
});
export type CsrCondition = z.output<typeof csrConditionSchema>;

export const csrSchema = kindSchema(
  { apiVersion: CSR_API_VERSION, kind: 'CertificateSigningRequest', namespaced: false },
  {
    spec: obj({
      request: base64('a PEM certificate request'),
      signerName: oneOf(CSR_SIGNERS),
      usages: z.array(oneOf(KEY_USAGES)).min(1).default([...DEFAULT_CSR_USAGES]),
      expirationSeconds: int32(MIN_EXPIRATION_SECONDS).optional(),
      username: z.string().optional(),
      uid: z.string().optional(),
      groups: z.array(z.string()).optional(),
    }),
    status: obj({
      conditions: z.array(csrConditionSchema).optional(),
      certificate: base64('a PEM certificate').optional(),
    }).optional(),
  },
);

export type CertificateSigningRequest = z.output<typeof csrSchema>;
export type CertificateSigningRequestInput = z.input<typeof csrSchema>;

/** The condition of that type with status True, if any. */
export function csrCondition(csr: { status?: { conditions?: readonly CsrCondition[] } | undefined }, type: CsrConditionType): CsrCondition | undefined {
  return csr.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** kubectl's CONDITION: "Approved,Issued", "Pending", "Denied", "Failed", ... */
export function csrConditionText(csr: CertificateSigningRequest): string {
  const parts = CSR_CONDITION_TYPES.filter((t) => csrCondition(csr, t) !== undefined) as string[];
  if (parts.length === 0) parts.push('Pending');
  if ((csr.status?.certificate ?? '') !== '') parts.push('Issued');
  return parts.join(',');
}

export function validateCsrUpdate(next: CertificateSigningRequest, old: CertificateSigningRequest): FieldError[] {
  const errors: FieldError[] = [];
  immutable(next.spec, old.spec, ['spec'], errors);
  return errors;
}

export const certificateSigningRequestKind = defineKind<CertificateSigningRequest>({
  kind: 'CertificateSigningRequest',
  apiVersion: CSR_API_VERSION,
  resource: 'certificatesigningrequests',
  shortNames: ['csr'],
  namespaced: false,
  hasStatus: true,
  schema: csrSchema,
  validateUpdate: validateCsrUpdate,
  fieldLabels: (o) => ({ 'spec.signerName': o.spec?.signerName ?? '' }),
  columns: [
    nameColumn,
    ageColumn,
    column<CertificateSigningRequest>('SIGNERNAME', (o) => o.spec.signerName),
    column<CertificateSigningRequest>('REQUESTOR', (o) => o.spec.username ?? ''),
    column<CertificateSigningRequest>('CONDITION', csrConditionText),
  ],
});
