// RBAC escalation prevention as a validating admission plugin: a user may create or update a
// Role/ClusterRole only with rules it already holds (or with the "escalate" verb on it), and a
// RoleBinding/ClusterRoleBinding only to a role whose rules it holds where the binding applies
// (or with "bind" on the role). Without it, whoever may write RoleBindings could bind
// cluster-admin to itself.
import type { KubeObject } from '../../../api/kind.js';
import { ApiError, Code } from '../errors.js';
import type { AdmissionRequest, ValidatingAdmissionPlugin } from '../pipeline/admission.js';
import type { ClusterRole, ClusterRoleBinding, EscalationCheck, RbacIndex, Role, RoleBinding } from '../security/index.js';
import { checkBindingEscalation, checkRoleEscalation, Groups, RBAC_GROUP } from '../security/index.js';

export class RbacEscalation implements ValidatingAdmissionPlugin {
  readonly name = 'RbacEscalation';
  constructor(private readonly index: RbacIndex) {}

  async validate(req: AdmissionRequest): Promise<void> {
    const { attrs, operation } = req;
    if (attrs.apiGroup !== RBAC_GROUP || attrs.subresource !== '' || (operation !== 'CREATE' && operation !== 'UPDATE')) return;
    // The superuser group holds every right; the API server's own bootstrap writes (default
    // roles) run as it before the index is fed.
    if (attrs.user.groups.includes(Groups.masters)) return;
    const o: KubeObject = req.object;
    let check: EscalationCheck;
    switch (attrs.resource) {
      case 'roles':
        check = checkRoleEscalation(this.index, attrs.user, { kind: 'Role', object: o as unknown as Role });
        break;
      case 'clusterroles':
        check = checkRoleEscalation(this.index, attrs.user, { kind: 'ClusterRole', object: o as unknown as ClusterRole });
        break;
      case 'rolebindings':
        check = checkBindingEscalation(this.index, attrs.user, { kind: 'RoleBinding', object: o as unknown as RoleBinding });
        break;
      case 'clusterrolebindings':
        check = checkBindingEscalation(this.index, attrs.user, { kind: 'ClusterRoleBinding', object: o as unknown as ClusterRoleBinding });
        break;
      default:
        return;
    }
    if (!check.allowed) throw new ApiError(Code.PERMISSION_DENIED, `${attrs.resource}.${RBAC_GROUP} "${o.metadata.name ?? ''}" is forbidden: ${check.reason}`);
  }
}
