// The cluster's authorization chain: the node authorizer first (it alone decides for nodes'
// object requests), then RBAC; no allow means deny. Both read state kept current by informer
// events (RbacIndex.apply, NodeGraph.upsertPod/deletePod).
import type { Decision, RequestAttributes, UserInfo } from './authorizer.js';
import { authorizeInOrder, forbiddenMessage } from './authorizer.js';
import { NodeAuthorizer } from './node/node-authorizer.js';
import type { NodeGraph } from './node/node-graph.js';
import { RbacAuthorizer } from './rbac/rbac-authorizer.js';
import type { RbacIndex } from './rbac/rbac-index.js';

export class ClusterAuthorizer {
  private readonly chain: readonly [NodeAuthorizer, RbacAuthorizer];

  constructor(rbac: RbacIndex, nodes: NodeGraph) {
    this.chain = [new NodeAuthorizer(nodes), new RbacAuthorizer(rbac)];
  }

  authorize(user: UserInfo, attrs: RequestAttributes): Decision {
    return authorizeInOrder(this.chain, user, attrs);
  }

  /** undefined when allowed, else the PERMISSION_DENIED message in Kubernetes' wording. */
  forbidden(user: UserInfo, attrs: RequestAttributes): string | undefined {
    const d = this.authorize(user, attrs);
    return d.allowed ? undefined : forbiddenMessage(user, attrs, d.reason);
  }
}
