// Taints (on nodes) and tolerations (on pods), with Kubernetes' pairing rules.
import { z } from 'zod';
import { crossCheck, forbidden, int64, invalid, obj, oneOf, requiredString, timestamp } from './kit.js';
import { labelValue, qualifiedName } from './names.js';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export const tolerationSchema = crossCheck(
  obj({
    key: z.string().optional(),
    operator: oneOf(['Exists', 'Equal']).default('Equal'),
    value: z.string().optional(),
    effect: oneOf(['', ...TAINT_EFFECTS]).optional(),
    tolerationSeconds: int64().optional(),
  }),
  ['key', 'operator', 'value', 'effect'],
  (t, ctx) => {
    if (t.key) for (const e of qualifiedName(t.key)) invalid(ctx, ['key'], t.key, e);
    if (!t.key && t.operator !== 'Exists') invalid(ctx, ['operator'], t.operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"');
    if (t.operator === 'Exists' && t.value) invalid(ctx, ['operator'], t.value, 'value must be empty when `operator` is \'Exists\'');
    if (t.operator === 'Equal' && t.value) for (const e of labelValue(t.value)) invalid(ctx, ['value'], t.value, e);
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') forbidden(ctx, ['effect'], "effect must be 'NoExecute' when `tolerationSeconds` is set");
  },
);

export const taintSchema = crossCheck(
  obj({ key: requiredString(), value: z.string().optional(), effect: oneOf(TAINT_EFFECTS), timeAdded: timestamp().optional() }),
  ['key', 'value'],
  (t, ctx) => {
    for (const e of qualifiedName(t.key)) invalid(ctx, ['key'], t.key, e);
    if (t.value) for (const e of labelValue(t.value)) invalid(ctx, ['value'], t.value, e);
  },
);

export type Toleration = z.output<typeof tolerationSchema>;
export type Taint = z.output<typeof taintSchema>;
