// Lease (coordination.k8s.io/v1): node heartbeats (kube-node-lease namespace) and leader
// election of the scheduler and controller manager (kube-system).
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { int32, obj, timestamp } from '../schemas/kit.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';

export const leaseSchema = kindSchema(
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespaced: true },
  {
    spec: obj({
      holderIdentity: z.string().optional(),
      leaseDurationSeconds: int32(1).optional(),
      acquireTime: timestamp().optional(),
      renewTime: timestamp().optional(),
      leaseTransitions: int32(0).optional(),
    }).prefault({}),
  },
);

export type Lease = z.output<typeof leaseSchema>;
export type LeaseInput = z.input<typeof leaseSchema>;

export const leaseKind = defineKind<Lease>({
  kind: 'Lease',
  apiVersion: 'coordination.k8s.io/v1',
  resource: 'leases',
  namespaced: true,
  hasStatus: false,
  schema: leaseSchema,
  fieldLabels: (l) => ({ 'spec.holderIdentity': l.spec?.holderIdentity ?? '' }),
  columns: [nameColumn, column<Lease>('HOLDER', (l) => l.spec.holderIdentity ?? ''), ageColumn],
});
