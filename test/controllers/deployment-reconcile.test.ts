// The pure Deployment core: fenceposts, new ReplicaSet naming and revisions, rollback reuse,
// Recreate ordering, history cleanup, conditions, and a simulated rolling update (ReplicaSet
// controller and kubelet modelled step by step) that checks the bounds after every step.
import t from 'tap';
import type { Deployment, ReplicaSet } from '../../api/index.js';
import { POD_TEMPLATE_HASH_LABEL, planDeployment, podTemplateHash, resolveFenceposts, revisionOf, templatesEqual } from '../../control-plane/controllers/index.js';
import type { DeploymentAction } from '../../control-plane/controllers/index.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function dep(replicas: number, image: string, strategy: Deployment['spec']['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'u-d', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      strategy,
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...extra,
    },
  } as unknown as Deployment;
}

function rsFrom(a: Extract<DeploymentAction, { type: 'createReplicaSet' }>, uid: string): ReplicaSet {
  return { ...a.replicaSet, metadata: { ...a.replicaSet.metadata, uid }, status: { replicas: 0, availableReplicas: 0, readyReplicas: 0 } } as ReplicaSet;
}

t.test('resolveFenceposts - table', async (t) => {
  const cases: [number, string | number, string | number, { surge: number; unavailable: number }][] = [
    [4, '25%', '25%', { surge: 1, unavailable: 1 }],
    [10, '25%', '25%', { surge: 3, unavailable: 2 }],
    [3, 0, 0, { surge: 0, unavailable: 1 }],
    [5, 2, '0%', { surge: 2, unavailable: 0 }],
    [1, '100%', '100%', { surge: 1, unavailable: 1 }],
  ];
  for (const [replicas, maxSurge, maxUnavailable, want] of cases) {
    t.same(resolveFenceposts(dep(replicas, 'i', { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } })), want, `${replicas} ${maxSurge}/${maxUnavailable}`);
  }
  t.same(resolveFenceposts(dep(3, 'i', { type: 'Recreate' })), { surge: 0, unavailable: 3 });
});

t.test('template hash - stable, key-order independent, collision count changes it', async (t) => {
  const a = dep(1, 'i').spec.template;
  const b = { spec: a.spec, metadata: a.metadata } as typeof a;
  t.equal(podTemplateHash(a), podTemplateHash(b));
  t.match(podTemplateHash(a), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  t.not(podTemplateHash(a), podTemplateHash(dep(1, 'j').spec.template));
  t.not(podTemplateHash(a), podTemplateHash(a, 1));
  t.ok(templatesEqual(a, { ...a, metadata: { labels: { app: 'web', [POD_TEMPLATE_HASH_LABEL]: 'x' } } }), 'the hash label is ignored');
});

t.test('planDeployment - a first rollout creates revision 1 with the hash label and selector', async (t) => {
  const plan = planDeployment({ deployment: dep(3, 'i:1'), replicaSets: [], oldPodsRunning: false, nowMs: NOW });
  const [create] = plan.actions;
  t.equal(create?.type, 'createReplicaSet');
  if (create?.type !== 'createReplicaSet') return;
  const rs = create.replicaSet;
  const hash = podTemplateHash(dep(3, 'i:1').spec.template);
  t.equal(rs.metadata.name, `web-${hash}`);
  t.equal(rs.spec.replicas, 3, 'no old pods: full size at once');
  t.same(rs.spec.selector.matchLabels, { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash });
  t.equal(rs.spec.template.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL], hash);
  t.equal(revisionOf(rs), 1);
  t.equal(plan.revision, '1');
  t.match(rs.metadata.ownerReferences, [{ kind: 'Deployment', uid: 'u-d', controller: true }]);
});

