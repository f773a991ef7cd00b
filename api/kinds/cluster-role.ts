// ClusterRole (rbac.authorization.k8s.io/v1): permissions across the cluster and on non-resource URLs.
import type { z } from 'zod';
import { defineKind } from '../define-kind.js';
import { RBAC_API_VERSION, roleSchemaFor } from '../schemas/rbac.js';
import { createdAtColumn, nameColumn } from '../table/cells.js';

export const clusterRoleSchema = roleSchemaFor('ClusterRole');

export type ClusterRole = z.output<typeof clusterRoleSchema>;
export type ClusterRoleInput = z.input<typeof clusterRoleSchema>;

export const clusterRoleKind = defineKind<ClusterRole>({
  kind: 'ClusterRole',
  apiVersion: RBAC_API_VERSION,
  resource: 'clusterroles',
  namespaced: false,
  hasStatus: false,
  schema: clusterRoleSchema,
  columns: [nameColumn, createdAtColumn],
});
