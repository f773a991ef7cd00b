// The pure parts of `npm run bench -- agent` (the benchmark itself needs Docker and is run by hand).
import t from 'tap';
import { agentTable, summarize, vmRssMb } from '../../scripts/bench/agent-measure.js';

t.test('agent bench - VmRSS, percentiles and the table', async (t) => {
  t.equal(vmRssMb('Name:\tnode\nVmPeak:\t  999 kB\nVmRSS:\t   51200 kB\nVmData: 1 kB\n'), 50);
  t.ok(Number.isNaN(vmRssMb('Name: zombie\n')), 'no VmRSS: NaN');
  const lat = Array.from({ length: 50 }, (_, i) => 50 - i); // 50..1, unordered input
  const r = summarize(50, lat, [40, 42, 41], [55, 50, 60], { dockerRunMs: [300, 100, 200], rssTsxBaseline: [30], loadAvg1m: 1.5 });
  t.same(
    [r.running, r.start_p50_ms, r.start_p99_ms, r.start_max_ms, r.rss_idle_mb, r.rss_50_pods_mb, r.docker_run_p50_ms, r.docker_run_p99_ms, r.rss_tsx_baseline_mb],
    [50, 25, 50, 50, 41, 55, 200, 300, 30],
  );
  const table = agentTable(r).join('\n');
  t.match(table, /create-to-Running p99 \(ms\)\s+50\s+300\s+< 2000/);
  t.match(table, /agent RSS with 50 pods \(MiB\)\s+55\.0\s+< 60/);
  const empty = summarize(50, [], [], [], { dockerRunMs: [], rssTsxBaseline: [], loadAvg1m: 0 });
  t.match(agentTable(empty).join('\n'), /pods Running \(of 50\)\s+0/, 'nothing ran: 0 and dashes, no crash');
});
