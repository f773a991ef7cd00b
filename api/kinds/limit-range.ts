// LimitRange (v1): per-namespace min/max and defaults for container (and pod, claim) resources;
// the admission stage applies its defaults (e.g. memory 512Mi) to new pods.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { crossCheck, forbidden, invalid, obj, oneOf } from '../schemas/kit.js';
import { compareQuantities, mustParseQuantity } from '../schemas/quantity.js';
import { resourceList } from '../schemas/resources.js';
import { createdAtColumn, nameColumn } from '../table/cells.js';

export const LIMIT_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'] as const;

const ORDER = ['min', 'defaultRequest', 'default', 'max'] as const;

const limitItem = crossCheck(
  obj({
    type: oneOf(LIMIT_TYPES),
    max: resourceList(['storage']).optional(),
    min: resourceList(['storage']).optional(),
    default: resourceList(['storage']).optional(),
    defaultRequest: resourceList(['storage']).optional(),
    maxLimitRequestRatio: resourceList(['storage']).optional(),
  }),
  ['type'],
  (l, ctx) => {
    if (l.type !== 'Container')
      for (const f of ['default', 'defaultRequest'] as const) if (l[f]) forbidden(ctx, [f], `may not be specified when \`type\` is '${l.type}'`);
    // min <= defaultRequest <= default <= max, per resource.
    const names = new Set(ORDER.flatMap((f) => Object.keys(l[f] ?? {})));
    for (const name of names) {
      const present = ORDER.filter((f) => l[f]?.[name] !== undefined);
      for (let i = 1; i < present.length; i++) {
        const lo = present[i - 1]!;
        const hi = present[i]!;
        const a = l[lo]![name]!;
        const b = l[hi]![name]!;
        if (compareQuantities(mustParseQuantity(a), mustParseQuantity(b)) > 0)
          invalid(ctx, [lo, `[${name}]`], a, `${lo} value ${a} is greater than ${hi} value ${b}`);
      }
    }
  },
);

export const limitRangeSchema = kindSchema({ apiVersion: 'v1', kind: 'LimitRange', namespaced: true }, { spec: obj({ limits: z.array(limitItem).min(1) }) });

export type LimitRange = z.output<typeof limitRangeSchema>;
export type LimitRangeInput = z.input<typeof limitRangeSchema>;

export const limitRangeKind = defineKind<LimitRange>({
  kind: 'LimitRange',
  apiVersion: 'v1',
  resource: 'limitranges',
  shortNames: ['limits'],
  namespaced: true,
  hasStatus: false,
  schema: limitRangeSchema,
  columns: [nameColumn, createdAtColumn],
});
