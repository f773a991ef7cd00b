// Namespace (v1, cluster-scoped): a DNS-1123 label; status.phase defaults to Active and becomes
// Terminating while the namespace controller empties it.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { obj, oneOf } from '../schemas/kit.js';
import { dns1123Label } from '../schemas/names.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';

export const NAMESPACE_PHASES = ['Active', 'Terminating'] as const;

export const namespaceSchema = kindSchema(
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false, name: dns1123Label },
  {
    spec: obj({ finalizers: z.array(z.string()).optional() }).optional(),
    status: obj({ phase: oneOf(NAMESPACE_PHASES).default('Active') }).prefault({}),
  },
);

export type Namespace = z.output<typeof namespaceSchema>;
export type NamespaceInput = z.input<typeof namespaceSchema>;

export const namespaceKind = defineKind<Namespace>({
  kind: 'Namespace',
  apiVersion: 'v1',
  resource: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  hasStatus: true,
  schema: namespaceSchema,
  fieldLabels: (o) => ({ 'status.phase': o.status?.phase ?? '' }),
  columns: [nameColumn, column<Namespace>('STATUS', (o) => o.status.phase), ageColumn],
});
