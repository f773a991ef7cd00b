// The node's usage now, for shoalctl top nodes: CPU load (systeminformation's currentLoad, the
// busy share of all cores since its previous call) as millicores, and memory in use without
// buffers and page cache (systeminformation's "active": total - available).
import si from 'systeminformation';

export interface NodeUsage {
  readonly cpuMillicores: number;
  readonly memoryBytes: number;
}

export type NodeUsageSource = () => Promise<NodeUsage>;

export const readNodeUsage: NodeUsageSource = async () => {
  const [load, mem] = await Promise.all([si.currentLoad(), si.mem()]);
  const cores = load.cpus.length > 0 ? load.cpus.length : 1;
  return { cpuMillicores: Math.round((load.currentLoad / 100) * cores * 1000), memoryBytes: mem.active };
};
