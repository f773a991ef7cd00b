// Each plugin against a table of cases: pure functions over fixtures, no server.
import t from 'tap';
import type { Pod } from '../../api/index.js';
import type { Plugin, CycleState, NodeScore } from '../../control-plane/scheduler/framework/plugin.js';
import { interPodAffinity } from '../../control-plane/scheduler/plugins/inter-pod-affinity.js';
import { nodeAffinity } from '../../control-plane/scheduler/plugins/node-affinity.js';
import { nodePorts } from '../../control-plane/scheduler/plugins/node-ports.js';
import { nodeResourcesFit } from '../../control-plane/scheduler/plugins/node-resources-fit.js';
import { nodeUnschedulable } from '../../control-plane/scheduler/plugins/node-unschedulable.js';
import { balancedAllocation, balancedScore, leastAllocated, leastAllocatedScore } from '../../control-plane/scheduler/plugins/resource-scores.js';
import { selectorSpread, spreadScores } from '../../control-plane/scheduler/plugins/selector-spread.js';
import { taintToleration, tolerates } from '../../control-plane/scheduler/plugins/taint-toleration.js';
import { LOCAL_CLAIMS_ANNOTATION, volumeBinding } from '../../control-plane/scheduler/plugins/volume-binding.js';
import { info, makeNode, makePod, snapshotOf, type NodeOpts } from './fixtures.js';

/** The reasons a plugin gives for putting `pod` on node "n" (with `others` already placed); [] = fits. */
function verdict(plugin: Plugin, pod: Pod, node: NodeOpts, others: Pod[] = [], extraNodes: Parameters<typeof makeNode>[] = []): string[] {
  const snap = snapshotOf([makeNode('n', node), ...extraNodes.map((a) => makeNode(...a))], others);
  const state: CycleState = new Map();
  const p = info(pod);
  const pre = plugin.preFilter?.(state, p, snap);
  if (pre?.code === 'Unschedulable') return [...pre.reasons];
  if (pre?.code === 'Skip') return [];
  const s = plugin.filter!(state, p, snap.byName.get('n')!);
  return s.code === 'Unschedulable' ? [...s.reasons] : [];
}

interface Case {
  name: string;
  pod: Pod;
  node?: NodeOpts;
  others?: Pod[];
  extraNodes?: Parameters<typeof makeNode>[];
  want: string[];
}

function table(name: string, plugin: Plugin, cases: Case[]): void {
  t.test(`${name} - filter table`, async (t) => {
    for (const c of cases) t.same(verdict(plugin, c.pod, c.node ?? {}, c.others, c.extraNodes), c.want, c.name);
  });
}

table('NodeUnschedulable', nodeUnschedulable, [
  { name: 'ready node', pod: makePod('p'), want: [] },
  { name: 'cordoned', pod: makePod('p'), node: { unschedulable: true }, want: ['node(s) were unschedulable'] },
  {
    name: 'cordoned but tolerated',
    pod: makePod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }),
    node: { unschedulable: true },
    want: [],
  },
  { name: 'not ready', pod: makePod('p'), node: { ready: 'False' }, want: ['node(s) were not ready'] },
  { name: 'no Ready condition', pod: makePod('p'), node: { ready: 'none' }, want: ['node(s) were not ready'] },
]);

table('NodeResourcesFit', nodeResourcesFit, [
  { name: 'fits an empty node', pod: makePod('p', { cpu: '1', memory: '1Gi' }), node: { cpu: '1', memory: '1Gi' }, want: [] },
  { name: 'too much memory', pod: makePod('p', { memory: '2Gi' }), node: { memory: '1Gi' }, want: ['Insufficient memory'] },
  { name: 'cpu and memory', pod: makePod('p', { cpu: '2', memory: '2Gi' }), node: { cpu: '1', memory: '1Gi' }, want: ['Insufficient cpu', 'Insufficient memory'] },
  {
    name: 'counts pods already there (bound, not running)',
    pod: makePod('p', { memory: '600Mi' }),
    node: { memory: '1Gi' },
    others: [makePod('q', { memory: '500Mi', nodeName: 'n' })],
    want: ['Insufficient memory'],
  },
  { name: 'exactly full still fits', pod: makePod('p', { cpu: '500m' }), node: { cpu: '1' }, others: [makePod('q', { cpu: '500m', nodeName: 'n' })], want: [] },
  { name: 'pod slots', pod: makePod('p'), node: { pods: '1' }, others: [makePod('q', { nodeName: 'n' })], want: ['Too many pods'] },
  { name: 'ephemeral storage', pod: makePod('p', { ephemeral: '2Gi' }), node: { ephemeral: '1Gi' }, want: ['Insufficient ephemeral-storage'] },
  { name: 'no requests fit anywhere with a slot', pod: makePod('p'), node: { cpu: '0', memory: '0' }, want: [] },
]);

const zoneReq = (op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt', key: string, values?: string[]) => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator: op, ...(values ? { values } : {}) }] }] } } },
});

