// The admission chain the API server runs (stage 3), in order. Later issues add their plugins
// at the marked places; callers may append more through ApiServerOptions.
import type { KubeObject } from '../../../api/kind.js';
import type { AdmissionChain, MutatingAdmissionPlugin, ValidatingAdmissionPlugin } from '../pipeline/admission.js';
import { CertificateSigningRequests } from '../certificates/index.js';
import type { CsrAdmissionDeps } from '../certificates/index.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { NodeRestriction } from './node-restriction.js';
import { RbacEscalation } from './rbac-escalation.js';
import type { RbacIndex } from '../security/index.js';

export interface DefaultChainDeps {
  /** Reads a namespace from the store; absent when the server does not serve namespaces. */
  readonly getNamespace: ((name: string) => Promise<KubeObject | undefined>) | undefined;
  /** CertificateSigningRequests: requester fields, auto-approval and signing (contract C4). */
  readonly certificates?: CsrAdmissionDeps;
  readonly extraMutating?: readonly MutatingAdmissionPlugin[];
  readonly extraValidating?: readonly ValidatingAdmissionPlugin[];
  /** The RBAC state when RBAC authorizes requests: turns on the escalation checks. */
  readonly rbac?: RbacIndex;
}

export function defaultAdmissionChain(d: DefaultChainDeps): AdmissionChain {
  const mutating: MutatingAdmissionPlugin[] = [
    // HOOK (issue 8, service networking): a ServiceIPAllocator plugin that assigns
    // spec.clusterIP to Services on CREATE (and releases it on DELETE) goes here.
    // HOOK (issue 5, security): ServiceAccount, LimitRanger (default container memory 512Mi),
    // DefaultTolerationSeconds.
    ...(d.certificates !== undefined ? [new CertificateSigningRequests(d.certificates)] : []),
    ...(d.extraMutating ?? []),
  ];
  const validating: ValidatingAdmissionPlugin[] = [
    ...(d.getNamespace !== undefined ? [new NamespaceLifecycle(d.getNamespace)] : []),
    // HOOK (issue 5, security): NodeRestriction, ResourceQuota.
    new NodeRestriction(),
    ...(d.rbac !== undefined ? [new RbacEscalation(d.rbac)] : []),
    ...(d.extraValidating ?? []),
  ];
  return { mutating, validating };
}
