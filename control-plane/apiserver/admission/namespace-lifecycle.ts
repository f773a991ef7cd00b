// NamespaceLifecycle (as in Kubernetes): objects are created only in a namespace that exists and
// is not terminating; the namespaces the system depends on cannot be deleted.
import type { KubeObject } from '../../../api/kind.js';
import { ApiError, Code, notFound } from '../errors.js';
import type { AdmissionRequest, ValidatingAdmissionPlugin } from '../pipeline/admission.js';

/** Created at start, never deletable. kube-node-lease holds the agents' heartbeat Leases. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export function isTerminating(ns: KubeObject): boolean {
  const phase = (ns.status as { phase?: unknown } | undefined)?.phase;
  return phase === 'Terminating' || ns.metadata.deletionTimestamp !== undefined;
}

export class NamespaceLifecycle implements ValidatingAdmissionPlugin {
  readonly name = 'NamespaceLifecycle';
  constructor(private readonly getNamespace: (name: string) => Promise<KubeObject | undefined>) {}

  async validate(req: AdmissionRequest): Promise<void> {
    const { attrs, operation, kind } = req;
    if (kind.resource === 'namespaces') {
      if (operation === 'DELETE' && (SYSTEM_NAMESPACES as readonly string[]).includes(attrs.name)) {
        throw new ApiError(Code.FAILED_PRECONDITION, `namespaces "${attrs.name}" is forbidden: this namespace may not be deleted`);
      }
      return;
    }
    if (operation !== 'CREATE' || !kind.namespaced || attrs.subresource !== '') return;
    const ns = await this.getNamespace(attrs.namespace);
    if (ns === undefined) throw notFound('namespaces', attrs.namespace);
    if (isTerminating(ns)) {
      throw new ApiError(Code.FAILED_PRECONDITION, `${kind.resource} "${req.object.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${attrs.namespace} because it is being terminated`);
    }
  }
}