table('NodeAffinity', nodeAffinity, [
  { name: 'nodeSelector matches', pod: makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), node: { labels: { disk: 'ssd' } }, want: [] },
  { name: 'nodeSelector differs', pod: makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), node: { labels: { disk: 'hdd' } }, want: ["node(s) didn't match Pod's node affinity/selector"] },
  { name: 'In', pod: makePod('p', { spec: zoneReq('In', 'zone', ['a', 'b']) }), node: { labels: { zone: 'b' } }, want: [] },
  { name: 'NotIn', pod: makePod('p', { spec: zoneReq('NotIn', 'zone', ['a']) }), node: { labels: { zone: 'a' } }, want: ["node(s) didn't match Pod's node affinity/selector"] },
  { name: 'DoesNotExist', pod: makePod('p', { spec: zoneReq('DoesNotExist', 'gpu') }), node: {}, want: [] },
  { name: 'Gt', pod: makePod('p', { spec: zoneReq('Gt', 'cores', ['4']) }), node: { labels: { cores: '8' } }, want: [] },
  { name: 'Lt fails', pod: makePod('p', { spec: zoneReq('Lt', 'cores', ['4']) }), node: { labels: { cores: '8' } }, want: ["node(s) didn't match Pod's node affinity/selector"] },
  {
    name: 'matchFields on the node name',
    pod: makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }] } } } } }),
    want: [],
  },
]);

const edge = [{ key: 'edge', value: 'true', effect: 'NoSchedule' as const }];
table('TaintToleration', taintToleration, [
  { name: 'untainted', pod: makePod('p'), want: [] },
  { name: 'NoSchedule not tolerated', pod: makePod('p'), node: { taints: edge }, want: ['node(s) had untolerated taint {edge: true}'] },
  { name: 'tolerated by Equal', pod: makePod('p', { spec: { tolerations: [{ key: 'edge', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] } }), node: { taints: edge }, want: [] },
  { name: 'tolerated by Exists with no key', pod: makePod('p', { spec: { tolerations: [{ operator: 'Exists' }] } }), node: { taints: edge }, want: [] },
  { name: 'wrong value', pod: makePod('p', { spec: { tolerations: [{ key: 'edge', operator: 'Equal', value: 'false' }] } }), node: { taints: edge }, want: ['node(s) had untolerated taint {edge: true}'] },
  { name: 'NoExecute', pod: makePod('p'), node: { taints: [{ key: 'gone', effect: 'NoExecute' }] }, want: ['node(s) had untolerated taint {gone: }'] },
  { name: 'PreferNoSchedule never filters', pod: makePod('p'), node: { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }, want: [] },
]);

table('NodePorts', nodePorts, [
  { name: 'free port', pod: makePod('p', { hostPort: 8080 }), others: [makePod('q', { hostPort: 9090, nodeName: 'n' })], want: [] },
  { name: 'taken port', pod: makePod('p', { hostPort: 8080 }), others: [makePod('q', { hostPort: 8080, nodeName: 'n' })], want: ["node(s) didn't have free ports for the requested pod ports"] },
  { name: 'no host ports', pod: makePod('p'), others: [makePod('q', { hostPort: 8080, nodeName: 'n' })], want: [] },
]);

const term = (app: string, topologyKey = 'kubernetes.io/hostname') => ({ labelSelector: { matchLabels: { app } }, topologyKey });
table('InterPodAffinity', interPodAffinity, [
  { name: 'no affinity', pod: makePod('p'), want: [] },
  {
    name: 'affinity satisfied on the same host',
    pod: makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } }),
    others: [makePod('db', { labels: { app: 'db' }, nodeName: 'n' })],
    want: [],
  },
  {
    name: 'affinity: the db runs elsewhere',
    pod: makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } }),
    others: [makePod('db', { labels: { app: 'db' }, nodeName: 'm' })],
    extraNodes: [['m']],
    want: ["node(s) didn't match pod affinity rules"],
  },
  {
    name: 'affinity by zone',
    pod: makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone')] } } } }),
    node: { labels: { zone: 'a' } },
    others: [makePod('db', { labels: { app: 'db' }, nodeName: 'm' })],
    extraNodes: [['m', { labels: { zone: 'a' } }]],
    want: [],
  },
  {
    name: 'first pod of a self-affine group goes anywhere',
    pod: makePod('p', { labels: { app: 'web' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } }),
    want: [],
  },
  {
    name: 'anti-affinity: one web per host',
    pod: makePod('p', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } }),
    others: [makePod('w1', { labels: { app: 'web' }, nodeName: 'n' })],
    want: ["node(s) didn't match pod anti-affinity rules"],
  },
  {
    name: "an existing pod's anti-affinity keeps this pod out",
    pod: makePod('p', { labels: { app: 'noisy' } }),
    others: [makePod('quiet', { nodeName: 'n', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('noisy')] } } } })],
    want: ["node(s) didn't satisfy existing pods anti-affinity rules"],
  },
  {
    name: 'other namespaces do not count',
    pod: makePod('p', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } }),
    others: [makePod('w1', { namespace: 'other', labels: { app: 'web' }, nodeName: 'n' })],
    want: [],
  },
]);

