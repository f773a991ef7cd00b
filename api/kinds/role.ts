// Role (rbac.authorization.k8s.io/v1): permissions inside one namespace.
import type { z } from 'zod';
import { defineKind } from '../define-kind.js';
import { RBAC_API_VERSION, roleSchemaFor } from '../schemas/rbac.js';
import { createdAtColumn, nameColumn } from '../table/cells.js';

export const roleSchema = roleSchemaFor('Role');

export type Role = z.output<typeof roleSchema>;
export type RoleInput = z.input<typeof roleSchema>;

export const roleKind = defineKind<Role>({
  kind: 'Role',
  apiVersion: RBAC_API_VERSION,
  resource: 'roles',
  namespaced: true,
  hasStatus: false,
  schema: roleSchema,
  columns: [nameColumn, createdAtColumn],
});
