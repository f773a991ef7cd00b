// Stage 2: may this user do this verb on this resource? alwaysAllow in dev mode; the cluster's
// authorizer (node authorizer, then RBAC) otherwise (pipeline/cluster-authorization.ts). A denial
// becomes PERMISSION_DENIED naming user, verb and resource in Kubernetes' wording.
import { ApiError, Code } from '../errors.js';
import type { RequestAttributes } from '../request.js';
import type { ResourceRequest } from '../security/index.js';
import { forbiddenMessage } from '../security/index.js';

export type Decision = { readonly allowed: true; readonly reason?: string } | { readonly allowed: false; readonly reason: string };

export interface Authorizer {
  authorize(attrs: RequestAttributes): Promise<Decision>;
}

export const alwaysAllow: Authorizer = {
  authorize: () => Promise.resolve({ allowed: true }),
};

/** The pipeline's attributes as the security authorizers see them. */
export function resourceAttributes(attrs: RequestAttributes): ResourceRequest {
  return {
    kind: 'resource',
    verb: attrs.verb,
    apiGroup: attrs.apiGroup,
    resource: attrs.resource,
    subresource: attrs.subresource,
    namespace: attrs.namespace,
    name: attrs.name,
    ...(attrs.fieldSelector === '' ? {} : { fieldSelector: attrs.fieldSelector }),
  };
}

/** Runs the authorizer and turns a denial into the error the client sees. */
export async function authorize(authorizer: Authorizer, attrs: RequestAttributes): Promise<void> {
  const d = await authorizer.authorize(attrs);
  if (d.allowed) return;
  throw new ApiError(Code.PERMISSION_DENIED, forbiddenMessage(attrs.user, resourceAttributes(attrs), d.reason));
}
