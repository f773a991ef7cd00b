// The pure core of the CronJob controller (schedules in UTC):
// - the most recent schedule time since the last one (or creation) starts a Job named
//   <cronjob>-<minutes since epoch>, so a repeated attempt (a restart, a second leader) can only
//   hit AlreadyExists, never start the run twice;
// - startingDeadlineSeconds: a run missed by more than that is skipped;
// - concurrencyPolicy: Allow runs side by side, Forbid skips while one is active, Replace stops
//   the active ones first;
// - finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit go, oldest first.
import type { CronJob, CronSchedule, Job } from '../../../api/index.js';
import { isJobFinished } from '../job/reconcile.js';
import { timestamp as stamp } from '../shared/time.js';

const MINUTE = 60_000;
/** Look back at most this far for missed runs, forward this far for the next one. */
const LOOKBACK_MINUTES = 100_000;
const LOOKAHEAD_MINUTES = 366 * 24 * 60;

export function cronMatches(s: CronSchedule, ms: number): boolean {
  const d = new Date(ms);
  if (!s.minutes.has(d.getUTCMinutes()) || !s.hours.has(d.getUTCHours()) || !s.months.has(d.getUTCMonth() + 1)) return false;
  const dom = s.daysOfMonth.has(d.getUTCDate());
  const dow = s.daysOfWeek.has(d.getUTCDay());
  if (s.anyDayOfMonth && s.anyDayOfWeek) return true;
  if (s.anyDayOfMonth) return dow;
  if (s.anyDayOfWeek) return dom;
  return dom || dow;
}

/** The latest schedule time in (sinceMs, nowMs], if any. */
export function mostRecentSchedule(s: CronSchedule, sinceMs: number, nowMs: number): number | undefined {
  const from = Math.max(Math.floor(sinceMs / MINUTE) + 1, Math.floor(nowMs / MINUTE) - LOOKBACK_MINUTES);
  for (let m = Math.floor(nowMs / MINUTE); m >= from; m--) if (cronMatches(s, m * MINUTE)) return m * MINUTE;
  return undefined;
}

/** The first schedule time after nowMs (within a year). */
export function nextSchedule(s: CronSchedule, nowMs: number): number | undefined {
  const start = Math.floor(nowMs / MINUTE) + 1;
  for (let m = start; m < start + LOOKAHEAD_MINUTES; m++) if (cronMatches(s, m * MINUTE)) return m * MINUTE;
  return undefined;
}

export interface CronPlan {
  /** Start the run scheduled at this time. */
  readonly run: number | undefined;
  readonly deleteJobs: Job[];
  readonly status: NonNullable<CronJob['status']>;
  readonly requeueAfterMs: number | undefined;
  /** Why a due run was not started. */
  readonly skipped: string | undefined;
}

const failed = (j: Job): boolean => (j.status?.conditions ?? []).some((c) => c.type === 'Failed' && c.status === 'True');
const created = (j: Job): string => j.metadata.creationTimestamp ?? '';

export function cronJobName(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name ?? ''}-${Math.floor(scheduledMs / MINUTE)}`;
}

export function planCronJob(cj: CronJob, schedule: CronSchedule, jobs: readonly Job[], nowMs: number): CronPlan {
  const active = jobs.filter((j) => !isJobFinished(j));
  const deleteJobs: Job[] = [];
  const finished = jobs.filter(isJobFinished).sort((a, b) => created(a).localeCompare(created(b)));
  const ok = finished.filter((j) => !failed(j));
  const bad = finished.filter(failed);
  deleteJobs.push(...ok.slice(0, Math.max(0, ok.length - cj.spec.successfulJobsHistoryLimit)));
  deleteJobs.push(...bad.slice(0, Math.max(0, bad.length - cj.spec.failedJobsHistoryLimit)));

  const last = cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp;
  const sinceMs = last === undefined ? nowMs - MINUTE : Date.parse(last);
  const due = cj.spec.suspend ? undefined : mostRecentSchedule(schedule, Number.isNaN(sinceMs) ? nowMs - MINUTE : sinceMs, nowMs);
  let run: number | undefined;
  let skipped: string | undefined;
  let lastScheduleTime = cj.status?.lastScheduleTime;
  if (due !== undefined) {
    const deadline = cj.spec.startingDeadlineSeconds;
    const running = active.filter((j) => j.metadata.name !== cronJobName(cj, due));
    if (deadline !== undefined && nowMs - due > deadline * 1000) {
      skipped = `missed the run at ${stamp(due)} by more than startingDeadlineSeconds (${deadline})`;
      lastScheduleTime = stamp(due);
    } else if (cj.spec.concurrencyPolicy === 'Forbid' && running.length > 0) {
      skipped = `run at ${stamp(due)} skipped: concurrencyPolicy Forbid and ${running.length} job(s) still active`;
    } else {
      if (cj.spec.concurrencyPolicy === 'Replace') deleteJobs.push(...running);
      run = due;
      lastScheduleTime = stamp(due);
    }
  }
  const next = cj.spec.suspend ? undefined : nextSchedule(schedule, nowMs);
  const status = {
    ...(cj.status ?? {}),
    ...(lastScheduleTime === undefined ? {} : { lastScheduleTime }),
    active: active.filter((j) => !deleteJobs.includes(j)).map((j) => ({ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, namespace: j.metadata.namespace, uid: j.metadata.uid })),
  } as NonNullable<CronJob['status']>;
  const lastOk = ok.map((j) => j.status?.completionTime).filter((x): x is string => x !== undefined).sort().pop();
  if (lastOk !== undefined) (status as { lastSuccessfulTime?: string }).lastSuccessfulTime = lastOk;
  // Forbid with an active job: look again soon (the job's end also wakes us through the informer).
  const requeueAfterMs = skipped !== undefined && run === undefined && cj.spec.concurrencyPolicy === 'Forbid' ? 5_000 : next === undefined ? undefined : next - nowMs + 100;
  return { run, deleteJobs, status, requeueAfterMs, skipped };
}
