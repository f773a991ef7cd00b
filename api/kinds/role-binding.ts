// RoleBinding (rbac.authorization.k8s.io/v1): grants a Role's or ClusterRole's permissions inside one namespace to users, groups and service accounts. roleRef is fixed once created.
import type { z } from 'zod';
import { defineKind } from '../define-kind.js';
import { RBAC_API_VERSION, bindingColumns, bindingSchemaFor, roleRefImmutable } from '../schemas/rbac.js';

export const roleBindingSchema = bindingSchemaFor('RoleBinding');

export type RoleBinding = z.output<typeof roleBindingSchema>;
export type RoleBindingInput = z.input<typeof roleBindingSchema>;

export const roleBindingKind = defineKind<RoleBinding>({
  kind: 'RoleBinding',
  apiVersion: RBAC_API_VERSION,
  resource: 'rolebindings',
  namespaced: true,
  hasStatus: false,
  schema: roleBindingSchema,
  validateUpdate: roleRefImmutable,
  columns: bindingColumns,
});