t.test('planDeployment - rollback reuses the old ReplicaSet at the next revision', async (t) => {
  const c1 = planDeployment({ deployment: dep(2, 'i:1'), replicaSets: [], oldPodsRunning: false, nowMs: NOW }).actions[0] as Extract<DeploymentAction, { type: 'createReplicaSet' }>;
  const c2 = planDeployment({ deployment: dep(2, 'i:2'), replicaSets: [], oldPodsRunning: false, nowMs: NOW }).actions[0] as Extract<DeploymentAction, { type: 'createReplicaSet' }>;
  const r1 = { ...rsFrom(c1, 'u1'), spec: { ...c1.replicaSet.spec, replicas: 0 } } as ReplicaSet;
  const r2 = { ...rsFrom(c2, 'u2'), metadata: { ...c2.replicaSet.metadata, uid: 'u2', annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { ...c2.replicaSet.spec, replicas: 2 }, status: { replicas: 2, availableReplicas: 2, readyReplicas: 2 } } as ReplicaSet;
  const plan = planDeployment({ deployment: dep(2, 'i:1'), replicaSets: [r1, r2], oldPodsRunning: false, nowMs: NOW });
  t.same(plan.actions.filter((a) => a.type !== 'scale'), [{ type: 'setRevision', name: r1.metadata.name, revision: 3 }]);
  t.equal(plan.revision, '3');
  t.match(plan.actions.filter((a) => a.type === 'scale'), [{ name: r1.metadata.name, replicas: 1 }], 'then rolls as usual (surge 1)');
});

t.test('planDeployment - Recreate scales old to zero, waits for old pods, then scales new', async (t) => {
  const d1 = dep(2, 'i:1', { type: 'Recreate' });
  const d2 = dep(2, 'i:2', { type: 'Recreate' });
  const c1 = planDeployment({ deployment: d1, replicaSets: [], oldPodsRunning: false, nowMs: NOW }).actions[0] as Extract<DeploymentAction, { type: 'createReplicaSet' }>;
  const old = { ...rsFrom(c1, 'u1'), status: { replicas: 2, availableReplicas: 2 } } as ReplicaSet;
  let plan = planDeployment({ deployment: d2, replicaSets: [old], oldPodsRunning: true, nowMs: NOW });
  const create = plan.actions.find((a) => a.type === 'createReplicaSet');
  t.equal(create?.type === 'createReplicaSet' ? create.replicaSet.spec.replicas : -1, 0, 'new ReplicaSet starts empty');
  const fresh = rsFrom(create as Extract<DeploymentAction, { type: 'createReplicaSet' }>, 'u2');
  plan = planDeployment({ deployment: d2, replicaSets: [old, fresh], oldPodsRunning: true, nowMs: NOW });
  t.same(plan.actions, [{ type: 'scale', name: old.metadata.name, replicas: 0, reason: 'recreate' }]);
  const scaledDown = { ...old, spec: { ...old.spec, replicas: 0 } } as ReplicaSet;
  plan = planDeployment({ deployment: d2, replicaSets: [scaledDown, fresh], oldPodsRunning: true, nowMs: NOW });
  t.same(plan.actions, [], 'old pods still running: wait');
  const empty = { ...scaledDown, status: { replicas: 0 } } as ReplicaSet;
  plan = planDeployment({ deployment: d2, replicaSets: [empty, fresh], oldPodsRunning: false, nowMs: NOW });
  t.same(plan.actions, [{ type: 'scale', name: fresh.metadata.name, replicas: 2, reason: 'recreate' }]);
});

t.test('planDeployment - history beyond revisionHistoryLimit is deleted, oldest first', async (t) => {
  const rss: ReplicaSet[] = [];
  for (let i = 1; i <= 4; i++) {
    const c = planDeployment({ deployment: dep(1, `i:${i}`), replicaSets: [], oldPodsRunning: false, nowMs: NOW }).actions[0] as Extract<DeploymentAction, { type: 'createReplicaSet' }>;
    const rs = rsFrom(c, `u${i}`);
    rss.push({ ...rs, metadata: { ...rs.metadata, annotations: { 'deployment.kubernetes.io/revision': String(i) } }, spec: { ...rs.spec, replicas: i === 4 ? 1 : 0 }, status: i === 4 ? { replicas: 1, availableReplicas: 1, readyReplicas: 1 } : { replicas: 0 } } as ReplicaSet);
  }
  const plan = planDeployment({ deployment: dep(1, 'i:4', undefined, { revisionHistoryLimit: 1 }), replicaSets: rss, oldPodsRunning: false, nowMs: NOW });
  t.same(plan.actions.filter((a) => a.type === 'deleteReplicaSet').map((a) => a.type === 'deleteReplicaSet' && a.name), [rss[0]?.metadata.name, rss[1]?.metadata.name]);
  t.match(plan.status.conditions, [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }]);
});

