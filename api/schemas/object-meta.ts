// metadata: names by the kind's rule, generateName, namespace by scope, labels, annotations,
// owner references, finalizers. Server-set fields (uid, resourceVersion, creationTimestamp,
// generation, deletion*) are accepted as given: the API server overwrites them.
import { z } from 'zod';
import { crossCheck, forbidden, int64, invalid, obj, required, requiredString, timestamp } from './kit.js';
import { annotationMap, labelMap } from './labels.js';
import { dns1123Label, qualifiedName, type NameCheck } from './names.js';

export const ownerReferenceSchema = obj({
  apiVersion: requiredString(),
  kind: requiredString(),
  name: requiredString(),
  uid: requiredString(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

export interface MetaRules {
  /** How names are checked: DNS-1123 subdomain for most kinds. */
  readonly name: NameCheck;
  readonly namespaced: boolean;
}

export function objectMetaSchema(rules: MetaRules) {
  const shape = obj({
    name: z.string().optional(),
    generateName: z.string().optional(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: int64(0).optional(),
    labels: labelMap().optional(),
    annotations: annotationMap().optional(),
    ownerReferences: z.array(ownerReferenceSchema).optional(),
    finalizers: z.array(z.string()).optional(),
    creationTimestamp: timestamp().optional(),
    deletionTimestamp: timestamp().optional(),
    deletionGracePeriodSeconds: int64(0).optional(),
  });
  return crossCheck(shape, ['name', 'generateName', 'namespace', 'finalizers', 'ownerReferences'], (m, ctx) => {
    if (m.name) for (const e of rules.name(m.name)) invalid(ctx, ['name'], m.name, e);
    else if (m.generateName) {
      // generateName is a prefix: the server appends 5 random characters, so a trailing '-' is fine.
      const prefix = m.generateName.replace(/-$/, '');
      for (const e of rules.name(prefix === '' ? 'x' : `${prefix}x`)) invalid(ctx, ['generateName'], m.generateName, e);
    } else required(ctx, ['name'], 'name or generateName is required');
    if (rules.namespaced) {
      if (m.namespace) for (const e of dns1123Label(m.namespace)) invalid(ctx, ['namespace'], m.namespace, e);
    } else if (m.namespace) forbidden(ctx, ['namespace'], 'not allowed on this type');
    m.finalizers?.forEach((f, i) => {
      for (const e of qualifiedName(f)) invalid(ctx, ['finalizers', i], f, e);
    });
    let controllers = 0;
    m.ownerReferences?.forEach((r) => (controllers += r.controller ? 1 : 0));
    if (controllers > 1) invalid(ctx, ['ownerReferences'], m.ownerReferences, 'Only one reference can have Controller set to true');
  });
}

/** The metadata of a pod template: labels and annotations only. */
export const templateMetaSchema = obj({
  name: z.string().optional(),
  labels: labelMap().optional(),
  annotations: annotationMap().optional(),
});

export type ObjectMetaOutput = z.output<ReturnType<typeof objectMetaSchema>>;
