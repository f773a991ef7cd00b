// Deterministic simulation of Raft clusters under faults: the main evidence that the core is
// safe (invariants checked after every step) and live (after healing, a leader and a commit
// within a bounded number of ticks). See test/sim/ for the harness.
//
//   SIM_SEED=1234 npx tap test/raft/sim.test.ts          one seed, in every group
//   SIM_GROUP=membership SIM_SEED=1234 ...               one seed, one group
//   SIM_SEEDS=5000 SIM_START=100000 ...                  more seeds (per short group)
//   SIM_TRACE=1                                          print the whole trace of a failure
import t from 'tap';
import type { Profile, SimResult, SimStats } from '../sim/index.js';
import { MUTANTS, PROFILES, runSimulation, SimFailure } from '../sim/index.js';

/** Seeds per group by default: about a minute on an idle 2-core machine in all (one core used). */
const DEFAULT_SEEDS: Readonly<Record<string, number>> = {
  basic: 600,
  membership: 600,
  snapshot: 600,
  transfer: 600,
  'read-index': 600,
  'membership-no-prevote': 600,
  'lease-read': 200,
  long: 30,
};
/**
 * Known core bugs: a failure of `property` in `group` is printed in full but reported as a tap
 * TODO, which does not fail the suite (any other failure in the group still does). Remove an
 * entry once the core is fixed.
 */
const KNOWN_BUGS: readonly { group: string; property: string; reason: string }[] = [
  {
    group: 'membership-no-prevote',
    property: 'liveness',
    reason:
      'without pre-vote, a candidate whose stale configuration names only removed members ' +
      'campaigns at rising terms without ever asking the one voter that could win; that voter ' +
      'reaches each new term only by campaigning into it, where the stale candidate has already ' +
      'voted for itself, so it wins only when its timeout beats the other by a whole round ' +
      '(about 1 seed in 1000, e.g. SIM_GROUP=membership-no-prevote SIM_SEED=1731); pre-vote (the default) avoids it',
  },
];
/** Long runs are this many times longer than short ones: SIM_SEEDS is divided by it for them. */
const LONG_FACTOR = 10;
const MAX_FAILURES_PER_GROUP = 3;

const env = process.env;
const oneSeed = env.SIM_SEED !== undefined && env.SIM_SEED !== '' ? Number(env.SIM_SEED) : undefined;
const start = Number(env.SIM_START ?? 0);
const seedsOverride = env.SIM_SEEDS !== undefined && env.SIM_SEEDS !== '' ? Number(env.SIM_SEEDS) : undefined;
const onlyGroup = env.SIM_GROUP;
const fullTrace = env.SIM_TRACE === '1';

function seedsFor(p: Profile): number {
  if (seedsOverride === undefined) return DEFAULT_SEEDS[p.name] ?? 100;
  return p.ticks > 1000 ? Math.max(1, Math.ceil(seedsOverride / LONG_FACTOR)) : seedsOverride;
}

function summarize(total: Partial<SimStats>, runs: number): string {
  return Object.entries(total)
    .map(([k, v]) => `${k}=${(v / runs).toFixed(1)}`)
    .join(' ');
}

