// The pure core of the Job controller: from the Job and its pods, how many pods to start or stop,
// and the status (active/succeeded/failed, Complete or Failed with the reason).
// - completions set: done at `completions` successes, at most `parallelism` running at once;
// - completions unset (work queue): done when one pod succeeded and none is left running;
// - failed pods beyond backoffLimit, or activeDeadlineSeconds passed: Failed, running pods stop;
// - suspend: nothing runs.
import type { Condition, Job, Pod } from '../../../api/index.js';
import { isPodActive, isPodReady } from '../shared/pod-state.js';
import { rankForDeletion } from '../replica-set/reconcile.js';
import { timestamp as stamp } from '../shared/time.js';

export interface JobPlan {
  readonly create: number;
  readonly delete: Pod[];
  readonly status: NonNullable<Job['status']>;
  /** Sync again then (the active deadline). */
  readonly requeueAfterMs: number | undefined;
}


export function isJobFinished(j: Job): boolean {
  return (j.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function planJob(job: Job, pods: readonly Pod[], nowMs: number): JobPlan {
  const prev = job.status ?? {};
  const active = pods.filter(isPodActive);
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  const base = {
    ...prev,
    active: active.length,
    succeeded,
    failed,
    ready: active.filter(isPodReady).length,
  };
  if (isJobFinished(job)) return { create: 0, delete: rankForDeletion(active), status: { ...base, active: active.length }, requeueAfterMs: undefined };

  const suspended = job.spec.suspend === true;
  const startMs = prev.startTime !== undefined ? Date.parse(prev.startTime) : suspended ? undefined : nowMs;
  const startTime = startMs === undefined ? undefined : stamp(startMs);
  const finish = (type: 'Complete' | 'Failed', reason: string, message: string): JobPlan => {
    const cond: Condition = { type, status: 'True', reason, message, lastProbeTime: stamp(nowMs), lastTransitionTime: stamp(nowMs) };
    return {
      create: 0,
      delete: rankForDeletion(active),
      status: { ...base, ...(startTime ? { startTime } : {}), ...(type === 'Complete' ? { completionTime: stamp(nowMs) } : {}), conditions: [...(prev.conditions ?? []), cond] },
      requeueAfterMs: undefined,
    };
  };

  if (failed > job.spec.backoffLimit) return finish('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
  const deadline = job.spec.activeDeadlineSeconds;
  if (deadline !== undefined && startMs !== undefined && startMs + deadline * 1000 <= nowMs) return finish('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline');

  const completions = job.spec.completions;
  const parallelism = job.spec.parallelism ?? 1;
  let want: number;
  if (completions !== undefined) {
    if (succeeded >= completions) return finish('Complete', 'Completed', 'Job completed');
    want = Math.min(parallelism, completions - succeeded);
  } else {
    if (succeeded > 0 && active.length === 0) return finish('Complete', 'Completed', 'Job completed');
    want = succeeded > 0 ? 0 : parallelism;
  }
  if (suspended) want = 0;
  const create = Math.max(0, want - active.length);
  const del = active.length > want ? rankForDeletion(active).slice(0, active.length - want) : [];
  const requeueAfterMs = deadline !== undefined && startMs !== undefined ? Math.max(50, startMs + deadline * 1000 - nowMs + 50) : undefined;
  return { create, delete: del, status: { ...base, ...(startTime ? { startTime } : {}) }, requeueAfterMs };
}
