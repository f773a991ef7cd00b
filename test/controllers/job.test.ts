// Jobs: the pure core table-driven, and against an in-process API server with the fake kubelet:
// completions with parallelism, and retries until backoffLimit then Failed.
import t from 'tap';
import type { Job, Pod } from '../../api/index.js';
import { planJob } from '../../control-plane/controllers/index.js';
import { FakeKubelet, startCluster, startManager, until } from './helpers/cluster.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

const job = (name: string, spec: Partial<Job['spec']>, status?: Job['status']): Job =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `u-${name}` },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
    ...(status ? { status } : {}),
  }) as unknown as Job;

const pod = (name: string, phase: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [] }, status: { phase } }) as unknown as Pod;
const pods = (spec: Record<string, number>): Pod[] => Object.entries(spec).flatMap(([phase, n]) => Array.from({ length: n }, (_, i) => pod(`${phase}-${i}`, phase)));

t.test('planJob - table', async (t) => {
  const cases: { name: string; job: Job; pods: Pod[]; create: number; del: number; cond?: string }[] = [
    { name: 'start: parallelism pods', job: job('j', { parallelism: 2, completions: 5 }), pods: [], create: 2, del: 0 },
    { name: 'never more than the completions left', job: job('j', { parallelism: 3, completions: 5 }), pods: pods({ Succeeded: 4 }), create: 1, del: 0 },
    { name: 'done at completions', job: job('j', { completions: 2 }), pods: pods({ Succeeded: 2 }), create: 0, del: 0, cond: 'Complete' },
    { name: 'failures within backoffLimit: retry', job: job('j', { backoffLimit: 2 }), pods: pods({ Failed: 2 }), create: 1, del: 0 },
    { name: 'failures beyond backoffLimit: Failed, running pods stop', job: job('j', { backoffLimit: 1, parallelism: 2, completions: 4 }), pods: pods({ Failed: 2, Running: 1 }), create: 0, del: 1, cond: 'Failed' },
    { name: 'work queue: one success and none running completes', job: job('j', { parallelism: 2, completions: undefined }), pods: pods({ Succeeded: 1 }), create: 0, del: 0, cond: 'Complete' },
    { name: 'suspended: nothing runs', job: job('j', { suspend: true, parallelism: 2 }), pods: pods({ Running: 1 }), create: 0, del: 1 },
    { name: 'active deadline passed: Failed', job: job('j', { activeDeadlineSeconds: 60 }, { startTime: '2026-01-01T00:00:00Z' }), pods: pods({ Running: 1 }), create: 0, del: 1, cond: 'Failed' },
  ];
  for (const c of cases) {
    const plan = planJob(c.job, c.pods, NOW);
    const cond = plan.status.conditions?.find((x) => x.status === 'True')?.type;
    t.same({ create: plan.create, del: plan.delete.length, cond }, { create: c.create, del: c.del, cond: c.cond }, c.name);
  }
});

t.test('job - runs to completions with parallelism', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  kubelet.phase = () => 'Succeeded';
  startManager(t, client);
  await client.resource<Job>('jobs').create(job('ok', { parallelism: 2, completions: 4 }));
  await until(t, 'Complete', async () => (await client.resource<Job>('jobs').get('ok')).status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') === true);
  const j = await client.resource<Job>('jobs').get('ok');
  t.equal(j.status?.succeeded, 4);
  t.ok(j.status?.completionTime, 'completionTime set');
});

t.test('job - retries failed pods, then fails at backoffLimit', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  kubelet.phase = () => 'Failed';
  startManager(t, client);
  await client.resource<Job>('jobs').create(job('bad', { backoffLimit: 2 }));
  await until(t, 'Failed', async () => (await client.resource<Job>('jobs').get('bad')).status?.conditions?.some((c) => c.type === 'Failed' && c.reason === 'BackoffLimitExceeded') === true);
  const all = (await client.resource<Pod>('pods').list()).items.filter((p) => p.metadata.labels?.['job-name'] === 'bad');
  t.equal(all.length, 3, 'backoffLimit 2: three attempts');
  t.equal((await client.resource<Job>('jobs').get('bad')).status?.failed, 3);
});

t.test('job - ttlSecondsAfterFinished removes a finished Job', async (t) => {
  const { client } = await startCluster(t);
  const kubelet = await FakeKubelet.start(t, client);
  kubelet.phase = () => 'Succeeded';
  startManager(t, client);
  await client.resource<Job>('jobs').create(job('short', { ttlSecondsAfterFinished: 0 }));
  await until(t, 'job removed after finishing', async () => {
    try {
      await client.resource<Job>('jobs').get('short');
      return false;
    } catch {
      return true;
    }
  });
  t.pass('removed');
});
