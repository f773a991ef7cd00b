// The pure core of node lifecycle:
// - health: a node is silent when neither its Lease (kube-node-lease) nor its Ready heartbeat
//   changed within the grace period, measured on this host's clock from when this controller
//   last saw a change (no trust in the node's clock);
// - a silent node gets Ready=Unknown and the unreachable NoExecute taint; a node reporting
//   Ready=False gets the not-ready NoExecute taint; a healthy node loses both;
// - eviction: a pod on a node with a NoExecute taint goes at once when it tolerates none of them,
//   after the smallest tolerationSeconds of its matching tolerations, never when it tolerates
//   them all without a limit;
// - when most nodes are silent at once (the control plane is cut off, not the nodes), nothing is
//   evicted.
import type { Node, Pod, Taint } from '../../../api/index.js';
import { tolerates } from '../shared/taints.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';

/** Starting: registered, no Ready condition posted yet, still within the grace period. */
export type NodeHealth = 'Ready' | 'NotReady' | 'Unknown' | 'Starting';

/**
 * A node that has not posted a Ready condition yet is left alone for the grace period, like
 * kube's node startup grace: marking it Unknown at once would race its agent's first status
 * write (register, then post status) and could overwrite Ready=True with Unknown.
 */
export function nodeHealth(node: Node, lastSeenMs: number, nowMs: number, graceMs: number): NodeHealth {
  if (nowMs - lastSeenMs > graceMs) return 'Unknown';
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready === undefined ? 'Starting' : ready.status === 'True' ? 'Ready' : 'NotReady';
}

/** The NoExecute taints a node of this health carries (others' taints are kept as they are). */
export function desiredTaints(node: Node, health: NodeHealth, nowIso: string): Taint[] {
  if (health === 'Starting') return [...(node.spec.taints ?? [])];
  const own = (node.spec.taints ?? []).filter((t) => t.key !== TAINT_UNREACHABLE && t.key !== TAINT_NOT_READY);
  const existing = (key: string): Taint => (node.spec.taints ?? []).find((t) => t.key === key && t.effect === 'NoExecute') ?? ({ key, effect: 'NoExecute', timeAdded: nowIso } as Taint);
  if (health === 'Unknown') return [...own, existing(TAINT_UNREACHABLE)];
  if (health === 'NotReady') return [...own, existing(TAINT_NOT_READY)];
  return own;
}

/** True when evictions must stop: most nodes silent at once (at least 3 nodes). */
export function fullDisruption(healths: readonly NodeHealth[], threshold = 0.55): boolean {
  // Nodes still starting say nothing about the network either way.
  const known = healths.filter((h) => h !== 'Starting');
  if (known.length < 3) return false;
  return known.filter((h) => h !== 'Ready').length / known.length > threshold;
}

/**
 * When the pod must leave a node with these taints (ms since epoch): undefined = never, else the
 * time (<= now means now).
 */
export function evictionTime(pod: Pod, taints: readonly Taint[]): number | undefined {
  const noExec = taints.filter((t) => t.effect === 'NoExecute');
  if (noExec.length === 0) return undefined;
  let at: number | undefined;
  for (const taint of noExec) {
    const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return 0;
    const limits = matching.map((t) => t.tolerationSeconds).filter((s): s is number => s !== undefined);
    if (limits.length === 0 || limits.length < matching.length) continue; // one unlimited toleration is enough
    const added = Date.parse(taint.timeAdded ?? '');
    const from = Number.isNaN(added) ? 0 : added;
    const t = from + Math.max(0, Math.min(...limits)) * 1000;
    at = at === undefined ? t : Math.min(at, t);
  }
  return at;
}