const pvcPod = (claim: string) => makePod('p', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } });
table('VolumeBinding', volumeBinding, [
  { name: 'no claims', pod: makePod('p'), want: [] },
  { name: 'claim held nowhere yet', pod: pvcPod('data-0'), want: [] },
  { name: 'claim held here', pod: pvcPod('data-0'), node: { annotations: { [LOCAL_CLAIMS_ANNOTATION]: 'default/data-0,default/x' } }, want: [] },
  { name: 'claim held on another node', pod: pvcPod('data-0'), extraNodes: [['m', { annotations: { [LOCAL_CLAIMS_ANNOTATION]: 'default/data-0' } }]], want: ["node(s) didn't hold the pod's local volume"] },
]);

t.test('TaintToleration - toleration matching table', async (t) => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' as const };
  const cases: [string, Parameters<typeof tolerates>[0], boolean][] = [
    ['Equal same', { key: 'k', operator: 'Equal', value: 'v' }, true],
    ['Equal other value', { key: 'k', operator: 'Equal', value: 'w' }, false],
    ['Exists key', { key: 'k', operator: 'Exists' }, true],
    ['Exists everything', { operator: 'Exists' }, true],
    ['other effect', { key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    ['empty effect matches all', { key: 'k', operator: 'Exists', effect: '' }, true],
  ];
  for (const [name, tol, want] of cases) t.equal(tolerates(tol, taint), want, name);
});

/** Normalized scores of one plugin for `pod` over the nodes (by name). */
function scores(plugin: Plugin, pod: Pod, nodes: Parameters<typeof makeNode>[], others: Pod[] = []): Record<string, number> {
  const snap = snapshotOf(nodes.map((a) => makeNode(...a)), others);
  const state: CycleState = new Map();
  const p = info(pod);
  if (plugin.preScore && !plugin.preScore(state, p, snap.nodes, snap)) return Object.fromEntries(snap.nodes.map((n) => [n.name, 0]));
  const s: NodeScore[] = snap.nodes.map((node) => ({ node, score: plugin.score!(state, p, node) }));
  plugin.normalize?.(state, p, s);
  return Object.fromEntries(s.map((x) => [x.node.name, x.score]));
}

t.test('score helpers - tables', async (t) => {
  for (const [req, alloc, want] of [[0, 100, 100], [50, 100, 50], [100, 100, 0], [150, 100, 0], [10, 0, 0]] as const) t.equal(leastAllocatedScore(req, alloc), want, `least ${req}/${alloc}`);
  for (const [c, m, want] of [[0.5, 0.5, 100], [1, 0, 50], [0.2, 0.6, 80]] as const) t.equal(balancedScore(c, m), want, `balanced ${c},${m}`);
  t.same(spreadScores([{ onNode: 0, zone: undefined }, { onNode: 2, zone: undefined }], new Map()), [100, 0], 'nodes only');
  t.same(
    spreadScores([{ onNode: 0, zone: 'a' }, { onNode: 0, zone: 'b' }], new Map([['a', 3], ['b', 0]])),
    [33, 100],
    'the empty zone wins',
  );
});

t.test('scores - the plugins rank nodes as intended', async (t) => {
  const pod = makePod('p', { cpu: '1', memory: '1Gi', owner: 'rs' });
  const busy = [makePod('q', { cpu: '3', memory: '6Gi', nodeName: 'busy', owner: 'rs' })];
  const la = scores(leastAllocated, pod, [['idle'], ['busy']], busy);
  t.ok(la.idle! > la.busy!, 'least-allocated prefers the idle node');
  const ba = scores(balancedAllocation, makePod('p', { cpu: '2', memory: '1Gi' }), [['cpuheavy', { cpu: '4', memory: '8Gi' }], ['even', { cpu: '4', memory: '2Gi' }]]);
  t.ok(ba.even! > ba.cpuheavy!, 'balanced prefers keeping cpu and memory fractions close');
  const ss = scores(selectorSpread, pod, [['idle'], ['busy']], busy);
  t.same(ss, { idle: 100, busy: 0 }, 'spread avoids the node with a sibling');
  const tt = scores(taintToleration, makePod('p'), [['soft', { taints: [{ key: 's', effect: 'PreferNoSchedule' }] }], ['clean']]);
  t.same(tt, { soft: 0, clean: 100 }, 'PreferNoSchedule lowers the score');
  const preferSsd = makePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } });
  t.same(scores(nodeAffinity, preferSsd, [['ssd', { labels: { disk: 'ssd' } }], ['hdd']]), { ssd: 100, hdd: 0 }, 'preferred node affinity');
  const nearDb = makePod('p', { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('db') }] } } } });
  t.same(scores(interPodAffinity, nearDb, [['a'], ['b']], [makePod('db', { labels: { app: 'db' }, nodeName: 'b' })]), { a: 0, b: 100 }, 'preferred pod affinity');
  const awayFromDb = makePod('p', { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('db') }] } } } });
  t.same(scores(interPodAffinity, awayFromDb, [['a'], ['b']], [makePod('db', { labels: { app: 'db' }, nodeName: 'b' })]), { a: 100, b: 0 }, 'preferred pod anti-affinity');
});
