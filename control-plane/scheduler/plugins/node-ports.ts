// NodePorts: a host port (per protocol) is taken by at most one pod per node.
import type { FilterPlugin } from '../framework/plugin.js';
import { SUCCESS, unschedulable } from '../framework/status.js';

export const NAME = 'NodePorts';
export const REASON = "node(s) didn't have free ports for the requested pod ports";

export function portsConflict(wanted: readonly string[], used: ReadonlyMap<string, number>): boolean {
  return wanted.some((p) => used.has(p));
}

export const nodePorts: FilterPlugin = {
  name: NAME,
  filter(_state, pod, node) {
    return pod.hostPorts.length > 0 && portsConflict(pod.hostPorts, node.usedPorts) ? unschedulable(NAME, REASON) : SUCCESS;
  },
};
