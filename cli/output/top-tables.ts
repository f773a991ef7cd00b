// shoalctl top tables in kubectl's columns: nodes NAME CPU(cores) CPU% MEMORY(bytes) MEMORY%
// (percent of the Node's allocatable, truncated), pods [NAMESPACE] NAME CPU(cores) MEMORY(bytes).
// CPU prints as millicores ("250m"), memory as whole MiB ("64Mi"); a node whose agent could not
// be asked prints <unknown> in every usage column.
import type { KubeObject } from '../../api/kind.js';
import { parseQuantity, toMillis, toUnits } from '../../api/index.js';
import type { NodeStatsReply, PodUsage } from '../../proto/gen/shoal/api/v1/tunnel.js';
import type { Table } from './table.js';

export const UNKNOWN = '<unknown>';
const MiB = 1024 * 1024;

export const cpuCell = (millicores: number): string => `${millicores}m`;
export const memoryCell = (bytes: number): string => `${Math.floor(bytes / MiB)}Mi`;

function percentCell(used: number, allocatable: number | undefined): string {
  if (allocatable === undefined || allocatable <= 0) return UNKNOWN;
  return `${Math.floor((used / allocatable) * 100)}%`;
}

function allocatableOf(node: KubeObject, resource: 'cpu' | 'memory'): number | undefined {
  const alloc = (node as { status?: { allocatable?: Record<string, string | number> } }).status?.allocatable?.[resource];
  const q = alloc === undefined ? undefined : parseQuantity(String(alloc));
  if (q === undefined) return undefined;
  return resource === 'cpu' ? toMillis(q) : toUnits(q);
}

/** One row per node, in the order given; stats missing for a node = <unknown>. */
export function topNodesTable(nodes: readonly KubeObject[], stats: ReadonlyMap<string, NodeStatsReply>): Table {
  const rows = nodes.map((n) => {
    const name = n.metadata.name ?? '';
    const s = stats.get(name);
    if (s === undefined) return [name, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN];
    return [name, cpuCell(s.cpuMillicores), percentCell(s.cpuMillicores, allocatableOf(n, 'cpu')), memoryCell(s.memoryBytes), percentCell(s.memoryBytes, allocatableOf(n, 'memory'))];
  });
  return { headers: ['NAME', 'CPU(cores)', 'CPU%', 'MEMORY(bytes)', 'MEMORY%'], rows };
}

export interface TopPodRow {
  readonly namespace: string;
  readonly name: string;
  /** undefined: the pod's node could not be asked. */
  readonly usage: Pick<PodUsage, 'cpuMillicores' | 'memoryBytes'> | undefined;
}

export function topPodsTable(rows: readonly TopPodRow[], allNamespaces: boolean): Table {
  const sorted = [...rows].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return {
    headers: [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
    rows: sorted.map((r) => [
      ...(allNamespaces ? [r.namespace] : []),
      r.name,
      r.usage === undefined ? UNKNOWN : cpuCell(r.usage.cpuMillicores),
      r.usage === undefined ? UNKNOWN : memoryCell(r.usage.memoryBytes),
    ]),
  };
}
