// The pure ReplicaSet core, table-driven: claim (adopt/keep/release/ignore), how many to create or
// which to delete, the deletion order, slow-start batches, status counts.
import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import type { Pod } from '../../api/index.js';
import { claim, planReplicas, podFromTemplate, rankForDeletion, slowStartBatches } from '../../control-plane/controllers/index.js';

const owner: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'ns', uid: 'u-rs' } };
const NOW = Date.parse('2026-01-01T00:10:00Z');

interface PodOpts {
  app?: string;
  owner?: string;
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: string;
  created?: string;
  deleting?: boolean;
}
function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `u-${name}`,
      labels: { app: o.app ?? 'web' },
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `u-${o.owner}`, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:05:00Z' } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:00Z' }] },
  } as unknown as Pod;
}
const names = (ps: readonly Pod[]): string[] => ps.map((p) => p.metadata.name ?? '');
const matchesWeb = (p: Pod): boolean => p.metadata.labels?.app === 'web';

t.test('claim - table', async (t) => {
  const cases: { name: string; pods: Pod[]; ownerDeleting?: boolean; owned: string[]; adopt: string[]; release: string[] }[] = [
    { name: 'ours and matching: kept', pods: [pod('a', { owner: 'rs' })], owned: ['a'], adopt: [], release: [] },
    { name: 'orphan matching: adopted', pods: [pod('a')], owned: ['a'], adopt: ['a'], release: [] },
    { name: 'orphan not matching: ignored', pods: [pod('a', { app: 'db' })], owned: [], adopt: [], release: [] },
    { name: 'ours not matching: released', pods: [pod('a', { owner: 'rs', app: 'db' })], owned: [], adopt: [], release: ['a'] },
    { name: 'someone else\'s: never touched', pods: [pod('a', { owner: 'other' })], owned: [], adopt: [], release: [] },
    { name: 'orphan being deleted: not adopted', pods: [pod('a', { deleting: true })], owned: [], adopt: [], release: [] },
    { name: 'owner being deleted: no adopt, no release', ownerDeleting: true, pods: [pod('a'), pod('b', { owner: 'rs', app: 'db' }), pod('c', { owner: 'rs' })], owned: ['c'], adopt: [], release: [] },
  ];
  for (const c of cases) {
    const o = c.ownerDeleting ? { ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } } : owner;
    const r = claim(o, c.pods, matchesWeb);
    t.same({ owned: names(r.owned), adopt: names(r.adopt), release: names(r.release) }, { owned: c.owned, adopt: c.adopt, release: c.release }, c.name);
  }
});

t.test('planReplicas - create, delete, wait for expectations, status', async (t) => {
  const cases: { name: string; replicas: number; pods: Pod[]; satisfied?: boolean; minReady?: number; create: number; del: string[]; status: [number, number, number] }[] = [
    { name: 'empty: create all', replicas: 3, pods: [], create: 3, del: [], status: [0, 0, 0] },
    { name: 'enough: nothing', replicas: 2, pods: [pod('a', { owner: 'rs' }), pod('b', { owner: 'rs' })], create: 0, del: [], status: [2, 2, 2] },
    { name: 'finished and deleting pods do not count', replicas: 2, pods: [pod('a', { owner: 'rs', phase: 'Failed' }), pod('b', { owner: 'rs', deleting: true }), pod('c', { owner: 'rs' })], create: 1, del: [], status: [1, 1, 1] },
    { name: 'adopted orphan counts', replicas: 2, pods: [pod('a'), pod('b', { owner: 'rs' })], create: 0, del: [], status: [2, 2, 2] },
    { name: 'too many: delete the surplus', replicas: 1, pods: [pod('a', { owner: 'rs', node: 'n' }), pod('b', { owner: 'rs', node: 'n', ready: false })], create: 0, del: ['b'], status: [2, 1, 1] },
    { name: 'expectations pending: no create', replicas: 3, pods: [], satisfied: false, create: 0, del: [], status: [0, 0, 0] },
    { name: 'minReadySeconds: ready but not yet available', replicas: 1, minReady: 60, pods: [pod('a', { owner: 'rs', readySince: '2026-01-01T00:09:30Z' })], create: 0, del: [], status: [1, 1, 0] },
  ];
  for (const c of cases) {
    const plan = planReplicas({ owner, replicas: c.replicas, minReadySeconds: c.minReady ?? 0, matches: matchesWeb, pods: c.pods, nowMs: NOW, expectationsSatisfied: c.satisfied ?? true });
    t.same(
      { create: plan.create, del: names(plan.delete), status: [plan.status.replicas, plan.status.readyReplicas, plan.status.availableReplicas] },
      { create: c.create, del: c.del, status: c.status },
      c.name,
    );
  }
  const waiting = planReplicas({ owner, replicas: 1, minReadySeconds: 60, matches: matchesWeb, pods: [pod('a', { owner: 'rs', readySince: '2026-01-01T00:09:30Z' })], nowMs: NOW, expectationsSatisfied: true });
  t.ok(waiting.requeueAfterMs !== undefined && waiting.requeueAfterMs >= 30_000 && waiting.requeueAfterMs < 31_000, 'sync again when the pod turns available');
});

t.test('rankForDeletion - unscheduled, then pending, then not ready, then newest', async (t) => {
  const pods = [
    pod('old-ready', { node: 'n', created: '2026-01-01T00:00:00Z' }),
    pod('new-ready', { node: 'n', created: '2026-01-01T00:01:00Z' }),
    pod('not-ready', { node: 'n', ready: false }),
    pod('pending', { node: 'n', phase: 'Pending', ready: false }),
    pod('unscheduled', { phase: 'Pending', ready: false }),
  ];
  t.same(names(rankForDeletion(pods)), ['unscheduled', 'pending', 'not-ready', 'new-ready', 'old-ready']);
});

t.test('slowStartBatches - 1, 2, 4, ... adding up to n', async (t) => {
  const cases: [number, number[]][] = [[0, []], [1, [1]], [3, [1, 2]], [10, [1, 2, 4, 3]], [16, [1, 2, 4, 8, 1]]];
  for (const [n, want] of cases) t.same(slowStartBatches(n), want, `n=${n}`);
});

t.test('podFromTemplate - labels, owner reference, generateName', async (t) => {
  const p = podFromTemplate(owner, { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } as never);
  t.match(p.metadata, { generateName: 'rs-', namespace: 'ns', labels: { app: 'web' }, annotations: { a: 'b' }, ownerReferences: [{ kind: 'ReplicaSet', uid: 'u-rs', controller: true, blockOwnerDeletion: true }] });
});
