// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods unless the pod
// tolerates the node.kubernetes.io/unschedulable taint; a node whose Ready condition is not True
// takes none either.
import type { Node, Toleration } from '../../../api/index.js';
import type { FilterPlugin } from '../framework/plugin.js';
import { SUCCESS, unschedulable } from '../framework/status.js';
import { tolerates } from './taint-toleration.js';

export const NAME = 'NodeUnschedulable';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NOT_READY = 'node(s) were not ready';
export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/** The reason this node refuses the pod, or undefined. */
export function nodeSchedulability(node: Node, ready: boolean, tolerations: readonly Toleration[]): string | undefined {
  if (!ready) return REASON_NOT_READY;
  if (node.spec.unschedulable === true && !tolerations.some((t) => tolerates(t, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' }))) return REASON_UNSCHEDULABLE;
  return undefined;
}

export const nodeUnschedulable: FilterPlugin = {
  name: NAME,
  filter(_state, pod, node) {
    const reason = nodeSchedulability(node.node, node.ready, pod.pod.spec.tolerations ?? []);
    return reason === undefined ? SUCCESS : unschedulable(NAME, reason);
  },
};
