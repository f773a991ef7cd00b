// Stage 2 of a secured API server: the node authorizer, then RBAC (security/ClusterAuthorizer),
// over state fed from the watch caches. Until that state is loaded every request gets
// UNAVAILABLE rather than a wrong denial.
import { ApiError, Code } from '../errors.js';
import type { RequestAttributes } from '../request.js';
import type { ClusterAuthorizer } from '../security/index.js';
import type { Authorizer, Decision } from './authorization.js';
import { resourceAttributes } from './authorization.js';

export class NodeRbacAuthorizer implements Authorizer {
  constructor(
    private readonly cluster: ClusterAuthorizer,
    private readonly loaded: () => boolean,
  ) {}

  authorize(attrs: RequestAttributes): Promise<Decision> {
    if (!this.loaded()) return Promise.reject(new ApiError(Code.UNAVAILABLE, 'the API server has not loaded its RBAC policy yet; retry'));
    const d = this.cluster.authorize(attrs.user, resourceAttributes(attrs));
    return Promise.resolve(d.allowed ? { allowed: true, reason: d.reason } : { allowed: false, reason: d.reason });
  }
}
