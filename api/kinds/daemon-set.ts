// DaemonSet (apps/v1): one pod of its template on every eligible node. Defaults as Kubernetes:
// RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { conditionSchema } from '../schemas/conditions.js';
import { crossCheck, forbidden, int32, invalid, obj, oneOf, withDefaults } from '../schemas/kit.js';
import { labelSelectorSchema } from '../schemas/label-selector.js';
import { checkSelectorMatchesTemplate, podTemplateSpecSchema } from '../schemas/pod-template.js';
import { checkIntOrPercent, intOrPercent, isZero, selectorImmutable } from '../schemas/workload.js';
import { ageColumn, column, containersColumn, imagesColumn, nameColumn, num, orNone, selectorText } from '../table/cells.js';

export const daemonSetSchema = crossCheck(
  kindSchema(
    { apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true },
    {
      spec: obj({
        selector: labelSelectorSchema,
        template: podTemplateSpecSchema(['Always']),
        updateStrategy: withDefaults(obj({
          type: oneOf(['RollingUpdate', 'OnDelete']).default('RollingUpdate'),
          rollingUpdate: obj({ maxUnavailable: intOrPercent().default(1), maxSurge: intOrPercent().default(0) }).optional(),
        }),
          (s) => (s.type === 'RollingUpdate' ? { ...s, rollingUpdate: s.rollingUpdate ?? { maxUnavailable: 1, maxSurge: 0 } } : s)).prefault({}),
        minReadySeconds: int32(0).default(0),
        revisionHistoryLimit: int32(0).default(10),
      }),
      status: obj({
        currentNumberScheduled: int32(0).default(0),
        numberMisscheduled: int32(0).default(0),
        desiredNumberScheduled: int32(0).default(0),
        numberReady: int32(0).default(0),
        updatedNumberScheduled: int32(0).optional(),
        numberAvailable: int32(0).optional(),
        numberUnavailable: int32(0).optional(),
        observedGeneration: z.int().optional(),
        collisionCount: int32(0).optional(),
        conditions: z.array(conditionSchema).optional(),
      }).optional(),
    },
  ),
  ['!spec.selector', 'spec.template.metadata', 'spec.updateStrategy'],
  (ds, ctx) => {
    checkSelectorMatchesTemplate(ctx, ds.spec.selector, ds.spec.template.metadata?.labels, 'daemonset');
    const s = ds.spec.updateStrategy;
    const path = ['spec', 'updateStrategy', 'rollingUpdate'];
    if (s.type === 'OnDelete' && s.rollingUpdate) forbidden(ctx, path, "may not be specified when strategy `type` is 'OnDelete'");
    if (s.type === 'RollingUpdate' && s.rollingUpdate) {
      checkIntOrPercent(ctx, [...path, 'maxUnavailable'], s.rollingUpdate.maxUnavailable, true);
      checkIntOrPercent(ctx, [...path, 'maxSurge'], s.rollingUpdate.maxSurge, true);
      if (isZero(s.rollingUpdate.maxUnavailable) && isZero(s.rollingUpdate.maxSurge))
        invalid(ctx, [...path, 'maxUnavailable'], s.rollingUpdate.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
    }
  },
);

export type DaemonSet = z.output<typeof daemonSetSchema>;
export type DaemonSetInput = z.input<typeof daemonSetSchema>;

export const daemonSetKind = defineKind<DaemonSet>({
  kind: 'DaemonSet',
  apiVersion: 'apps/v1',
  resource: 'daemonsets',
  shortNames: ['ds'],
  namespaced: true,
  hasStatus: true,
  schema: daemonSetSchema,
  validateUpdate: selectorImmutable,
  columns: [
    nameColumn,
    column<DaemonSet>('DESIRED', (d) => num(d.status?.desiredNumberScheduled)),
    column<DaemonSet>('CURRENT', (d) => num(d.status?.currentNumberScheduled)),
    column<DaemonSet>('READY', (d) => num(d.status?.numberReady)),
    column<DaemonSet>('UP-TO-DATE', (d) => num(d.status?.updatedNumberScheduled)),
    column<DaemonSet>('AVAILABLE', (d) => num(d.status?.numberAvailable)),
    column<DaemonSet>('NODE SELECTOR', (d) =>
      orNone(
        Object.entries(d.spec.template.spec.nodeSelector ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      ),
    ),
    ageColumn,
    containersColumn,
    imagesColumn,
    column<DaemonSet>('SELECTOR', (d) => selectorText(d.spec.selector), true),
  ],
});
