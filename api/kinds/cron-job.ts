// CronJob (batch/v1): creates a Job from jobTemplate on a cron schedule. Defaults as
// Kubernetes: concurrencyPolicy Allow, suspend false, history limits 3 successful / 1 failed.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { crossCheck, int32, int64, invalid, obj, oneOf, requiredString, timestamp } from '../schemas/kit.js';
import { annotationMap, labelMap } from '../schemas/labels.js';
import { jobSpecSchema } from '../schemas/job-spec.js';
import { parseCron } from '../schemas/cron.js';
import { objectReferenceSchema } from '../schemas/object-reference.js';
import { age } from '../table/age.js';
import { ageColumn, column, nameColumn, selectorText } from '../table/cells.js';

export const cronJobSchema = kindSchema(
  { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true },
  {
    spec: crossCheck(
      obj({
        schedule: requiredString(),
        startingDeadlineSeconds: int64(0).optional(),
        concurrencyPolicy: oneOf(['Allow', 'Forbid', 'Replace']).default('Allow'),
        suspend: z.boolean().default(false),
        jobTemplate: obj({ metadata: obj({ labels: labelMap().optional(), annotations: annotationMap().optional() }).optional(), spec: jobSpecSchema }),
        successfulJobsHistoryLimit: int32(0).default(3),
        failedJobsHistoryLimit: int32(0).default(1),
      }),
      ['schedule'],
      (s, ctx) => {
        const parsed = parseCron(s.schedule);
        if (typeof parsed === 'string') invalid(ctx, ['schedule'], s.schedule, parsed);
      },
    ),
    status: obj({ active: z.array(objectReferenceSchema).optional(), lastScheduleTime: timestamp().optional(), lastSuccessfulTime: timestamp().optional() }).optional(),
  },
);

export type CronJob = z.output<typeof cronJobSchema>;
export type CronJobInput = z.input<typeof cronJobSchema>;

export const cronJobKind = defineKind<CronJob>({
  kind: 'CronJob',
  apiVersion: 'batch/v1',
  resource: 'cronjobs',
  shortNames: ['cj'],
  namespaced: true,
  hasStatus: true,
  schema: cronJobSchema,
  columns: [
    nameColumn,
    column<CronJob>('SCHEDULE', (c) => c.spec.schedule),
    column<CronJob>('SUSPEND', (c) => (c.spec.suspend ? 'True' : 'False')),
    column<CronJob>('ACTIVE', (c) => String(c.status?.active?.length ?? 0)),
    column<CronJob>('LAST SCHEDULE', (c, now) => (c.status?.lastScheduleTime ? age(c.status.lastScheduleTime, now) : '<none>')),
    ageColumn,
    column<CronJob>('CONTAINERS', (c) => c.spec.jobTemplate.spec.template.spec.containers.map((x) => x.name).join(','), true),
    column<CronJob>('IMAGES', (c) => c.spec.jobTemplate.spec.template.spec.containers.map((x) => x.image).join(','), true),
    column<CronJob>('SELECTOR', (c) => selectorText(c.spec.jobTemplate.spec.selector), true),
  ],
});
