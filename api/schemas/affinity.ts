// Node affinity (required/preferred node selector terms) and pod affinity/anti-affinity, the
// inputs of the scheduler's affinity filters and scores.
import { z } from 'zod';
import { crossCheck, forbidden, int32, invalid, obj, oneOf, required, requiredString } from './kit.js';
import { labelSelectorSchema } from './label-selector.js';
import { dns1123Label, labelValue, qualifiedName } from './names.js';

export const NODE_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] as const;

const nodeSelectorRequirement = crossCheck(
  obj({ key: requiredString(), operator: oneOf(NODE_SELECTOR_OPERATORS), values: z.array(z.string()).optional() }),
  ['key', 'operator', 'values'],
  (r, ctx) => {
    for (const e of qualifiedName(r.key)) invalid(ctx, ['key'], r.key, e);
    const n = r.values?.length ?? 0;
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (n === 0) required(ctx, ['values'], "must be specified when `operator` is 'In' or 'NotIn'");
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (n > 0) forbidden(ctx, ['values'], "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        break;
      case 'Gt':
      case 'Lt':
        if (n !== 1 || !/^-?\d+$/.test(r.values?.[0] ?? '')) required(ctx, ['values'], "must be specified single value when `operator` is 'Lt' or 'Gt'");
        break;
    }
    r.values?.forEach((v, i) => {
      for (const e of labelValue(v)) invalid(ctx, ['values', i], v, e);
    });
  },
);

export const nodeSelectorTermSchema = obj({
  matchExpressions: z.array(nodeSelectorRequirement).optional(),
  matchFields: z.array(nodeSelectorRequirement).optional(),
});

const podAffinityTerm = crossCheck(
  obj({
    labelSelector: labelSelectorSchema.optional(),
    namespaces: z.array(z.string()).optional(),
    namespaceSelector: labelSelectorSchema.optional(),
    topologyKey: requiredString(),
  }),
  ['topologyKey', 'namespaces'],
  (t, ctx) => {
    for (const e of qualifiedName(t.topologyKey)) invalid(ctx, ['topologyKey'], t.topologyKey, e);
    t.namespaces?.forEach((ns, i) => {
      for (const e of dns1123Label(ns)) invalid(ctx, ['namespaces', i], ns, e);
    });
  },
);

const weight = () => int32(1, 100);

const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(obj({ weight: weight(), podAffinityTerm })).optional(),
});

export const affinitySchema = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: z.array(nodeSelectorTermSchema).min(1) }).optional(),
    preferredDuringSchedulingIgnoredDuringExecution: z.array(obj({ weight: weight(), preference: nodeSelectorTermSchema })).optional(),
  }).optional(),
  podAffinity: podAffinity.optional(),
  podAntiAffinity: podAffinity.optional(),
});

export type Affinity = z.output<typeof affinitySchema>;
