// Stage 2: may this user do this verb on this resource? Today: always yes. The
// cluster-security issue adds RBAC and the node authorizer; a denial becomes PERMISSION_DENIED
// naming user, verb and resource.
import { ApiError, Code } from '../errors.js';
import type { RequestAttributes } from '../request.js';

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface Authorizer {
  authorize(attrs: RequestAttributes): Promise<Decision>;
}

export const alwaysAllow: Authorizer = {
  authorize: () => Promise.resolve({ allowed: true }),
};

/** Runs the authorizer and turns a denial into the error the client sees. */
export async function authorize(authorizer: Authorizer, attrs: RequestAttributes): Promise<void> {
  const d = await authorizer.authorize(attrs);
  if (d.allowed) return;
  const res = attrs.subresource !== '' ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace !== '' ? ` in the namespace "${attrs.namespace}"` : ' at the cluster scope';
  throw new ApiError(Code.PERMISSION_DENIED, `${res}${attrs.name !== '' ? ` "${attrs.name}"` : ''} is forbidden: User "${attrs.user.name}" cannot ${attrs.verb} resource "${res}"${scope}${d.reason !== '' ? `: ${d.reason}` : ''}`);
}
