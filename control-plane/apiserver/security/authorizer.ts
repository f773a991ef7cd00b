// What every authorizer sees and says. Shapes follow Kubernetes' authorizer.Attributes so that
// rules, messages and `can-i` answers read the same as Kubernetes'. The pipeline's UserInfo and
// RequestAttributes map onto these one to one (apiGroup is "" for the core kinds).

/** An authenticated caller. Service accounts are users named system:serviceaccount:<ns>:<name>. */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
  readonly uid?: string;
  /** Set by the service-account token authenticator. */
  readonly serviceAccount?: { readonly namespace: string; readonly name: string; readonly uid: string };
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** What a request does to which object: shared by authorization and the audit log. */
export interface ResourceFields {
  /** get, list, watch, create, update, patch, delete, deletecollection, bind, escalate, ... */
  readonly verb: string;
  /** "" for the core group ("pods"), "apps" for deployments, ... */
  readonly apiGroup: string;
  /** Plural: "pods". */
  readonly resource: string;
  /** "" or "status", "binding", "log", ... */
  readonly subresource: string;
  /** "" at the cluster scope (and for lists across all namespaces). */
  readonly namespace: string;
  /** "" for list/watch/create/deletecollection of a collection. */
  readonly name: string;
}

/** A request on an API object (or a collection of them). */
export interface ResourceRequest extends ResourceFields {
  readonly kind: 'resource';
  /** A list/watch field selector as sent ("spec.nodeName=node-a"); the node authorizer reads it. */
  readonly fieldSelector?: string;
}

/** A request that is not about an object: discovery, /version, /healthz. */
export interface NonResourceRequest {
  readonly kind: 'nonResource';
  readonly verb: string;
  readonly path: string;
}

export type RequestAttributes = ResourceRequest | NonResourceRequest;

/**
 * An authorizer's answer. "no-opinion" lets the next authorizer decide (the node authorizer has
 * none for users that are not nodes); when no authorizer allows, the request is denied.
 */
export type AuthorizerDecision =
  | { readonly decision: 'allow'; readonly reason: string }
  | { readonly decision: 'deny'; readonly reason: string }
  | { readonly decision: 'no-opinion'; readonly reason: string };

export interface Authorizer {
  authorize(user: UserInfo, attrs: RequestAttributes): AuthorizerDecision;
}

/** The final answer of a chain: the pipeline's Decision shape plus the reason for allows too. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * Asks each authorizer in order; the first allow or deny wins. When all have no opinion the
 * request is denied, and the reason joins theirs so the operator sees why.
 */
export function authorizeInOrder(authorizers: readonly Authorizer[], user: UserInfo, attrs: RequestAttributes): Decision {
  const reasons: string[] = [];
  for (const a of authorizers) {
    const d = a.authorize(user, attrs);
    if (d.decision === 'allow') return { allowed: true, reason: d.reason };
    if (d.decision === 'deny') return { allowed: false, reason: d.reason };
    if (d.reason !== '') reasons.push(d.reason);
  }
  return { allowed: false, reason: reasons.join('; ') };
}

/** "pods/status" for a subresource request, "pods" otherwise. */
export function combinedResource(attrs: ResourceRequest): string {
  return attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
}

/**
 * Kubernetes' wording for a refusal, e.g.
 * `pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"`,
 * `deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" ...`
 * followed by ": <reason>" when there is one.
 */
export function forbiddenMessage(user: UserInfo, attrs: RequestAttributes, reason = ''): string {
  const why = reason === '' ? '' : `: ${reason}`;
  if (attrs.kind === 'nonResource') {
    return `forbidden: User "${user.name}" cannot ${attrs.verb} path "${attrs.path}"${why}`;
  }
  const res = combinedResource(attrs);
  const scope = attrs.namespace === '' ? 'at the cluster scope' : `in the namespace "${attrs.namespace}"`;
  // The subject is the group-qualified resource without the subresource, as Kubernetes names it.
  const qualified = attrs.apiGroup === '' ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
  const subject = attrs.name === '' ? qualified : `${qualified} "${attrs.name}"`;
  return `${subject} is forbidden: User "${user.name}" cannot ${attrs.verb} resource "${res}" in API group "${attrs.apiGroup}" ${scope}${why}`;
}

/** A resource request with defaults for the fields a caller leaves out (tests, `can-i`). */
export function resourceRequest(r: Partial<Omit<ResourceRequest, 'kind'>> & { verb: string; resource: string }): ResourceRequest {
  return { kind: 'resource', apiGroup: '', subresource: '', namespace: '', name: '', ...r };
}
