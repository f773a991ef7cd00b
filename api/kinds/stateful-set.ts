// StatefulSet (apps/v1): pods with stable names (web-0, web-1, ...) and one volume per pod from
// each volumeClaimTemplate. Mounts may name a claim template. Only replicas, template,
// updateStrategy and minReadySeconds may change after creation.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import type { FieldError } from '../kind.js';
import { conditionSchema } from '../schemas/conditions.js';
import { crossCheck, forbidden, int32, invalid, obj, oneOf, required, requiredString, unique, withDefaults } from '../schemas/kit.js';
import { annotationMap, labelMap } from '../schemas/labels.js';
import { labelSelectorSchema } from '../schemas/label-selector.js';
import { dns1123Label, dns1123Subdomain } from '../schemas/names.js';
import { checkVolumeMounts } from '../schemas/pod-spec.js';
import { checkSelectorMatchesTemplate, podTemplateSpecSchema } from '../schemas/pod-template.js';
import { resourceList } from '../schemas/resources.js';
import { jsonEqual, forbiddenUpdate } from '../schemas/update-rules.js';
import { checkIntOrPercent, intOrPercent } from '../schemas/workload.js';
import { ageColumn, column, containersColumn, imagesColumn, nameColumn, num } from '../table/cells.js';

export const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;

/** A PersistentVolumeClaim template: one claim per pod, named `<template>-<statefulset>-<ordinal>`. */
export const volumeClaimTemplateSchema = obj({
  metadata: obj({ name: requiredString(), labels: labelMap().optional(), annotations: annotationMap().optional() }),
  spec: obj({
    accessModes: z.array(oneOf(ACCESS_MODES)).min(1),
    resources: obj({ requests: resourceList(['storage']), limits: resourceList(['storage']).optional() }),
    storageClassName: z.string().optional(),
    volumeMode: oneOf(['Filesystem', 'Block']).default('Filesystem'),
    selector: labelSelectorSchema.optional(),
  }),
});

export const statefulSetSchema = crossCheck(
  kindSchema(
    { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
    {
      spec: obj({
        replicas: int32(0).default(1),
        selector: labelSelectorSchema,
        template: podTemplateSpecSchema(['Always'], false),
        serviceName: z.string().optional(),
        volumeClaimTemplates: z.array(volumeClaimTemplateSchema).optional(),
        podManagementPolicy: oneOf(['OrderedReady', 'Parallel']).default('OrderedReady'),
        updateStrategy: withDefaults(obj({
          type: oneOf(['RollingUpdate', 'OnDelete']).default('RollingUpdate'),
          rollingUpdate: obj({ partition: int32(0).default(0), maxUnavailable: intOrPercent().optional() }).optional(),
        }),
          (s) => (s.type === 'RollingUpdate' ? { ...s, rollingUpdate: s.rollingUpdate ?? { partition: 0 } } : s)).prefault({}),
        revisionHistoryLimit: int32(0).default(10),
        minReadySeconds: int32(0).default(0),
      }),
      status: obj({
        observedGeneration: z.int().optional(),
        replicas: int32(0).default(0),
        readyReplicas: int32(0).optional(),
        currentReplicas: int32(0).optional(),
        updatedReplicas: int32(0).optional(),
        availableReplicas: int32(0).optional(),
        currentRevision: z.string().optional(),
        updateRevision: z.string().optional(),
        collisionCount: int32(0).optional(),
        conditions: z.array(conditionSchema).optional(),
      }).optional(),
    },
  ),
  ['!spec.selector', 'spec.template.metadata', 'spec.template.spec.volumes', 'spec.template.spec.containers.*.volumeMounts', 'spec.template.spec.initContainers.*.volumeMounts', 'spec.volumeClaimTemplates.*.metadata', 'spec.volumeClaimTemplates.*.spec.resources', 'spec.updateStrategy', 'spec.serviceName'],
  (s, ctx) => {
    checkSelectorMatchesTemplate(ctx, s.spec.selector, s.spec.template.metadata?.labels, 'statefulset');
    const claims = (s.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name);
    s.spec.volumeClaimTemplates?.forEach((c, i) => {
      for (const e of dns1123Subdomain(c.metadata.name)) invalid(ctx, ['spec', 'volumeClaimTemplates', i, 'metadata', 'name'], c.metadata.name, e);
      if (c.spec.resources.requests.storage === undefined) required(ctx, ['spec', 'volumeClaimTemplates', i, 'spec', 'resources', 'requests', '[storage]']);
    });
    unique(ctx, s.spec.volumeClaimTemplates, (c) => c.metadata.name, (i) => ['spec', 'volumeClaimTemplates', i, 'metadata', 'name']);
    checkVolumeMounts(ctx, s.spec.template.spec, claims, ['spec', 'template', 'spec']);
    if (s.spec.serviceName) for (const e of dns1123Label(s.spec.serviceName)) invalid(ctx, ['spec', 'serviceName'], s.spec.serviceName, e);
    const u = s.spec.updateStrategy;
    if (u.type === 'OnDelete' && u.rollingUpdate) forbidden(ctx, ['spec', 'updateStrategy', 'rollingUpdate'], "only allowed for updateStrategy 'RollingUpdate'");
    if (u.rollingUpdate?.maxUnavailable !== undefined) checkIntOrPercent(ctx, ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'], u.rollingUpdate.maxUnavailable, true);
  },
);

export type StatefulSet = z.output<typeof statefulSetSchema>;
export type StatefulSetInput = z.input<typeof statefulSetSchema>;

const UPDATABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds'] as const;

export function validateStatefulSetUpdate(next: StatefulSet, old: StatefulSet): FieldError[] {
  const frozen = (s: StatefulSet['spec']): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...s };
    for (const f of UPDATABLE) delete copy[f];
    return copy;
  };
  return jsonEqual(frozen(next.spec), frozen(old.spec))
    ? []
    : [forbiddenUpdate(['spec'], "updates to statefulset spec for fields other than 'replicas', 'template', 'updateStrategy' and 'minReadySeconds' are forbidden")];
}

export const statefulSetKind = defineKind<StatefulSet>({
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  resource: 'statefulsets',
  shortNames: ['sts'],
  namespaced: true,
  hasStatus: true,
  schema: statefulSetSchema,
  validateUpdate: validateStatefulSetUpdate,
  columns: [nameColumn, column<StatefulSet>('READY', (s) => `${num(s.status?.readyReplicas)}/${s.spec.replicas}`), ageColumn, containersColumn, imagesColumn],
});
