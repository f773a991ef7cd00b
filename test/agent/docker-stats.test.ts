// Docker's one-shot stats → millicores and working set: tables of engine answers (cgroup v1 and
// v2 field names, a first sample with no previous one).
import t from 'tap';
import { usageFromDockerStats } from '../../node-agent/runtime/index.js';
import type { DockerStats } from '../../node-agent/runtime/index.js';

const cpu = (total: number, system: number, online = 2) => ({ cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: online });

t.test('docker stats - cpu from the delta, memory minus inactive file', async (t) => {
  const cases: [string, DockerStats, { cpuMillicores: number; memoryBytes: number }][] = [
    ['half the host time of 2 cpus = 1 core (v2 inactive_file)', { cpu_stats: cpu(1_500, 10_000), precpu_stats: cpu(1_000, 9_000), memory_stats: { usage: 10_000_000, stats: { inactive_file: 4_000_000 } } }, { cpuMillicores: 1000, memoryBytes: 6_000_000 }],
    ['v1 total_inactive_file', { cpu_stats: cpu(100, 2_000, 4), precpu_stats: cpu(0, 1_000, 4), memory_stats: { usage: 5_000, stats: { total_inactive_file: 1_000 } } }, { cpuMillicores: 400, memoryBytes: 4_000 }],
    ['first sample: no previous, no rate', { cpu_stats: cpu(1_500, 10_000), precpu_stats: {}, memory_stats: { usage: 7 } }, { cpuMillicores: 0, memoryBytes: 7 }],
    ['never below zero', { memory_stats: { usage: 10, stats: { inactive_file: 20 } } }, { cpuMillicores: 0, memoryBytes: 0 }],
    ['online_cpus missing: percpu count', { cpu_stats: { cpu_usage: { total_usage: 300, percpu_usage: [1, 2, 3] }, system_cpu_usage: 2_000 }, precpu_stats: cpu(0, 1_000) }, { cpuMillicores: 900, memoryBytes: 0 }],
  ];
  for (const [name, stats, want] of cases) t.same(usageFromDockerStats(stats), want, name);
});
