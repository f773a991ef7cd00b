// NodeRestriction as a validating admission plugin: a node (system:node:<name>) may write only
// its own Node, may not give itself reserved labels (another role) and may not change its taints.
// The node authorizer already limits which objects a node reaches; this checks what it writes.
import { ApiError, Code } from '../errors.js';
import type { AdmissionRequest, ValidatingAdmissionPlugin } from '../pipeline/admission.js';
import { resourceAttributes } from '../pipeline/authorization.js';
import type { NodeLike } from '../security/index.js';
import { admitNodeWrite, nodeNameOf } from '../security/index.js';

export class NodeRestriction implements ValidatingAdmissionPlugin {
  readonly name = 'NodeRestriction';

  async validate(req: AdmissionRequest): Promise<void> {
    const { attrs, operation } = req;
    if (attrs.resource !== 'nodes' || attrs.apiGroup !== '' || operation === 'DELETE' || nodeNameOf(attrs.user) === undefined) return;
    const r = admitNodeWrite(attrs.user, resourceAttributes(attrs), req.object as unknown as NodeLike, req.oldObject as unknown as NodeLike | undefined);
    if (!r.allowed) throw new ApiError(Code.PERMISSION_DENIED, `nodes "${req.object.metadata.name ?? ''}" is forbidden: ${r.reason}`);
  }
}
