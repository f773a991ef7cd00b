// The pure CronJob core: schedule matching (UTC, cron's day OR rule), most recent and next run
// times, deterministic Job names, concurrency policies, starting deadline, history limits.
import t from 'tap';
import type { CronJob, Job } from '../../api/index.js';
import { parseCron } from '../../api/index.js';
import type { CronSchedule } from '../../api/index.js';
import { cronJobName, cronMatches, mostRecentSchedule, nextSchedule, planCronJob } from '../../control-plane/controllers/index.js';

const at = (iso: string): number => Date.parse(iso);
const sched = (s: string): CronSchedule => {
  const p = parseCron(s);
  if (typeof p === 'string') throw new Error(p);
  return p;
};

t.test('cronMatches - table', async (t) => {
  const cases: [string, string, boolean][] = [
    ['*/15 * * * *', '2026-01-01T10:30:00Z', true],
    ['*/15 * * * *', '2026-01-01T10:31:00Z', false],
    ['0 9 * * 1-5', '2026-01-05T09:00:00Z', true], // a Monday
    ['0 9 * * 1-5', '2026-01-04T09:00:00Z', false], // a Sunday
    ['0 0 1 * 0', '2026-01-04T00:00:00Z', true], // Sunday, not the 1st: OR rule
    ['0 0 1 * 0', '2026-01-01T00:00:00Z', true], // the 1st, a Thursday
    ['0 0 1 * 0', '2026-01-02T00:00:00Z', false],
    ['@hourly', '2026-03-03T07:00:00Z', true],
  ];
  for (const [s, when, want] of cases) t.equal(cronMatches(sched(s), at(when)), want, `${s} at ${when}`);
});

t.test('mostRecentSchedule / nextSchedule', async (t) => {
  const s = sched('*/10 * * * *');
  t.equal(mostRecentSchedule(s, at('2026-01-01T10:00:00Z'), at('2026-01-01T10:25:30Z')), at('2026-01-01T10:20:00Z'));
  t.equal(mostRecentSchedule(s, at('2026-01-01T10:20:00Z'), at('2026-01-01T10:25:30Z')), undefined, 'nothing since the last run');
  t.equal(nextSchedule(s, at('2026-01-01T10:25:30Z')), at('2026-01-01T10:30:00Z'));
  t.equal(nextSchedule(sched('0 0 30 2 *'), at('2026-01-01T00:00:00Z')), undefined, 'never (Feb 30): no wake-up');
});

const cj = (spec: Partial<CronJob['spec']>, status?: CronJob['status']): CronJob =>
  ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'u-cj', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { spec: {} }, ...spec },
    ...(status ? { status } : {}),
  }) as unknown as CronJob;

const job = (name: string, state: 'active' | 'ok' | 'failed', created = '2026-01-01T00:00:00Z'): Job =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `u-${name}`, creationTimestamp: created },
    spec: {},
    status: state === 'active' ? { active: 1 } : { conditions: [{ type: state === 'ok' ? 'Complete' : 'Failed', status: 'True' }], ...(state === 'ok' ? { completionTime: created } : {}) },
  }) as unknown as Job;

t.test('planCronJob - table', async (t) => {
  const now = at('2026-01-01T00:12:00Z');
  const s = sched('*/5 * * * *');
  const due = at('2026-01-01T00:10:00Z');
  const cases: { name: string; cj: CronJob; jobs: Job[]; run: number | undefined; del: string[]; skipped: boolean }[] = [
    { name: 'due: run the latest missed time once', cj: cj({}), jobs: [], run: due, del: [], skipped: false },
    { name: 'already ran at that time: nothing', cj: cj({}, { lastScheduleTime: '2026-01-01T00:10:00Z' }), jobs: [], run: undefined, del: [], skipped: false },
    { name: 'suspended: nothing', cj: cj({ suspend: true }), jobs: [], run: undefined, del: [], skipped: false },
    { name: 'Forbid with an active job: skipped', cj: cj({ concurrencyPolicy: 'Forbid' }), jobs: [job('tick-1', 'active')], run: undefined, del: [], skipped: true },
    { name: 'Replace: the active job goes, the new one runs', cj: cj({ concurrencyPolicy: 'Replace' }), jobs: [job('tick-1', 'active')], run: due, del: ['tick-1'], skipped: false },
    { name: 'Allow: side by side', cj: cj({}), jobs: [job('tick-1', 'active')], run: due, del: [], skipped: false },
    { name: 'starting deadline passed: skipped', cj: cj({ startingDeadlineSeconds: 60 }), jobs: [], run: undefined, del: [], skipped: true },
    {
      name: 'history limits: oldest finished go',
      cj: cj({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }, { lastScheduleTime: '2026-01-01T00:10:00Z' }),
      jobs: [job('a', 'ok', '2026-01-01T00:00:00Z'), job('b', 'ok', '2026-01-01T00:05:00Z'), job('c', 'failed', '2026-01-01T00:06:00Z')],
      run: undefined,
      del: ['a', 'c'],
      skipped: false,
    },
  ];
  for (const c of cases) {
    const p = planCronJob(c.cj, s, c.jobs, now);
    t.same({ run: p.run, del: p.deleteJobs.map((j) => j.metadata.name), skipped: p.skipped !== undefined }, { run: c.run, del: c.del, skipped: c.skipped }, c.name);
  }
  const p = planCronJob(cj({}), s, [], now);
  t.equal(p.status.lastScheduleTime, '2026-01-01T00:10:00Z');
  t.equal(p.requeueAfterMs, at('2026-01-01T00:15:00Z') - now + 100, 'woken at the next run');
  t.equal(cronJobName(cj({}), due), `tick-${due / 60_000}`, 'the name is a function of the scheduled time');
});
