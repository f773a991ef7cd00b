// Binding (v1): the body of the pods/binding subresource — bind pod `metadata.name` to node
// `target.name`. Never stored; the API server sets the pod's spec.nodeName from it.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { invalid, obj, requiredString, crossCheck } from '../schemas/kit.js';
import { dns1123Subdomain } from '../schemas/names.js';
import { nameColumn } from '../table/cells.js';

export const bindingSchema = kindSchema(
  { apiVersion: 'v1', kind: 'Binding', namespaced: true },
  {
    target: crossCheck(obj({ apiVersion: z.literal('v1').optional(), kind: z.literal('Node'), name: requiredString() }), ['name'], (t, ctx) => {
      for (const e of dns1123Subdomain(t.name)) invalid(ctx, ['name'], t.name, e);
    }),
  },
);

export type Binding = z.output<typeof bindingSchema>;
export type BindingInput = z.input<typeof bindingSchema>;

/** Not a stored kind (not in the registry): only its validate is used. */
export const bindingKind = defineKind<Binding>({
  kind: 'Binding',
  apiVersion: 'v1',
  resource: 'bindings',
  namespaced: true,
  hasStatus: false,
  schema: bindingSchema,
  columns: [nameColumn],
});
