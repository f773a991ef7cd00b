// A Job's spec, shared by Jobs and CronJob job templates. Defaults as Kubernetes: completions and
// parallelism 1 when neither is set, backoffLimit 6, completionMode NonIndexed. The template's
// restartPolicy must be OnFailure or Never.
import { z } from 'zod';
import { crossCheck, int32, int64, invalid, obj, oneOf, required, withDefaults } from './kit.js';
import { labelSelectorSchema } from './label-selector.js';
import { checkSelectorMatchesTemplate, podTemplateSpecSchema } from './pod-template.js';

export const jobSpecSchema = withDefaults(crossCheck(
  obj({
    parallelism: int32(0).optional(),
    completions: int32(0).optional(),
    activeDeadlineSeconds: int64(1).optional(),
    backoffLimit: int32(0).default(6),
    ttlSecondsAfterFinished: int32(0).optional(),
    completionMode: oneOf(['NonIndexed', 'Indexed']).default('NonIndexed'),
    suspend: z.boolean().default(false),
    selector: labelSelectorSchema.optional(),
    manualSelector: z.boolean().optional(),
    template: podTemplateSpecSchema(['OnFailure', 'Never']),
  }),
  ['!selector', 'template.metadata', 'completions', 'completionMode'],
  (j, ctx) => {
    // The API server adds a controller-uid selector; a user's own selector needs manualSelector.
    if (j.selector && j.manualSelector) checkSelectorMatchesTemplate(ctx, j.selector, j.template.metadata?.labels, 'job', []);
    else if (j.selector && !j.manualSelector)
      invalid(ctx, ['selector'], j.selector, '`selector` will be auto-generated (set `manualSelector: true` to choose it)');
    if (j.completionMode === 'Indexed' && j.completions === undefined) required(ctx, ['completions'], "when completion mode is Indexed");
  },
), (j) => ({ ...j, parallelism: j.parallelism ?? 1, completions: j.completions ?? (j.parallelism === undefined ? 1 : undefined) }));

export type JobSpec = z.output<typeof jobSpecSchema>;
