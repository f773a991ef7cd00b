// RBAC building blocks (rbac.authorization.k8s.io/v1): policy rules of Roles/ClusterRoles and
// roleRef/subjects of their bindings, shared by the four kinds.
import { z } from 'zod';
import type { FieldError, TableColumn } from '../kind.js';
import { ageColumn, column, nameColumn } from '../table/cells.js';
import { kindSchema } from '../define-kind.js';
import { crossCheck, invalid, notSupported, obj, oneOf, required, requiredString } from './kit.js';
import { dns1123Label, dns1123Subdomain, pathSegmentName } from './names.js';
import { immutable } from './update-rules.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const RBAC_API_VERSION = `${RBAC_GROUP}/v1`;

export function policyRuleSchema(namespaced: boolean) {
  return crossCheck(
    obj({
      verbs: z.array(z.string()).min(1),
      apiGroups: z.array(z.string()).optional(),
      resources: z.array(z.string()).optional(),
      resourceNames: z.array(z.string()).optional(),
      nonResourceURLs: z.array(z.string()).optional(),
    }),
    [],
    (r, ctx) => {
      const hasResources = (r.resources?.length ?? 0) > 0;
      const hasURLs = (r.nonResourceURLs?.length ?? 0) > 0;
      if (hasURLs && namespaced) invalid(ctx, ['nonResourceURLs'], r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs');
      if (hasURLs && hasResources) invalid(ctx, ['nonResourceURLs'], r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs');
      if (!hasURLs && !hasResources) required(ctx, ['resources'], 'resource rules must supply at least one resource');
      if (hasResources && r.apiGroups === undefined) required(ctx, ['apiGroups'], 'resource rules must supply at least one api group');
    },
  );
}

/** Role (namespaced) or ClusterRole. */
export function roleSchemaFor(kind: 'Role' | 'ClusterRole') {
  const namespaced = kind === 'Role';
  return kindSchema({ apiVersion: RBAC_API_VERSION, kind, namespaced, name: pathSegmentName }, { rules: z.array(policyRuleSchema(namespaced)).optional() });
}

const subject = crossCheck(
  obj({ kind: oneOf(['User', 'Group', 'ServiceAccount']), name: requiredString(), namespace: z.string().optional(), apiGroup: z.string().optional() }),
  ['kind', 'name', 'namespace', 'apiGroup'],
  (s, ctx) => {
    if (s.kind === 'ServiceAccount') {
      if (s.apiGroup) notSupported(ctx, ['apiGroup'], s.apiGroup, ['']);
      for (const e of dns1123Subdomain(s.name)) invalid(ctx, ['name'], s.name, e);
      if (s.namespace) for (const e of dns1123Label(s.namespace)) invalid(ctx, ['namespace'], s.namespace, e);
    } else if (s.apiGroup !== undefined && s.apiGroup !== RBAC_GROUP) notSupported(ctx, ['apiGroup'], s.apiGroup, [RBAC_GROUP]);
  },
).transform((s) => (s.kind === 'ServiceAccount' ? s : { ...s, apiGroup: RBAC_GROUP }));

/** RoleBinding (namespaced: roleRef Role or ClusterRole) or ClusterRoleBinding (ClusterRole only). */
export function bindingSchemaFor(kind: 'RoleBinding' | 'ClusterRoleBinding') {
  const namespaced = kind === 'RoleBinding';
  const roleKinds = namespaced ? (['Role', 'ClusterRole'] as const) : (['ClusterRole'] as const);
  return crossCheck(
    kindSchema(
      { apiVersion: RBAC_API_VERSION, kind, namespaced, name: pathSegmentName },
      {
        roleRef: obj({ apiGroup: z.literal(RBAC_GROUP), kind: oneOf(roleKinds), name: requiredString() }),
        subjects: z.array(subject).optional(),
      },
    ),
    ['roleRef.name', 'subjects.*.kind', 'subjects.*.namespace'],
    (b, ctx) => {
      for (const e of pathSegmentName(b.roleRef.name)) invalid(ctx, ['roleRef', 'name'], b.roleRef.name, e);
      b.subjects?.forEach((s, i) => {
        // A cluster-wide binding cannot guess a service account's namespace.
        if (!namespaced && s.kind === 'ServiceAccount' && !s.namespace) required(ctx, ['subjects', i, 'namespace']);
      });
    },
  );
}

export interface HasRoleRef {
  roleRef: { kind: string; name: string; apiGroup: string };
}

/** A binding's roleRef cannot change: delete and recreate the binding instead. */
export function roleRefImmutable(next: HasRoleRef, old: HasRoleRef): FieldError[] {
  const errors: FieldError[] = [];
  immutable(next.roleRef, old.roleRef, ['roleRef'], errors);
  return errors.map((e) => ({ ...e, detail: e.detail.replace('field is immutable', 'cannot change roleRef') }));
}

interface Subjects {
  subjects?: readonly { kind: string; name: string; namespace?: string | undefined }[] | undefined;
}

/** -o wide's USERS, GROUPS and SERVICEACCOUNTS cells. */
const subjectsOf = (b: Subjects, kind: 'User' | 'Group' | 'ServiceAccount'): string =>
  (b.subjects ?? [])
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
    .join(', ');

/** Table of RoleBindings and ClusterRoleBindings: NAME ROLE AGE, wide USERS GROUPS SERVICEACCOUNTS. */
export const bindingColumns: readonly TableColumn[] = [
  nameColumn,
  column<HasRoleRef>('ROLE', (b) => `${b.roleRef.kind}/${b.roleRef.name}`),
  ageColumn,
  column<Subjects>('USERS', (b) => subjectsOf(b, 'User'), true),
  column<Subjects>('GROUPS', (b) => subjectsOf(b, 'Group'), true),
  column<Subjects>('SERVICEACCOUNTS', (b) => subjectsOf(b, 'ServiceAccount'), true),
];
