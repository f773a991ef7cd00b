// Deployment (apps/v1): replicas of a pod template rolled out through ReplicaSets. Defaults as
// Kubernetes: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadline 600s.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { conditionSchema } from '../schemas/conditions.js';
import { crossCheck, forbidden, int32, invalid, obj, oneOf, withDefaults } from '../schemas/kit.js';
import { labelSelectorSchema } from '../schemas/label-selector.js';
import { checkSelectorMatchesTemplate, podTemplateSpecSchema } from '../schemas/pod-template.js';
import { checkIntOrPercent, intOrPercent, isZero, selectorImmutable } from '../schemas/workload.js';
import { ageColumn, column, containersColumn, imagesColumn, nameColumn, num, selectorText } from '../table/cells.js';

const rollingUpdate = obj({ maxUnavailable: intOrPercent().default('25%'), maxSurge: intOrPercent().default('25%') });

export const deploymentSchema = crossCheck(
  kindSchema(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
    {
      spec: obj({
        replicas: int32(0).default(1),
        selector: labelSelectorSchema,
        template: podTemplateSpecSchema(['Always']),
        strategy: withDefaults(obj({ type: oneOf(['RollingUpdate', 'Recreate']).default('RollingUpdate'), rollingUpdate: rollingUpdate.optional() }),
          (s) => (s.type === 'RollingUpdate' ? { ...s, rollingUpdate: s.rollingUpdate ?? { maxUnavailable: '25%', maxSurge: '25%' } } : s)).prefault({}),
        minReadySeconds: int32(0).default(0),
        revisionHistoryLimit: int32(0).default(10),
        progressDeadlineSeconds: int32(1).default(600),
        paused: z.boolean().optional(),
      }),
      status: obj({
        observedGeneration: z.int().optional(),
        replicas: int32(0).optional(),
        updatedReplicas: int32(0).optional(),
        readyReplicas: int32(0).optional(),
        availableReplicas: int32(0).optional(),
        unavailableReplicas: int32(0).optional(),
        conditions: z.array(conditionSchema).optional(),
        collisionCount: int32(0).optional(),
      }).optional(),
    },
  ),
  ['!spec.selector', 'spec.template.metadata', 'spec.strategy', 'spec.minReadySeconds', 'spec.progressDeadlineSeconds'],
  (d, ctx) => {
    checkSelectorMatchesTemplate(ctx, d.spec.selector, d.spec.template.metadata?.labels, 'deployment');
    const s = d.spec.strategy;
    const ru = s.rollingUpdate;
    if (s.type === 'Recreate' && ru) forbidden(ctx, ['spec', 'strategy', 'rollingUpdate'], "may not be specified when strategy `type` is 'Recreate'");
    if (s.type === 'RollingUpdate' && ru) {
      checkIntOrPercent(ctx, ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'], ru.maxUnavailable, true);
      checkIntOrPercent(ctx, ['spec', 'strategy', 'rollingUpdate', 'maxSurge'], ru.maxSurge, false);
      if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge))
        invalid(ctx, ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'], ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
    }
    if (d.spec.progressDeadlineSeconds <= d.spec.minReadySeconds)
      invalid(ctx, ['spec', 'progressDeadlineSeconds'], d.spec.progressDeadlineSeconds, 'must be greater than minReadySeconds');
  },
);

export type Deployment = z.output<typeof deploymentSchema>;
export type DeploymentInput = z.input<typeof deploymentSchema>;

export const deploymentKind = defineKind<Deployment>({
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  resource: 'deployments',
  shortNames: ['deploy'],
  namespaced: true,
  hasStatus: true,
  schema: deploymentSchema,
  validateUpdate: selectorImmutable,
  columns: [
    nameColumn,
    column<Deployment>('READY', (d) => `${num(d.status?.readyReplicas)}/${d.spec.replicas}`),
    column<Deployment>('UP-TO-DATE', (d) => num(d.status?.updatedReplicas)),
    column<Deployment>('AVAILABLE', (d) => num(d.status?.availableReplicas)),
    ageColumn,
    containersColumn,
    imagesColumn,
    column<Deployment>('SELECTOR', (d) => selectorText(d.spec.selector), true),
  ],
});
