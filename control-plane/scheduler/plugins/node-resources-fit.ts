// NodeResourcesFit: the pod's requests (cpu, memory, ephemeral-storage, one pod slot) fit in the
// node's allocatable minus the requests of every pod counted there: running, bound but not yet
// running, and assumed (bind sent, not yet seen back).
import type { FilterPlugin } from '../framework/plugin.js';
import type { NodeInfo } from '../framework/node-info.js';
import { RESOURCE_NAMES, type Resources, type ScalarResource } from '../framework/resources.js';
import { SUCCESS, unschedulable } from '../framework/status.js';

export const NAME = 'NodeResourcesFit';
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const insufficientReason = (resource: string): string => `Insufficient ${resource}`;

/** Every reason the pod does not fit (empty = fits). */
export function insufficientResources(requests: Resources, allocatable: Resources, requested: Resources): string[] {
  const reasons: string[] = [];
  if (requested.pods + 1 > allocatable.pods) reasons.push(REASON_TOO_MANY_PODS);
  for (const r of Object.keys(RESOURCE_NAMES) as ScalarResource[]) {
    if (requests[r] > 0 && requests[r] > allocatable[r] - requested[r]) reasons.push(insufficientReason(RESOURCE_NAMES[r]));
  }
  return reasons;
}

/** The common case without allocating: everything fits. */
function fits(q: Resources, a: Resources, used: Resources): boolean {
  return (
    used.pods + 1 <= a.pods &&
    (q.milliCPU === 0 || q.milliCPU <= a.milliCPU - used.milliCPU) &&
    (q.memory === 0 || q.memory <= a.memory - used.memory) &&
    (q.ephemeralStorage === 0 || q.ephemeralStorage <= a.ephemeralStorage - used.ephemeralStorage)
  );
}

export const nodeResourcesFit: FilterPlugin = {
  name: NAME,
  filter(_state, pod, node: NodeInfo) {
    if (fits(pod.requests, node.allocatable, node.requested)) return SUCCESS;
    const reasons = insufficientResources(pod.requests, node.allocatable, node.requested);
    return reasons.length === 0 ? SUCCESS : unschedulable(NAME, ...reasons);
  },
};
