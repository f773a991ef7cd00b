// What every pipeline stage knows about a request: who asks (set by authentication), the verb,
// the resource and the object's address. Authorization decides on these alone.
export const Verb = {
  create: 'create',
  get: 'get',
  list: 'list',
  watch: 'watch',
  update: 'update',
  patch: 'patch',
  delete: 'delete',
} as const;
export type Verb = (typeof Verb)[keyof typeof Verb];

export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
  /** Identity-specific extras (e.g. a service-account token's credential id). */
  readonly extra?: Readonly<Record<string, readonly string[]>>;
  /** Set for service accounts (their uid). */
  readonly uid?: string;
}

export interface RequestAttributes {
  readonly user: UserInfo;
  readonly verb: Verb;
  /** The kind's API group: "" for the core group, "apps", "rbac.authorization.k8s.io", ... */
  readonly apiGroup: string;
  /** Plural resource ("pods"); "" for non-resource requests. */
  readonly resource: string;
  /** "", "status", "binding", "finalize". */
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly dryRun: boolean;
  /** list/watch selectors as sent ("" otherwise); the node authorizer reads the field selector. */
  readonly labelSelector: string;
  readonly fieldSelector: string;
}