t.test('planDeployment - Progressing turns False after progressDeadlineSeconds without progress; paused says so', async (t) => {
  const d = dep(2, 'i:1', undefined, { progressDeadlineSeconds: 60 });
  const c = planDeployment({ deployment: d, replicaSets: [], oldPodsRunning: false, nowMs: NOW }).actions[0] as Extract<DeploymentAction, { type: 'createReplicaSet' }>;
  const rs = { ...rsFrom(c, 'u1'), status: { replicas: 2, availableReplicas: 0, readyReplicas: 0 } } as ReplicaSet;
  const first = planDeployment({ deployment: d, replicaSets: [rs], oldPodsRunning: false, nowMs: NOW });
  t.match(first.status.conditions?.find((x) => x.type === 'Progressing'), { status: 'True', reason: 'ReplicaSetUpdated' });
  t.ok(first.requeueAfterMs !== undefined && first.requeueAfterMs >= 60_000, 'sync again at the deadline');
  const withStatus = { ...d, status: first.status } as Deployment;
  const late = planDeployment({ deployment: withStatus, replicaSets: [rs], oldPodsRunning: false, nowMs: NOW + 61_000 });
  t.match(late.status.conditions?.find((x) => x.type === 'Progressing'), { status: 'False', reason: 'ProgressDeadlineExceeded' });
  t.match(late.status.conditions?.find((x) => x.type === 'Available'), { status: 'False', reason: 'MinimumReplicasUnavailable' });
  const paused = planDeployment({ deployment: { ...dep(2, 'i:2', undefined, { paused: true }), status: first.status } as Deployment, replicaSets: [rs], oldPodsRunning: false, nowMs: NOW });
  t.same(paused.actions, [], 'paused: no new ReplicaSet for the new template');
  t.match(paused.status.conditions?.find((x) => x.type === 'Progressing'), { status: 'Unknown', reason: 'DeploymentPaused' });
});

interface SimRS {
  rs: ReplicaSet;
  pods: boolean[]; // true = available
}

/** Runs a rolling update in a model world; returns the bounds violations seen and the steps taken. */
function simulate(replicas: number, maxSurge: number | string, maxUnavailable: number | string): { violations: string[]; steps: number; done: boolean } {
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } as Deployment['spec']['strategy'];
  const { surge, unavailable } = resolveFenceposts(dep(replicas, 'x', strategy));
  const world: SimRS[] = [];
  let uid = 0;
  let d = dep(replicas, 'i:1', strategy);
  const violations: string[] = [];
  const status = (s: SimRS): void => {
    s.rs = { ...s.rs, status: { replicas: s.pods.length, readyReplicas: s.pods.filter(Boolean).length, availableReplicas: s.pods.filter(Boolean).length } } as ReplicaSet;
  };
  for (let step = 0; step < 400; step++) {
    if (step === 30) d = dep(replicas, 'i:2', strategy); // the update, after the first rollout settled
    const plan = planDeployment({ deployment: d, replicaSets: world.map((s) => s.rs), oldPodsRunning: false, nowMs: NOW });
    d = { ...d, status: plan.status } as Deployment;
    for (const a of plan.actions) {
      if (a.type === 'createReplicaSet') world.push({ rs: { ...a.replicaSet, metadata: { ...a.replicaSet.metadata, uid: `u${uid++}` } } as ReplicaSet, pods: [] });
      if (a.type === 'scale') {
        const s = world.find((x) => x.rs.metadata.name === a.name);
        if (s) s.rs = { ...s.rs, spec: { ...s.rs.spec, replicas: a.replicas } } as ReplicaSet;
      }
      if (a.type === 'setRevision') continue;
    }
    // The kubelet: pods from earlier steps become available.
    for (const s of world) s.pods = s.pods.map(() => true);
    // The ReplicaSet controllers: delete surplus (unavailable first), create missing (unavailable).
    for (const s of world) {
      while (s.pods.length > s.rs.spec.replicas) {
        const i = s.pods.indexOf(false);
        s.pods.splice(i >= 0 ? i : 0, 1);
      }
      while (s.pods.length < s.rs.spec.replicas) s.pods.push(false);
      status(s);
    }
    const pods = world.reduce((n, s) => n + s.pods.length, 0);
    const available = world.reduce((n, s) => n + s.pods.filter(Boolean).length, 0);
    if (step > 30 && available < replicas - unavailable) violations.push(`step ${step}: available ${available} < ${replicas - unavailable}`);
    if (pods > replicas + surge) violations.push(`step ${step}: pods ${pods} > ${replicas + surge}`);
    const current = world.find((s) => s.rs.spec.template.spec.containers[0]?.image === 'i:2');
    if (step > 30 && current && current.pods.length === replicas && current.pods.every(Boolean) && world.every((s) => s === current || s.pods.length === 0)) return { violations, steps: step, done: true };
  }
  return { violations, steps: 400, done: false };
}

t.test('planDeployment - simulated rolling updates stay within bounds and finish', async (t) => {
  const cases: [number, number | string, number | string][] = [
    [4, 1, 1], [4, '25%', '25%'], [10, '25%', '25%'], [5, 0, 1], [5, 2, 0], [3, '100%', 0], [1, 1, 0], [1, 0, 1], [7, 3, 2],
  ];
  for (const [replicas, ms, mu] of cases) {
    const r = simulate(replicas, ms, mu);
    t.same(r.violations, [], `replicas ${replicas} surge ${ms} unavailable ${mu}: within bounds`);
    t.ok(r.done, `replicas ${replicas} surge ${ms} unavailable ${mu}: finished in ${r.steps} steps`);
  }
});
