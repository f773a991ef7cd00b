// ServiceAccount (as in Kubernetes): a new pod without spec.serviceAccountName runs as "default";
// a pod naming a service account that does not exist is refused.
// Grace (a choice): a missing "default" is allowed, because the service-account controller makes
// it shortly after its namespace appears and pods created in that gap (or on a cluster without
// the controller) should not fail; any other name must exist. Nothing is mounted (no token
// projection yet).
import type { KubeObject } from '../../../api/kind.js';
import { ApiError, Code, subject } from '../errors.js';
import type { AdmissionRequest, MutatingAdmissionPlugin, ValidatingAdmissionPlugin } from '../pipeline/admission.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

const accountOf = (pod: KubeObject): unknown => (typeof pod.spec === 'object' && pod.spec !== null ? (pod.spec as { serviceAccountName?: unknown }).serviceAccountName : undefined);

export class ServiceAccountAdmission implements MutatingAdmissionPlugin, ValidatingAdmissionPlugin {
  readonly name = 'ServiceAccount';
  /** getServiceAccount: the watch cache first, the store when the cache does not have it (just created). */
  constructor(private readonly getServiceAccount: (namespace: string, name: string) => Promise<KubeObject | undefined>) {}

  private applies(req: AdmissionRequest): boolean {
    return req.kind.resource === 'pods' && req.operation === 'CREATE' && req.attrs.subresource === '';
  }

  async admit(req: AdmissionRequest): Promise<KubeObject> {
    if (!this.applies(req) || typeof req.object.spec !== 'object' || req.object.spec === null) return req.object;
    const sa = accountOf(req.object);
    if (sa !== undefined && sa !== '') return req.object;
    return { ...req.object, spec: { ...req.object.spec, serviceAccountName: DEFAULT_SERVICE_ACCOUNT } };
  }

  async validate(req: AdmissionRequest): Promise<void> {
    if (!this.applies(req)) return;
    const sa = accountOf(req.object);
    if (typeof sa !== 'string' || sa === '' || sa === DEFAULT_SERVICE_ACCOUNT) return;
    if ((await this.getServiceAccount(req.attrs.namespace, sa)) !== undefined) return;
    throw new ApiError(Code.FAILED_PRECONDITION, `${subject(req.kind.resource, req.object.metadata.name)} is forbidden: error looking up service account ${req.attrs.namespace}/${sa}: serviceaccount "${sa}" not found`, [
      { field: 'spec.serviceAccountName', type: 'FieldValueNotFound', message: `serviceaccount "${sa}" not found in namespace ${req.attrs.namespace}` },
    ]);
  }
}
