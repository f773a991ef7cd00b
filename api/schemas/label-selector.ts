// LabelSelector objects (matchLabels / matchExpressions) as workloads and affinity terms use them.
import { z } from 'zod';
import { crossCheck, forbidden, invalid, obj, oneOf, required, requiredString } from './kit.js';
import { labelMap } from './labels.js';
import { labelValue, qualifiedName } from './names.js';

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export const labelSelectorRequirementSchema = crossCheck(
  obj({ key: requiredString(), operator: oneOf(SELECTOR_OPERATORS), values: z.array(z.string()).optional() }),
  ['key', 'operator', 'values'],
  (r, ctx) => {
    for (const e of qualifiedName(r.key)) invalid(ctx, ['key'], r.key, e);
    const n = r.values?.length ?? 0;
    if ((r.operator === 'In' || r.operator === 'NotIn') && n === 0) required(ctx, ['values'], 'must be specified when `operator` is \'In\' or \'NotIn\'');
    if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && n > 0) forbidden(ctx, ['values'], 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'');
    r.values?.forEach((v, i) => {
      for (const e of labelValue(v)) invalid(ctx, ['values', i], v, e);
    });
  },
);

export const labelSelectorSchema = obj({
  matchLabels: labelMap().optional(),
  matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
});

export type LabelSelectorObject = z.output<typeof labelSelectorSchema>;

/** True when the selector selects nothing-in-particular (matches everything). */
export const isEmptySelector = (s: LabelSelectorObject | undefined): boolean =>
  !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
