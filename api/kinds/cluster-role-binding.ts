// ClusterRoleBinding (rbac.authorization.k8s.io/v1): grants a ClusterRole's permissions cluster-wide to users, groups and service accounts. roleRef is fixed once created.
import type { z } from 'zod';
import { defineKind } from '../define-kind.js';
import { RBAC_API_VERSION, bindingColumns, bindingSchemaFor, roleRefImmutable } from '../schemas/rbac.js';

export const clusterRoleBindingSchema = bindingSchemaFor('ClusterRoleBinding');

export type ClusterRoleBinding = z.output<typeof clusterRoleBindingSchema>;
export type ClusterRoleBindingInput = z.input<typeof clusterRoleBindingSchema>;

export const clusterRoleBindingKind = defineKind<ClusterRoleBinding>({
  kind: 'ClusterRoleBinding',
  apiVersion: RBAC_API_VERSION,
  resource: 'clusterrolebindings',
  namespaced: false,
  hasStatus: false,
  schema: clusterRoleBindingSchema,
  validateUpdate: roleRefImmutable,
  columns: bindingColumns,
});
