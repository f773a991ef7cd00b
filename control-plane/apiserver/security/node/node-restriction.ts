// NodeRestriction admission (Kubernetes' plugin, for the parts Shoal's node authorizer leaves
// open): the authorizer lets a node write its own Node; this checks what it writes.
// - A node may not set, change or remove labels under node-restriction.kubernetes.io/ (reserved
//   for administrators to steer workloads by), nor any kubernetes.io / k8s.io label outside the
//   list kubelets own: so it cannot label itself node-role.kubernetes.io/control-plane and draw
//   pods (and their secrets) meant for other machines.
// - A node may not change its taints after creation (taints keep pods away; the node controller
//   and administrators own them).
// - Every object write by a node must be about itself: its own Node's name.
import type { ResourceRequest, UserInfo } from '../authorizer.js';
import { nodeNameOf } from '../identities.js';

/** The parts of a Node that are checked. */
export interface NodeLike {
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>> };
  readonly spec?: { readonly taints?: readonly unknown[] };
}

export type AdmissionResult = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const RESTRICTED_PREFIX = 'node-restriction.kubernetes.io/';
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io/', 'node.kubernetes.io/'];

/** May a node set this label on its own Node? */
export function nodeMaySetLabel(key: string): boolean {
  const slash = key.indexOf('/');
  const ns = slash < 0 ? '' : key.slice(0, slash);
  if (key.startsWith(RESTRICTED_PREFIX)) return false;
  if (KUBELET_LABELS.has(key) || KUBELET_LABEL_NAMESPACES.some((p) => key.startsWith(p))) return true;
  const reserved = ns === 'kubernetes.io' || ns.endsWith('.kubernetes.io') || ns === 'k8s.io' || ns.endsWith('.k8s.io');
  return !reserved;
}

/** Labels whose value differs between old and new (added, changed or removed). */
function changedLabels(oldLabels: Readonly<Record<string, string>>, newLabels: Readonly<Record<string, string>>): string[] {
  const keys = new Set([...Object.keys(oldLabels), ...Object.keys(newLabels)]);
  return [...keys].filter((k) => oldLabels[k] !== newLabels[k]).sort();
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/**
 * Admission of a node's write to a Node (create, update, patch after merging). Users that are not
 * nodes and other resources are not this plugin's business: allowed.
 */
export function admitNodeWrite(user: UserInfo, attrs: ResourceRequest, newObject: NodeLike, oldObject: NodeLike | undefined): AdmissionResult {
  const node = nodeNameOf(user);
  if (node === undefined || attrs.apiGroup !== '' || attrs.resource !== 'nodes') return { allowed: true };
  const who = `node "${node}"`;
  if (newObject.metadata.name !== node) return { allowed: false, reason: `${who} is not allowed to modify node "${newObject.metadata.name}"` };
  const bad = changedLabels(oldObject?.metadata.labels ?? {}, newObject.metadata.labels ?? {}).filter((k) => !nodeMaySetLabel(k));
  if (bad.length > 0) {
    return { allowed: false, reason: `${who} is not allowed to set or modify the labels ${bad.map((k) => `"${k}"`).join(', ')} (reserved for administrators; nodes may set kubelet.kubernetes.io/, node.kubernetes.io/ and the well-known topology labels)` };
  }
  if (oldObject !== undefined && !sameJson(oldObject.spec?.taints, newObject.spec?.taints)) {
    return { allowed: false, reason: `${who} is not allowed to modify its taints` };
  }
  return { allowed: true };
}
