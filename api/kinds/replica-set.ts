// ReplicaSet (apps/v1): keeps `replicas` pods of its template running; owned by Deployments.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { conditionSchema } from '../schemas/conditions.js';
import { crossCheck, int32, obj } from '../schemas/kit.js';
import { labelSelectorSchema } from '../schemas/label-selector.js';
import { checkSelectorMatchesTemplate, podTemplateSpecSchema } from '../schemas/pod-template.js';
import { selectorImmutable } from '../schemas/workload.js';
import { ageColumn, column, containersColumn, imagesColumn, nameColumn, num, selectorText } from '../table/cells.js';

/** Status of ReplicaSets and ReplicationControllers. */
export const replicaStatusSchema = obj({
  replicas: int32(0).default(0),
  fullyLabeledReplicas: int32(0).optional(),
  readyReplicas: int32(0).optional(),
  availableReplicas: int32(0).optional(),
  observedGeneration: z.int().optional(),
  conditions: z.array(conditionSchema).optional(),
});

export const replicaSetSchema = crossCheck(
  kindSchema(
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespaced: true },
    {
      spec: obj({
        replicas: int32(0).default(1),
        minReadySeconds: int32(0).default(0),
        selector: labelSelectorSchema,
        template: podTemplateSpecSchema(['Always']),
      }),
      status: replicaStatusSchema.optional(),
    },
  ),
  ['!spec.selector', 'spec.template.metadata'],
  (rs, ctx) => checkSelectorMatchesTemplate(ctx, rs.spec.selector, rs.spec.template.metadata?.labels, 'replicaset'),
);

export type ReplicaSet = z.output<typeof replicaSetSchema>;
export type ReplicaSetInput = z.input<typeof replicaSetSchema>;

export const replicaSetKind = defineKind<ReplicaSet>({
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  resource: 'replicasets',
  shortNames: ['rs'],
  namespaced: true,
  hasStatus: true,
  schema: replicaSetSchema,
  validateUpdate: selectorImmutable,
  fieldLabels: (rs) => ({ 'status.replicas': String(rs.status?.replicas ?? 0) }),
  columns: [
    nameColumn,
    column<ReplicaSet>('DESIRED', (rs) => String(rs.spec.replicas)),
    column<ReplicaSet>('CURRENT', (rs) => num(rs.status?.replicas)),
    column<ReplicaSet>('READY', (rs) => num(rs.status?.readyReplicas)),
    ageColumn,
    containersColumn,
    imagesColumn,
    column<ReplicaSet>('SELECTOR', (rs) => selectorText(rs.spec.selector), true),
  ],
});
