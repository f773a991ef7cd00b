// ServiceAccount (v1): an identity for pods; the service-account controller makes `default` in
// every namespace.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { obj, requiredString } from '../schemas/kit.js';
import { objectReferenceSchema } from '../schemas/object-reference.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';

export const serviceAccountSchema = kindSchema(
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true },
  {
    secrets: z.array(objectReferenceSchema).optional(),
    imagePullSecrets: z.array(obj({ name: requiredString() })).optional(),
    automountServiceAccountToken: z.boolean().optional(),
  },
);

export type ServiceAccount = z.output<typeof serviceAccountSchema>;
export type ServiceAccountInput = z.input<typeof serviceAccountSchema>;

export const serviceAccountKind = defineKind<ServiceAccount>({
  kind: 'ServiceAccount',
  apiVersion: 'v1',
  resource: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  hasStatus: false,
  schema: serviceAccountSchema,
  columns: [nameColumn, column<ServiceAccount>('SECRETS', (s) => String(s.secrets?.length ?? 0)), ageColumn],
});
