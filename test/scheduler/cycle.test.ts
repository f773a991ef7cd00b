// The scheduling cycle over snapshots: decisions, the failure message, ties, sampling.
import t from 'tap';
import { fitErrorMessage, schedulePod } from '../../control-plane/scheduler/cycle.js';
import { makeProfile, numFeasibleNodesToFind } from '../../control-plane/scheduler/framework/profile.js';
import { DEFAULT_PLUGINS, DEFAULT_SCORE_WEIGHTS } from '../../control-plane/scheduler/plugins/index.js';
import { seededRng } from '../support/random.js';
import { info, makeNode, makePod, snapshotOf } from './fixtures.js';

const profile = makeProfile(DEFAULT_PLUGINS, DEFAULT_SCORE_WEIGHTS);
const rng = seededRng(1);

t.test('cycle - the failure message counts nodes per reason, sorted as kube-scheduler', async (t) => {
  const edge = [{ key: 'edge', value: 'true', effect: 'NoSchedule' as const }];
  const snap = snapshotOf([
    makeNode('a', { memory: '1Gi' }),
    makeNode('b', { memory: '1Gi' }),
    makeNode('c', { memory: '1Gi' }),
    makeNode('e1', { taints: edge }),
    makeNode('e2', { taints: edge }),
  ]);
  const d = schedulePod({ pod: info(makePod('big', { memory: '2Gi' })), snapshot: snap, profile, rng });
  t.equal(d.kind, 'unschedulable');
  if (d.kind !== 'unschedulable') return;
  // Go's sort.Strings over "count reason": "2 node(s)…" sorts before "3 Insufficient…".
  t.equal(d.message, '0/5 nodes are available: 2 node(s) had untolerated taint {edge: true}, 3 Insufficient memory.');
  t.same([...d.reasons].sort(), [['Insufficient memory', 3], ['node(s) had untolerated taint {edge: true}', 2]]);
});

t.test('cycle - message text table', async (t) => {
  t.equal(fitErrorMessage(0, new Map()), '0/0 nodes are available: no nodes available to schedule pods.');
  t.equal(fitErrorMessage(3, new Map([['Insufficient memory', 3]])), '0/3 nodes are available: 3 Insufficient memory.');
  t.equal(
    fitErrorMessage(12, new Map([['Insufficient cpu', 10], ['node(s) were unschedulable', 2]])),
    '0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable.',
    'byte order, as Go sorts',
  );
  const d = schedulePod({ pod: info(makePod('p')), snapshot: snapshotOf([]), profile, rng });
  t.equal(d.kind === 'unschedulable' && d.message, '0/0 nodes are available: no nodes available to schedule pods.');
});

t.test('cycle - a node with several shortfalls counts for each', async (t) => {
  const snap = snapshotOf([makeNode('a', { cpu: '1', memory: '1Gi' }), makeNode('b', { ready: 'False' })]);
  const d = schedulePod({ pod: info(makePod('p', { cpu: '2', memory: '2Gi' })), snapshot: snap, profile, rng });
  t.equal(d.kind === 'unschedulable' && d.message, '0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were not ready.');
});

t.test('cycle - picks the best-scoring feasible node', async (t) => {
  const snap = snapshotOf(
    [makeNode('busy'), makeNode('idle'), makeNode('tiny', { memory: '100Mi' })],
    [makePod('q', { cpu: '3', memory: '6Gi', nodeName: 'busy' })],
  );
  const d = schedulePod({ pod: info(makePod('p', { cpu: '500m', memory: '512Mi' })), snapshot: snap, profile, rng });
  t.same(d.kind === 'scheduled' && d.node, 'idle');
});

t.test('cycle - ties are broken by the injected RNG, covering every tied node', async (t) => {
  const snap = snapshotOf([makeNode('a'), makeNode('b'), makeNode('c')]);
  const seen = new Set<string>();
  const r = seededRng(42);
  for (let i = 0; i < 60; i++) {
    const d = schedulePod({ pod: info(makePod('p')), snapshot: snap, profile, rng: r });
    if (d.kind === 'scheduled') seen.add(d.node);
  }
  t.same([...seen].sort(), ['a', 'b', 'c']);
  const pickWith = (seed: number) => {
    const d = schedulePod({ pod: info(makePod('p')), snapshot: snap, profile, rng: seededRng(seed) });
    return d.kind === 'scheduled' ? d.node : '';
  };
  t.equal(pickWith(7), pickWith(7), 'same seed, same choice');
});

t.test('cycle - large clusters stop filtering after enough feasible nodes', async (t) => {
  t.equal(numFeasibleNodesToFind(50, 0), 50);
  t.equal(numFeasibleNodesToFind(1000, 0), 420);
  t.equal(numFeasibleNodesToFind(5000, 0), 500);
  t.equal(numFeasibleNodesToFind(5000, 100), 5000);
  const snap = snapshotOf(Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`)));
  const d = schedulePod({ pod: info(makePod('p')), snapshot: snap, profile, rng, startIndex: 990 });
  t.equal(d.kind, 'scheduled');
  if (d.kind !== 'scheduled') return;
  t.equal(d.evaluated, 420);
  t.equal(d.nextStartIndex, (990 + 420) % 1000, 'the next cycle starts where this one stopped');
});

t.test('profile - configurable weights are validated', async (t) => {
  t.throws(() => makeProfile(DEFAULT_PLUGINS, { NodePorts: 1 }), /"NodePorts" is not a score plugin/);
  t.throws(() => makeProfile(DEFAULT_PLUGINS, { TaintToleration: -1 }), /must be an integer 0..100/);
  // Only least-allocated: the emptier node wins every time.
  const p = makeProfile(DEFAULT_PLUGINS, { NodeResourcesLeastAllocated: 1 });
  t.equal(p.scores.length, 1);
  const snap = snapshotOf([makeNode('a'), makeNode('b')], [makePod('q', { cpu: '1', nodeName: 'a' })]);
  const d = schedulePod({ pod: info(makePod('p', { cpu: '1' })), snapshot: snap, profile: p, rng });
  t.equal(d.kind === 'scheduled' && d.node, 'b');
});
