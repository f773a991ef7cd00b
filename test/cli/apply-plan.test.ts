// apply's decisions, pure: created / configured / unchanged, the last-applied annotation, and the
// three-way merge that deletes fields removed from the file but keeps what others own.
import t from 'tap';
import type { KubeObject } from '../../api/kind.js';
import { LAST_APPLIED, outcomeLine, outcomeOf, planApply, withLastApplied } from '../../cli/apply/plan.js';
import { applyMergePatch, threeWayMergePatch } from '../../cli/apply/three-way-merge.js';
import type { JsonObject } from '../../cli/apply/three-way-merge.js';

const file = (data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'default', ...(labels ? { labels } : {}) },
  data,
});

/** What the server would hold after storing `object`: server fields added. */
function stored(object: KubeObject, extra: Record<string, string> = {}): KubeObject {
  return { ...object, metadata: { ...object.metadata, uid: 'u1', resourceVersion: '7', creationTimestamp: '2026-12-04T10:00:00Z', labels: { ...object.metadata.labels, ...extra } } };
}

function applyPlan(live: KubeObject, manifest: KubeObject): KubeObject {
  const plan = planApply(manifest, live);
  return plan.action === 'patch' ? (applyMergePatch(live as unknown as JsonObject, plan.patch) as unknown as KubeObject) : live;
}

t.test('apply - lines as kubectl prints them', async (t) => {
  t.equal(outcomeLine('pod', 'web', 'created'), 'pod/web created\n');
  t.equal(outcomeLine('deployment.apps', 'web', 'configured'), 'deployment.apps/web configured\n');
  t.equal(outcomeLine('configmap', 'x', 'unchanged'), 'configmap/x unchanged\n');
  t.equal(outcomeLine('configmap', 'x', 'created', true), 'configmap/x created (dry run)\n');
});

t.test('apply - a new object is created with its last applied configuration recorded', async (t) => {
  const plan = planApply(file({ a: '1' }), undefined);
  t.equal(outcomeOf(plan), 'created');
  t.equal(plan.action === 'create' ? plan.object.metadata.annotations?.[LAST_APPLIED] : '', JSON.stringify(file({ a: '1' })));
});

t.test('apply - the same file again is unchanged, even with server-set fields and defaults', async (t) => {
  const live = stored(withLastApplied(file({ a: '1' })));
  t.equal(outcomeOf(planApply(file({ a: '1' }), live)), 'unchanged');
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
  const defaulted = stored(withLastApplied(pod));
  defaulted.spec = { containers: [{ name: 'web', image: 'nginx', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log' }], restartPolicy: 'Always' };
  defaulted.status = { phase: 'Pending' };
  t.equal(outcomeOf(planApply(pod, defaulted)), 'unchanged', 'defaults the server added inside a list are no difference');
});

t.test('apply - a changed value is configured; a field removed from the file is removed live', async (t) => {
  const first = stored(withLastApplied(file({ a: '1', b: '2' })));
  const plan = planApply(file({ a: '10' }), first);
  t.equal(outcomeOf(plan), 'configured');
  t.same(plan.action === 'patch' ? plan.patch.data : undefined, { a: '10', b: null });
  const after = applyPlan(first, file({ a: '10' }));
  t.same(after.data, { a: '10' });
  t.equal(outcomeOf(planApply(file({ a: '10' }), after)), 'unchanged', 'applying the result again changes nothing');
});

t.test('apply - fields the file never had (set by others) are kept', async (t) => {
  const live = stored(withLastApplied(file({ a: '1' }, { app: 'web' })), { 'set-by': 'label-command' });
  const after = applyPlan(live, file({ a: '1' }, { app: 'api' }));
  t.same(after.metadata.labels, { app: 'api', 'set-by': 'label-command' });
  t.equal(after.metadata.uid, 'u1');
});

t.test('apply - a list edited in the file is replaced whole (elements removed too)', async (t) => {
  const v1: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx', args: ['-v'] }] } };
  const v2: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
  const live = stored(withLastApplied(v1));
  const plan = planApply(v2, live);
  t.equal(outcomeOf(plan), 'configured');
  t.same(plan.action === 'patch' ? (plan.patch.spec as JsonObject).containers : undefined, [{ name: 'web', image: 'nginx' }]);
});

t.test('three-way merge - deletions only of what exists live; nested objects merge', async (t) => {
  t.same(threeWayMergePatch({ a: 1, b: { c: 1, d: 2 } }, { b: { c: 1 } }, { b: { c: 1, d: 2, e: 3 } }), { b: { d: null } });
  t.same(threeWayMergePatch({}, { a: 1 }, { a: 1, z: 2 }), {});
  t.same(threeWayMergePatch({ gone: 1 }, {}, {}), {}, 'nothing to delete when live lacks it');
});

t.test('apply - a broken last-applied annotation counts as no history', async (t) => {
  const live = stored(file({ a: '1', b: '2' }));
  live.metadata.annotations = { [LAST_APPLIED]: '{not json' };
  const plan = planApply(file({ a: '1' }), live);
  t.equal(plan.action, 'patch');
  t.notOk(plan.action === 'patch' && (plan.patch.data as JsonObject | undefined)?.b === null, 'b is not deleted without history');
});
