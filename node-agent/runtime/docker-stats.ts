// Docker's one-shot container stats (GET /containers/{id}/stats?stream=false) in the agent's
// terms. CPU: the engine samples twice (precpu_stats and cpu_stats, ~1 s apart); the container's
// share of the host's CPU time over that interval times the online CPUs, in millicores. Memory:
// the working set as the kubelet computes it, usage minus inactive file cache (cgroup v2
// "inactive_file", v1 "total_inactive_file"), never below 0.
import type { ContainerUsage } from './runtime.js';

interface CpuStats {
  readonly cpu_usage?: { readonly total_usage?: number; readonly percpu_usage?: readonly number[] };
  readonly system_cpu_usage?: number;
  readonly online_cpus?: number;
}

export interface DockerStats {
  readonly cpu_stats?: CpuStats;
  readonly precpu_stats?: CpuStats;
  readonly memory_stats?: { readonly usage?: number; readonly stats?: Readonly<Record<string, number>> };
}

export function usageFromDockerStats(s: DockerStats): ContainerUsage {
  const cpu = s.cpu_stats ?? {};
  const pre = s.precpu_stats ?? {};
  const used = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const system = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const cpus = cpu.online_cpus ?? cpu.cpu_usage?.percpu_usage?.length ?? 1;
  // No previous sample (precpu empty) or no elapsed host time: no rate to report.
  const cpuMillicores = used > 0 && system > 0 && (pre.system_cpu_usage ?? 0) > 0 ? Math.round((used / system) * cpus * 1000) : 0;
  const m = s.memory_stats ?? {};
  const inactive = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  const memoryBytes = Math.max(0, (m.usage ?? 0) - inactive);
  return { cpuMillicores, memoryBytes };
}
