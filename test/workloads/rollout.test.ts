// workloads/'s pure rollout rules, table-driven: kubectl's status lines for Deployments,
// DaemonSets and StatefulSets; revisions and the rollback choice; the restart patch.
import t from 'tap';
import type { DaemonSet, Deployment, ReplicaSet } from '../../api/index.js';
import { daemonSetRolloutStatus, deploymentRevisions, deploymentRolloutStatus, restartPatch, RollbackError, rollbackTarget, statefulSetRolloutStatus } from '../../workloads/index.js';
import type { StatefulSet } from '../../api/index.js';

const dep = (generation: number, status: Record<string, unknown>, spec: Record<string, unknown> = {}): Deployment =>
  ({ metadata: { name: 'web', generation, uid: 'd1' }, spec: { replicas: 4, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'a:2' }] } }, ...spec }, status }) as unknown as Deployment;

t.test('rollout status - deployment lines as kubectl prints them', async (t) => {
  const cases: [string, Deployment, { done: boolean; failed: boolean; message: string }][] = [
    ['spec not observed', dep(2, { observedGeneration: 1 }), { done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' }],
    ['updating', dep(2, { observedGeneration: 2, updatedReplicas: 1, replicas: 5 }), { done: false, failed: false, message: 'Waiting for deployment "web" rollout to finish: 1 out of 4 new replicas have been updated...' }],
    ['old pending', dep(2, { observedGeneration: 2, updatedReplicas: 4, replicas: 5 }), { done: false, failed: false, message: 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...' }],
    ['available', dep(2, { observedGeneration: 2, updatedReplicas: 4, replicas: 4, availableReplicas: 2 }), { done: false, failed: false, message: 'Waiting for deployment "web" rollout to finish: 2 of 4 updated replicas are available...' }],
    ['done', dep(2, { observedGeneration: 2, updatedReplicas: 4, replicas: 4, availableReplicas: 4 }), { done: true, failed: false, message: 'deployment "web" successfully rolled out' }],
    ['deadline', dep(2, { observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), { done: false, failed: true, message: 'deployment "web" exceeded its progress deadline' }],
  ];
  for (const [name, d, want] of cases) t.same(deploymentRolloutStatus(d), want, name);
});

t.test('rollout status - daemonset and statefulset lines', async (t) => {
  const ds = (status: Record<string, unknown>, type = 'RollingUpdate'): DaemonSet => ({ metadata: { name: 'agent', generation: 1 }, spec: { updateStrategy: { type } }, status }) as unknown as DaemonSet;
  t.equal(daemonSetRolloutStatus(ds({ observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 1 })).message, 'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...');
  t.equal(daemonSetRolloutStatus(ds({ observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 })).message, 'Waiting for daemon set "agent" rollout to finish: 2 of 3 updated pods are available...');
  t.same(daemonSetRolloutStatus(ds({ observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 })), { done: true, failed: false, message: 'daemon set "agent" successfully rolled out' });
  t.equal(daemonSetRolloutStatus(ds({}, 'OnDelete')).failed, true, 'OnDelete has no rollout status');
  const sts = (status: Record<string, unknown>, partition = 0): StatefulSet =>
    ({ metadata: { name: 'db', generation: 1 }, spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } }, status }) as unknown as StatefulSet;
  t.equal(statefulSetRolloutStatus(sts({})).message, 'Waiting for statefulset spec update to be observed...');
  t.equal(statefulSetRolloutStatus(sts({ observedGeneration: 1, readyReplicas: 1 })).message, 'Waiting for 2 pods to be ready...');
  t.equal(statefulSetRolloutStatus(sts({ observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'db-a', updateRevision: 'db-b' })).message, 'waiting for statefulset rolling update to complete 1 pods at revision db-b...');
  t.same(statefulSetRolloutStatus(sts({ observedGeneration: 1, readyReplicas: 3, currentReplicas: 3, currentRevision: 'db-b', updateRevision: 'db-b' })), { done: true, failed: false, message: 'statefulset rolling update complete 3 pods at revision db-b...' });
  t.equal(statefulSetRolloutStatus(sts({ observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1 }, 2)).message, 'partitioned roll out complete: 1 new pods have been updated...');
});

t.test('rollout history - revisions of the deployment, and which one undo restores', async (t) => {
  const rs = (name: string, revision: number, image: string, owner = 'd1'): ReplicaSet =>
    ({
      metadata: { name, annotations: { 'deployment.kubernetes.io/revision': String(revision) }, ownerReferences: [{ kind: 'Deployment', name: 'web', uid: owner, controller: true }] },
      spec: { template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image }] } } },
    }) as unknown as ReplicaSet;
  const d = dep(3, {});
  const revisions = deploymentRevisions(d, [rs('web-b', 2, 'a:2'), rs('web-a', 1, 'a:1'), rs('other', 5, 'x:1', 'd2')]);
  t.same(revisions.map((r) => [r.revision, r.replicaSet]), [[1, 'web-a'], [2, 'web-b']], 'own ReplicaSets only, oldest first');
  t.same(revisions[0]!.template.metadata?.labels, { app: 'web' }, 'without the hash label');
  const back = rollbackTarget(d, revisions);
  t.same([back.target.revision, back.changed], [1, true], 'undo goes to the previous revision');
  t.same([rollbackTarget(d, revisions, 2).changed], [false], 'the current revision: nothing to change');
  t.throws(() => rollbackTarget(d, revisions, 9), RollbackError);
  t.throws(() => rollbackTarget(dep(3, {}, { paused: true }), revisions), { code: 'ROLLBACK_PAUSED' });
  t.throws(() => rollbackTarget(d, revisions.slice(1)), { code: 'ROLLBACK_NO_HISTORY' });
});

t.test('rollout restart - the template annotation kubectl sets', async (t) => {
  t.same(restartPatch(new Date('2026-12-04T10:11:12.345Z')), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-04T10:11:12Z' } } } } });
});
