// The admission chain the API server runs (stage 3), in order. Later issues add their plugins
// at the marked places; callers may append more through ApiServerOptions.
import type { KubeObject } from '../../../api/kind.js';
import type { AdmissionChain, MutatingAdmissionPlugin, ValidatingAdmissionPlugin } from '../pipeline/admission.js';
import type { AdmissionLookups } from './admission-lookups.js';
import { DefaultTolerationSeconds } from './default-toleration-seconds.js';
import type { DefaultTolerationSecondsOptions } from './default-toleration-seconds.js';
import { LimitRanger } from './limit-ranger.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { NodeRestriction } from './node-restriction.js';
import { RbacEscalation } from './rbac-escalation.js';
import { ResourceQuotaAdmission } from './resource-quota.js';
import { ServiceAccountAdmission } from './service-account.js';
import { CertificateSigningRequests } from '../certificates/index.js';
import type { CsrAdmissionDeps } from '../certificates/index.js';
import type { RbacIndex } from '../security/index.js';

export interface DefaultChainDeps {
  /** Reads a namespace from the store; absent when the server does not serve namespaces. */
  readonly getNamespace: ((name: string) => Promise<KubeObject | undefined>) | undefined;
  /** CertificateSigningRequests: requester fields, auto-approval and signing (contract C4). */
  readonly certificates?: CsrAdmissionDeps;
  /** The namespace's LimitRanges, ResourceQuotas, ServiceAccounts; absent = those plugins are off. */
  readonly lookups?: AdmissionLookups;
  readonly defaultTolerationSeconds?: DefaultTolerationSecondsOptions;
  readonly extraMutating?: readonly MutatingAdmissionPlugin[];
  readonly extraValidating?: readonly ValidatingAdmissionPlugin[];
  /** The RBAC state when RBAC authorizes requests: turns on the escalation checks. */
  readonly rbac?: RbacIndex;
  /** Cluster IPs and node ports of Services (issue 8): allocation/ServiceAllocation. */
  readonly serviceAllocation?: MutatingAdmissionPlugin;
}

export function defaultAdmissionChain(d: DefaultChainDeps): AdmissionChain {
  const lookups = d.lookups;
  const limitRanger = lookups === undefined ? undefined : new LimitRanger((ns) => lookups.listCached('limitranges', ns));
  const serviceAccount = lookups === undefined ? undefined : new ServiceAccountAdmission(async (ns, name) => lookups.getCached('serviceaccounts', ns, name) ?? (await lookups.getLive('serviceaccounts', ns, name)));
  const mutating: MutatingAdmissionPlugin[] = [
    // First: later plugins and validation see the allocated clusterIP and nodePorts; if any of
    // them refuses, the registry's WriteEffects give the allocation back.
    ...(d.serviceAllocation !== undefined ? [d.serviceAllocation] : []),
    ...(limitRanger !== undefined ? [limitRanger] : []),
    ...(serviceAccount !== undefined ? [serviceAccount] : []),
    new DefaultTolerationSeconds(d.defaultTolerationSeconds),
    ...(d.certificates !== undefined ? [new CertificateSigningRequests(d.certificates)] : []),
    ...(d.extraMutating ?? []),
  ];
  const validating: ValidatingAdmissionPlugin[] = [
    ...(d.getNamespace !== undefined ? [new NamespaceLifecycle(d.getNamespace)] : []),
    ...(limitRanger !== undefined ? [limitRanger] : []),
    ...(serviceAccount !== undefined ? [serviceAccount] : []),
    new NodeRestriction(),
    ...(d.rbac !== undefined ? [new RbacEscalation(d.rbac)] : []),
    ...(d.extraValidating ?? []),
    // Last: it charges the quota, so nothing after it may refuse.
    ...(lookups !== undefined ? [new ResourceQuotaAdmission(lookups)] : []),
  ];
  return { mutating, validating };
}
