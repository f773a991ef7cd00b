// ReplicationController (v1): the older ReplicaSet with a plain map selector. Defaults as
// Kubernetes: an empty selector (and empty labels) become the template's labels.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { crossCheck, inKeyOrder, int32, obj } from '../schemas/kit.js';
import { labelMap } from '../schemas/labels.js';
import { checkSelectorMatchesTemplate, podTemplateSpecSchema } from '../schemas/pod-template.js';
import { labelSelectorFromMap } from '../selector/label-selector.js';
import { ageColumn, column, containersColumn, imagesColumn, mapSelectorText, nameColumn, num } from '../table/cells.js';
import { replicaStatusSchema } from './replica-set.js';

const base = kindSchema(
  { apiVersion: 'v1', kind: 'ReplicationController', namespaced: true },
  {
    spec: obj({
      replicas: int32(0).default(1),
      minReadySeconds: int32(0).default(0),
      selector: labelMap().optional(),
      template: podTemplateSpecSchema(['Always']),
    }),
    status: replicaStatusSchema.optional(),
  },
);

export const replicationControllerSchema = crossCheck(
  base,
  ['!spec.selector', 'spec.template.metadata'],
  (rc, ctx) => checkSelectorMatchesTemplate(ctx, labelSelectorFromMap(rc.spec.selector ?? rc.spec.template.metadata?.labels), rc.spec.template.metadata?.labels, 'replicationcontroller'),
).transform((rc) => {
  const labels = rc.spec.template.metadata?.labels;
  const selector = rc.spec.selector && Object.keys(rc.spec.selector).length > 0 ? rc.spec.selector : labels;
  const metaLabels = rc.metadata.labels && Object.keys(rc.metadata.labels).length > 0 ? rc.metadata.labels : labels;
  return {
    ...rc,
    metadata: inKeyOrder(Object.keys(base.shape.metadata.shape), { ...rc.metadata, labels: metaLabels }),
    spec: inKeyOrder(Object.keys(base.shape.spec.shape), { ...rc.spec, selector }),
  };
});

export type ReplicationController = z.output<typeof replicationControllerSchema>;
export type ReplicationControllerInput = z.input<typeof replicationControllerSchema>;

export const replicationControllerKind = defineKind<ReplicationController>({
  kind: 'ReplicationController',
  apiVersion: 'v1',
  resource: 'replicationcontrollers',
  shortNames: ['rc'],
  namespaced: true,
  hasStatus: true,
  schema: replicationControllerSchema,
  fieldLabels: (rc) => ({ 'status.replicas': String(rc.status?.replicas ?? 0) }),
  columns: [
    nameColumn,
    column<ReplicationController>('DESIRED', (rc) => String(rc.spec.replicas)),
    column<ReplicationController>('CURRENT', (rc) => num(rc.status?.replicas)),
    column<ReplicationController>('READY', (rc) => num(rc.status?.readyReplicas)),
    ageColumn,
    containersColumn,
    imagesColumn,
    column<ReplicationController>('SELECTOR', (rc) => mapSelectorText(rc.spec.selector), true),
  ],
});
