// RBAC objects in Kubernetes' rbac.authorization.k8s.io/v1 shapes (only the fields RBAC reads).

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  /** "pods", "pods/status", "*", "*\/status". */
  readonly resources?: readonly string[];
  /** When set, only these object names match (so never list/create of a collection). */
  readonly resourceNames?: readonly string[];
  /** "/healthz", "/apis/*" (a trailing * is a prefix match), "*". Only in ClusterRoles. */
  readonly nonResourceURLs?: readonly string[];
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

export interface Role {
  readonly kind?: 'Role';
  readonly metadata: ObjectMeta;
  readonly rules?: readonly PolicyRule[];
}

export interface ClusterRole {
  readonly kind?: 'ClusterRole';
  readonly metadata: ObjectMeta;
  readonly rules?: readonly PolicyRule[];
  /** The role's rules are the union of the rules of the ClusterRoles these labels select. */
  readonly aggregationRule?: { readonly clusterRoleSelectors: readonly LabelSelector[] };
}

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  readonly kind: SubjectKind;
  readonly name: string;
  /** ServiceAccount only; in a RoleBinding it defaults to the binding's namespace. */
  readonly namespace?: string;
  readonly apiGroup?: string;
}

export interface RoleRef {
  readonly apiGroup?: string;
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
}

export interface RoleBinding {
  readonly kind?: 'RoleBinding';
  readonly metadata: ObjectMeta;
  readonly subjects?: readonly Subject[];
  /** A ClusterRole here grants its rules inside the binding's namespace only. */
  readonly roleRef: RoleRef;
}

export interface ClusterRoleBinding {
  readonly kind?: 'ClusterRoleBinding';
  readonly metadata: ObjectMeta;
  readonly subjects?: readonly Subject[];
  readonly roleRef: RoleRef & { readonly kind: 'ClusterRole' };
}

/** Everything RBAC decides on. */
export interface RbacPolicy {
  readonly roles: readonly Role[];
  readonly clusterRoles: readonly ClusterRole[];
  readonly roleBindings: readonly RoleBinding[];
  readonly clusterRoleBindings: readonly ClusterRoleBinding[];
}
