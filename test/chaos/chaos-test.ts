// The chaos test shared by etcd-chaos.test.ts and shoal-chaos.test.ts: same workload, nemesis and
// checks against any 3-member cluster that takes etcd's member flags.
// CHAOS_SECONDS (default 60) sets the workload duration; CHAOS_SEED the seed; CHAOS_VERBOSE=1
// logs as it goes; CHAOS_KEEP_DIR=1 keeps the members' data and logs for a post-mortem. Past
// ~200 s also raise tap's per-file timeout (.taprc), e.g. --timeout=900.
import t from 'tap';
import type { EtcdCluster } from './etcd-cluster.js';
import { runChaos } from './run-chaos.js';

export function chaosTest(
  name: string,
  label: string,
  makeCluster: (o: { log: (line: string) => void; keepDir: boolean }) => EtcdCluster,
): void {
  const seconds = Number(process.env['CHAOS_SECONDS'] ?? '60');
  const seed = Number(process.env['CHAOS_SEED'] ?? '1');
  if (!(seconds > 0) || !Number.isInteger(seed)) throw new Error(`bad CHAOS_SECONDS=${process.env['CHAOS_SECONDS']} or CHAOS_SEED=${process.env['CHAOS_SEED']}`);

  t.test(`${name} - linearizable under kill -9, SIGSTOP and restarts; the resuming watch sees every revision once`, { timeout: (seconds + 240) * 1000 }, async (t) => {
    const verbose = process.env['CHAOS_VERBOSE'] === '1';
    const log = (line: string): void => {
      if (verbose) t.comment(line);
    };
    const cluster = makeCluster({ log, keepDir: process.env['CHAOS_KEEP_DIR'] === '1' });
    t.teardown(() => cluster.stop());
    await cluster.start();
    if (process.env['CHAOS_KEEP_DIR'] === '1') t.comment(`data and logs: ${cluster.dir}`);

    const report = await runChaos({ cluster, label, durationMs: seconds * 1000, seed, log });
    t.comment(report.summary);

    t.equal(report.linearizability.verdict, 'linearizable', 'the history is linearizable');
    t.ok(report.watch.ok, 'the watch saw every revision exactly once, in order');
    t.ok(report.nemesis.some((a) => a.kind === 'kill' && a.wasLeader), 'the nemesis killed the leader');
    // The nemesis draws faults from a shuffled deck of 8 (one every ~3 s, a kill costing two draws'
    // time with its restart): 60 s always includes a pause.
    if (seconds >= 60) t.ok(report.nemesis.some((a) => a.kind === 'pause'), 'the nemesis paused members');
    t.ok(report.history.filter((o) => o.completion.type === 'ok').length > 100, 'the workload made progress');
    t.same(
      report.nemesis.filter((a) => a.error !== null),
      [],
      'every nemesis action succeeded',
    );

    await cluster.stop();
    for (const m of cluster.members()) t.equal(m.pid, null, `${m.name} stopped`);
  });
}
