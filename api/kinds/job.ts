// Job (batch/v1): run pods of a template to `completions` successes, retrying up to backoffLimit.
// Selector, completions and template are fixed once created.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import type { FieldError } from '../kind.js';
import { conditionSchema } from '../schemas/conditions.js';
import { int32, obj, timestamp } from '../schemas/kit.js';
import { jobSpecSchema } from '../schemas/job-spec.js';
import { immutable } from '../schemas/update-rules.js';
import { humanDuration } from '../table/age.js';
import { ageColumn, column, containersColumn, imagesColumn, nameColumn, num, selectorText } from '../table/cells.js';

export const jobStatusSchema = obj({
  conditions: z.array(conditionSchema).optional(),
  startTime: timestamp().optional(),
  completionTime: timestamp().optional(),
  active: int32(0).optional(),
  succeeded: int32(0).optional(),
  failed: int32(0).optional(),
  ready: int32(0).optional(),
  completedIndexes: z.string().optional(),
});

export const jobSchema = kindSchema({ apiVersion: 'batch/v1', kind: 'Job', namespaced: true }, { spec: jobSpecSchema, status: jobStatusSchema.optional() });

export type Job = z.output<typeof jobSchema>;
export type JobInput = z.input<typeof jobSchema>;

export function validateJobUpdate(next: Job, old: Job): FieldError[] {
  const errors: FieldError[] = [];
  immutable(next.spec.selector, old.spec.selector, ['spec', 'selector'], errors);
  immutable(next.spec.completions, old.spec.completions, ['spec', 'completions'], errors);
  immutable(next.spec.completionMode, old.spec.completionMode, ['spec', 'completionMode'], errors);
  immutable(next.spec.template, old.spec.template, ['spec', 'template'], errors);
  return errors;
}

const hasCondition = (j: Job, type: string): boolean => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** kubectl's job STATUS. */
export function jobStatusText(j: Job): string {
  if (hasCondition(j, 'Complete')) return 'Complete';
  if (hasCondition(j, 'Failed')) return 'Failed';
  if (hasCondition(j, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(j, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (j.spec.suspend) return 'Suspended';
  return 'Running';
}

export const jobKind = defineKind<Job>({
  kind: 'Job',
  apiVersion: 'batch/v1',
  resource: 'jobs',
  namespaced: true,
  hasStatus: true,
  schema: jobSchema,
  validateUpdate: validateJobUpdate,
  fieldLabels: (j) => ({ 'status.successful': String(j.status?.succeeded ?? 0) }),
  columns: [
    nameColumn,
    column<Job>('STATUS', jobStatusText),
    column<Job>('COMPLETIONS', (j) =>
      j.spec.completions === undefined ? `${num(j.status?.succeeded)}/1 of ${j.spec.parallelism}` : `${num(j.status?.succeeded)}/${j.spec.completions}`,
    ),
    column<Job>('DURATION', (j, now) => {
      if (!j.status?.startTime) return '';
      const end = j.status.completionTime ? Date.parse(j.status.completionTime) : now.getTime();
      return humanDuration(end - Date.parse(j.status.startTime));
    }),
    ageColumn,
    containersColumn,
    imagesColumn,
    column<Job>('SELECTOR', (j) => selectorText(j.spec.selector), true),
  ],
});
