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
  /** Identity-specific extras (e.g. the service account's uid); empty today. */
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export interface RequestAttributes {
  readonly user: UserInfo;
  readonly verb: Verb;
  /** Plural resource ("pods"); "" for non-resource requests. */
  readonly resource: string;
  /** "", "status", "binding", "finalize". */
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly dryRun: boolean;
}
