// The pure parts of `npm run bench -- agent`: reading VmRSS, summarizing samples, the table.
import { percentile } from './store-workloads.js';

/** VmRSS of a /proc/<pid>/status text, in MiB; NaN when absent. */
export function vmRssMb(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return m === null ? NaN : Number(m[1]) / 1024;
}

export interface AgentBenchResult {
  pods: number;
  running: number;
  start_p50_ms: number;
  start_p99_ms: number;
  start_max_ms: number;
  rss_idle_mb: number;
  rss_50_pods_mb: number;
  /** Reference, same run: `docker run -d` of the same containers at once through the CLI. */
  docker_run_p50_ms: number;
  docker_run_p99_ms: number;
  /** Reference, same run: an idle `node --import tsx` process (the loader the agent runs under). */
  rss_tsx_baseline_mb: number;
  /** 1-minute load average at the end (the machine is shared). */
  load_avg_1m: number;
}

/** Create-to-Running latencies (ms, any order) and RSS samples → the result. */
export interface References {
  readonly dockerRunMs: readonly number[];
  readonly rssTsxBaseline: readonly number[];
  readonly loadAvg1m: number;
}

export function summarize(pods: number, latencies: readonly number[], rssIdle: readonly number[], rssLoaded: readonly number[], ref: References): AgentBenchResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const docker = [...ref.dockerRunMs].sort((a, b) => a - b);
  const med = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 50);
  return {
    pods,
    running: sorted.length,
    start_p50_ms: percentile(sorted, 50),
    start_p99_ms: percentile(sorted, 99),
    start_max_ms: sorted.at(-1) ?? NaN,
    rss_idle_mb: med(rssIdle),
    rss_50_pods_mb: med(rssLoaded),
    docker_run_p50_ms: percentile(docker, 50),
    docker_run_p99_ms: percentile(docker, 99),
    rss_tsx_baseline_mb: med(ref.rssTsxBaseline),
    load_avg_1m: ref.loadAvg1m,
  };
}

/** The targets and the quoted reference (not measured here). */
export const AGENT_TARGETS = { startP99Ms: 2000, rssMb: 60, k3sAgentRssMbPi4: 268, kubernetesStartupSloP99Ms: 5000 } as const;

export function agentTable(r: AgentBenchResult): string[] {
  const fmt = (v: number, d = 0): string => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const rows: [string, string, string, string][] = [
    ['measure', 'shoal-agent', 'reference', 'target'],
    [`pods Running (of ${r.pods})`, String(r.running), '', String(r.pods)],
    ['create-to-Running p50 (ms)', fmt(r.start_p50_ms), fmt(r.docker_run_p50_ms), ''],
    ['create-to-Running p99 (ms)', fmt(r.start_p99_ms), fmt(r.docker_run_p99_ms), `< ${AGENT_TARGETS.startP99Ms}`],
    ['create-to-Running max (ms)', fmt(r.start_max_ms), '', ''],
    ['agent RSS idle (MiB)', fmt(r.rss_idle_mb, 1), fmt(r.rss_tsx_baseline_mb, 1), `< ${AGENT_TARGETS.rssMb}`],
    [`agent RSS with ${r.pods} pods (MiB)`, fmt(r.rss_50_pods_mb, 1), '', `< ${AGENT_TARGETS.rssMb}`],
    ['load average (1 min, 2 cores)', '', fmt(r.load_avg_1m, 1), ''],
  ];
  const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(w[c]! + 2) : cell.padStart(w[c]! + 2))).join(''));
}

export const REFERENCE_COLUMN = `reference column (measured in this run): latency = \`docker run -d\` of the same containers at once through the Docker CLI; RSS = an idle \`node --import tsx\` process (the loader the agent runs under)`;

export const REFERENCE_LINE = `reference (quoted, not measured): k3s agent ≈ ${AGENT_TARGETS.k3sAgentRssMbPi4} MB RSS on a Raspberry Pi 4; Kubernetes pod start-up SLO p99 ≤ ${AGENT_TARGETS.kubernetesStartupSloP99Ms / 1000} s; the issue's targets: p99 < ${AGENT_TARGETS.startP99Ms / 1000} s, RSS < ${AGENT_TARGETS.rssMb} MB`;