for (const p of PROFILES) {
  if (onlyGroup !== undefined && onlyGroup !== '' && onlyGroup !== p.name) continue;
  const seeds = oneSeed !== undefined ? [oneSeed] : Array.from({ length: seedsFor(p) }, (_, i) => start + i);
  const bugs = KNOWN_BUGS.filter((b) => b.group === p.name);
  const title =
    `raft sim - ${p.name}: safety invariants after every step, liveness after healing` +
    (bugs.length > 0 ? ` (known bug: ${bugs.map((b) => b.property).join(', ')})` : '');
  t.test(title, async (t) => {
    const totals: Partial<SimStats> = {};
    let failures = 0;
    let knownFailures = 0;
    let runs = 0;
    const t0 = performance.now();
    for (const seed of seeds) {
      let r: SimResult;
      try {
        r = runSimulation({ seed, profile: p, fullTrace });
      } catch (err) {
        if (!(err instanceof SimFailure)) throw err;
        const known = bugs.find((b) => b.property === err.property)?.reason;
        if (known === undefined) failures++;
        else knownFailures++;
        // Known bugs: every seed runs (the count says how often it bites), the first few print.
        if (known !== undefined && knownFailures > MAX_FAILURES_PER_GROUP) continue;
        if (err.fullTrace !== undefined) t.comment(`full trace of seed ${seed}:\n${err.fullTrace.join('\n')}`);
        t.comment(err.report());
        t.fail(`seed ${seed} (${p.name}) step ${err.step}: ${err.property}: ${err.detail} -- replay: ${err.replay}`, {
          seed,
          group: p.name,
          step: err.step,
          tick: err.tick,
          property: err.property,
          settings: err.settings,
          replay: err.replay,
          lastEvents: err.lastEvents,
          todo: known,
        });
        if (failures >= MAX_FAILURES_PER_GROUP) break;
        continue;
      }
      runs++;
      for (const [k, v] of Object.entries(r.stats) as [keyof SimStats, number][]) totals[k] = (totals[k] ?? 0) + v;
      if (oneSeed !== undefined) {
        t.comment(`seed ${seed}: ${r.settings}; trace ${r.fingerprint} (${r.events} events)`);
        if (r.trace !== undefined) t.comment(r.trace.join('\n'));
      }
    }
    const secs = (performance.now() - t0) / 1000;
    t.comment(
      `${p.name}: ${runs + failures + knownFailures} seeds [${seeds[0]}..${seeds[seeds.length - 1]}] in ${secs.toFixed(1)}s ` +
        `(${((runs + failures + knownFailures) / secs).toFixed(1)} seeds/s); per run: ${summarize(totals, Math.max(1, runs))}`,
    );
    if (knownFailures > 0) t.comment(`${p.name}: ${knownFailures} seeds hit a known bug`);
    t.equal(failures, 0, `${p.name}: no seed broke a property (other than known bugs)`);
  });
}

// A replay (SIM_SEED) runs only the seed asked for (the self-tests are not even registered:
// CI counts a skipped test as a failure).
const selfTests = oneSeed === undefined;

if (selfTests) t.test('raft sim - one seed always produces the same event trace', async (t) => {
  const p = PROFILES.find((x) => x.name === 'long')!;
  const a = runSimulation({ seed: 4242, profile: p, ticks: 300 });
  const b = runSimulation({ seed: 4242, profile: p, ticks: 300 });
  const c = runSimulation({ seed: 4243, profile: p, ticks: 300 });
  t.equal(a.events, b.events, 'same number of events');
  t.equal(a.fingerprint, b.fingerprint, 'same trace fingerprint');
  t.same(a.stats, b.stats, 'same statistics');
  t.not(a.fingerprint, c.fingerprint, 'another seed gives another trace');
});

if (selfTests) t.test('raft sim - the harness catches members that break the rules', async (t) => {
  // Each mutant wraps the real core and corrupts its Ready (see test/sim/mutants.ts); a
  // harness that let one pass for this many seeds would be too weak to trust.
  const basic = PROFILES.find((x) => x.name === 'basic')!;
  for (const name of ['votes-for-anyone', 'ignores-log-check', 'commits-early', 'withholds-entries', 'loses-entries']) {
    const m = MUTANTS[name]!;
    let caught: SimFailure | undefined;
    for (let seed = 0; seed < 100 && caught === undefined; seed++) {
      try {
        runSimulation({ seed, profile: basic, raftFactory: m.factory });
      } catch (err) {
        if (!(err instanceof SimFailure)) throw err;
        caught = err;
      }
    }
    t.ok(caught, `${name} (breaks ${m.breaks}) is caught${caught ? `: seed ${caught.seed}, ${caught.property}` : ''}`);
  }
});
