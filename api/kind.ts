// What the rest of Shoal knows about a kind: its names, scope, how to validate and default it,
// which fields selectors may use and how shoalctl prints it. One KindDefinition per kind, made
// from that kind's schema (api/kinds/<kind>.ts); nothing about a kind is written twice.

/** One broken rule, Kubernetes style: `spec.containers[0].image: Required value`. */
export interface FieldError {
  /** Field path: `spec.containers[0].image`, `metadata.labels[app]`. */
  readonly field: string;
  readonly type: FieldErrorType;
  /** The rule, without the path: `Required value`, `Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`. */
  readonly detail: string;
}

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTypeInvalid'
  /** A field Shoal does not know or does not support: refused, never dropped. */
  | 'FieldValueUnknown';

export type Validation<T> = { readonly ok: true; readonly object: T } | { readonly ok: false; readonly errors: readonly FieldError[] };

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any object of any kind. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

export interface TableColumn {
  /** Header, upper case as kubectl prints it: NAME, READY, STATUS, AGE. */
  readonly name: string;
  /** Only with `-o wide`. */
  readonly wide?: boolean;
  /** The cell text; `now` for ages. Pure. */
  readonly cell: (object: KubeObject, now: Date) => string;
}

export interface KindDefinition {
  readonly kind: string; // "Deployment"
  readonly apiVersion: string; // "apps/v1"
  readonly group: string; // "apps" ("" for core)
  readonly resource: string; // "deployments"
  readonly singular: string; // "deployment"
  readonly shortNames: readonly string[]; // ["deploy"]
  readonly namespaced: boolean;
  /** Has a status subresource: Update of the main resource keeps the old status and vice versa. */
  readonly hasStatus: boolean;
  /**
   * Validates and defaults an object a user submitted (create or update). Returns the defaulted
   * object, or every error at once. Unknown fields are errors. Pure: no clock, no I/O.
   * Server-set metadata (uid, resourceVersion, creationTimestamp, ...) is accepted as given;
   * the registry overwrites it.
   */
  validate(input: unknown): Validation<KubeObject>;
  /** Rules that compare an update with the stored object (immutable fields). Pure. */
  validateUpdate(next: KubeObject, old: KubeObject): readonly FieldError[];
  /** Field selector values of an object: `metadata.name`, `metadata.namespace`, `spec.nodeName`, ... */
  fieldLabels(object: KubeObject): Readonly<Record<string, string>>;
  /** shoalctl get's table (NAME is the first column; NAMESPACE is added by the CLI with -A). */
  readonly columns: readonly TableColumn[];
}
