// The node authorizer: what an agent (user system:node:<name>, group system:nodes) may do.
// A node reads what its own pods need and writes only its own objects:
//   - pods bound to it: get/list/watch by name, delete, read/write their status; list/watch of
//     pods only with the field selector spec.nodeName=<its name>;
//   - Secrets, ConfigMaps, PersistentVolumeClaims, ServiceAccounts referenced by pods bound to it:
//     get (and list/watch of one named object); a token for such a ServiceAccount
//     (create serviceaccounts/token);
//   - Services, Endpoints, EndpointSlices, Nodes: read; events: create/update/patch;
//     CertificateSigningRequests: create and read (certificate renewal);
//   - its own Node and nodes/status: get/create/update/patch; its own Lease in kube-node-lease.
// Every other resource request by a node is denied here (not passed on to RBAC), with the reason.
// Non-resource requests (discovery, /version) and users that are not nodes: no opinion.
import type { Authorizer, AuthorizerDecision, RequestAttributes, ResourceRequest, UserInfo } from '../authorizer.js';
import { combinedResource } from '../authorizer.js';
import { nodeNameOf } from '../identities.js';
import type { NodeGraph } from './node-graph.js';
import type { ReferencedKind } from './pod-references.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const READ = new Set(['get', 'list', 'watch']);
const OWN_NODE_VERBS = new Set(['get', 'create', 'update', 'patch']);
const OWN_LEASE_VERBS = new Set(['get', 'create', 'update', 'patch', 'delete']);
const EVENT_VERBS = new Set(['create', 'update', 'patch']);
const CSR_VERBS = new Set(['create', 'get', 'list', 'watch']);
const POD_STATUS_VERBS = new Set(['get', 'update', 'patch']);

/** Field requirements of a selector such as "spec.nodeName=n1,metadata.name==p"; `!=` terms are skipped. */
export function parseFieldSelector(selector: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const term of (selector ?? '').split(',')) {
    if (term.includes('!=')) continue;
    const m = /^\s*([^=\s]+)\s*==?\s*(.*?)\s*$/.exec(term);
    if (m !== null) out.set(m[1]!, m[2]!);
  }
  return out;
}

const allow = (reason: string): AuthorizerDecision => ({ decision: 'allow', reason });
const deny = (reason: string): AuthorizerDecision => ({ decision: 'deny', reason });

export class NodeAuthorizer implements Authorizer {
  constructor(private readonly graph: NodeGraph) {}

  authorize(user: UserInfo, attrs: RequestAttributes): AuthorizerDecision {
    const node = nodeNameOf(user);
    if (node === undefined || attrs.kind !== 'resource') return { decision: 'no-opinion', reason: '' };
    return this.decide(node, attrs);
  }

  private decide(node: string, a: ResourceRequest): AuthorizerDecision {
    const res = combinedResource(a);
    const who = `node '${node}'`;
    const otherwise = deny(`${who} may not ${a.verb} ${a.apiGroup === '' ? '' : `${a.apiGroup}/`}${res}: nodes may only read what their pods need and write their own Node, Lease, pod status and events`);
    switch (a.apiGroup) {
      case '':
        switch (res) {
          case 'pods':
            return this.pods(node, a);
          case 'pods/status':
            return POD_STATUS_VERBS.has(a.verb) ? this.boundPod(node, a) : otherwise;
          case 'secrets':
          case 'configmaps':
          case 'persistentvolumeclaims':
          case 'serviceaccounts':
            return READ.has(a.verb) ? this.referenced(node, res, a) : otherwise;
          case 'serviceaccounts/token':
            return a.verb === 'create' ? this.referenced(node, 'serviceaccounts', a) : otherwise;
          case 'services':
          case 'endpoints':
            return READ.has(a.verb) ? allow(`${who} may read ${res}`) : otherwise;
          case 'nodes':
            if (READ.has(a.verb)) return allow(`${who} may read nodes`);
            return OWN_NODE_VERBS.has(a.verb) ? this.ownNode(node, a) : otherwise;
          case 'nodes/status':
            return OWN_NODE_VERBS.has(a.verb) && a.verb !== 'create' ? this.ownNode(node, a) : otherwise;
          case 'events':
            return EVENT_VERBS.has(a.verb) ? allow(`${who} may record events`) : otherwise;
          default:
            return otherwise;
        }
      case 'events.k8s.io':
        return res === 'events' && EVENT_VERBS.has(a.verb) ? allow(`${who} may record events`) : otherwise;
      case 'discovery.k8s.io':
        return res === 'endpointslices' && READ.has(a.verb) ? allow(`${who} may read endpointslices`) : otherwise;
      case 'coordination.k8s.io':
        if (res !== 'leases' || !OWN_LEASE_VERBS.has(a.verb)) return otherwise;
        if (a.namespace !== NODE_LEASE_NAMESPACE || a.name !== node) {
          return deny(`${who} may only ${a.verb} its own lease ("${node}" in namespace "${NODE_LEASE_NAMESPACE}"), not "${a.name}" in namespace "${a.namespace}"`);
        }
        return allow(`${who} may ${a.verb} its own lease`);
      case 'certificates.k8s.io':
        return res === 'certificatesigningrequests' && CSR_VERBS.has(a.verb) ? allow(`${who} may request certificates`) : otherwise;
      default:
        return otherwise;
    }
  }

  private pods(node: string, a: ResourceRequest): AuthorizerDecision {
    if (a.name === '' && (a.verb === 'list' || a.verb === 'watch')) {
      const onNode = parseFieldSelector(a.fieldSelector).get('spec.nodeName');
      if (onNode === node) return allow(`node '${node}' may ${a.verb} the pods bound to it`);
      return deny(`node '${node}' may only ${a.verb} pods with the field selector spec.nodeName=${node}`);
    }
    if (READ.has(a.verb) || a.verb === 'delete') return this.boundPod(node, a);
    return deny(`node '${node}' may not ${a.verb} pods: nodes may read, delete and update the status of the pods bound to them`);
  }

  private boundPod(node: string, a: ResourceRequest): AuthorizerDecision {
    if (a.name === '') return deny(`node '${node}' may only ${a.verb} ${combinedResource(a)} of a named pod`);
    const boundTo = this.graph.nodeOfPod(a.namespace, a.name);
    if (boundTo === node) return allow(`node '${node}' may ${a.verb} ${combinedResource(a)} of pod "${a.namespace}/${a.name}" bound to it`);
    return deny(`no relationship found between node '${node}' and pod "${a.namespace}/${a.name}"`);
  }

  private referenced(node: string, kind: ReferencedKind, a: ResourceRequest): AuthorizerDecision {
    if (a.name === '') return deny(`node '${node}' may only ${a.verb} individual ${kind} referenced by pods bound to it`);
    if (this.graph.nodeReferences(node, kind, a.namespace, a.name)) return allow(`node '${node}' runs a pod that references ${kind} "${a.namespace}/${a.name}"`);
    return deny(`no relationship found between node '${node}' and ${kind} "${a.namespace}/${a.name}"`);
  }

  private ownNode(node: string, a: ResourceRequest): AuthorizerDecision {
    // The pipeline passes the object's name for creates too; NodeRestriction admission checks the body.
    if (a.name === node) return allow(`node '${node}' may ${a.verb} its own ${combinedResource(a)}`);
    return deny(`node '${node}' may only ${a.verb} its own Node object, not "${a.name}"`);
  }
}
