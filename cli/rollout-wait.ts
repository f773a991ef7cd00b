// `rollout status`'s wait: read the object, print kubectl's progress line whenever it changes,
// and follow a watch from that revision until the rollout is done, fails (progress deadline
// exceeded), the object is deleted, the timeout runs out or the user interrupts.
import type { KubeObject } from '../api/kind.js';
import type { DaemonSet, Deployment, StatefulSet } from '../api/index.js';
import { daemonSetRolloutStatus, deploymentRolloutStatus, statefulSetRolloutStatus } from '../workloads/index.js';
import type { RolloutStatus } from '../workloads/index.js';
import type { CliContext } from './context.js';
import { CliError, UsageError } from './errors.js';
import type { ShoalApi } from './shoal-api.js';

export const ROLLOUT_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'] as const;
export type RolloutKind = (typeof ROLLOUT_KINDS)[number];

export function rolloutKind(kind: string, verb: string): RolloutKind {
  if ((ROLLOUT_KINDS as readonly string[]).includes(kind)) return kind as RolloutKind;
  throw new UsageError(`no ${verb} for ${kind}: rollout works on deployments, daemonsets and statefulsets`);
}

export function rolloutStatusOf(kind: RolloutKind, object: KubeObject): RolloutStatus {
  switch (kind) {
    case 'Deployment':
      return deploymentRolloutStatus(object as unknown as Deployment);
    case 'DaemonSet':
      return daemonSetRolloutStatus(object as unknown as DaemonSet);
    case 'StatefulSet':
      return statefulSetRolloutStatus(object as unknown as StatefulSet);
  }
}

export interface RolloutWait {
  readonly api: ShoalApi;
  readonly ctx: CliContext;
  readonly resource: string;
  readonly kind: RolloutKind;
  readonly namespace: string;
  readonly name: string;
  /** false: print the current status once and stop. */
  readonly watch: boolean;
  /** undefined: wait as long as it takes. */
  readonly timeoutMs: number | undefined;
}

/** Resolves when the rollout is done (or, without watch, after one line); throws CliError otherwise. */
export async function waitForRollout(w: RolloutWait): Promise<void> {
  let last = '';
  /** True when finished; throws on a failed rollout. Prints each new progress line once. */
  const observe = (object: KubeObject): boolean => {
    const s = rolloutStatusOf(w.kind, object);
    if (s.failed) throw new CliError('ROLLOUT_FAILED', s.message);
    if (s.message !== last) w.ctx.stdout(s.message + '\n');
    last = s.message;
    return s.done;
  };
  // A list gives the store's current revision to watch from (an object's own resourceVersion
  // may be older than what the store still keeps).
  const selector = `metadata.name=${w.name}`;
  const listed = await w.api.list(w.resource, { namespace: w.namespace, fieldSelector: selector });
  const first = listed.items[0];
  if (first === undefined) throw new CliError('NOT_FOUND', `${w.resource} "${w.name}" not found`);
  if (observe(first) || !w.watch) return;

  const stop = new AbortController();
  const onInterrupt = (): void => {
    interrupted = true;
    stop.abort();
  };
  w.ctx.interrupted.addEventListener('abort', onInterrupt, { once: true });
  let outcome: { done: true } | { error: unknown } | undefined;
  let timedOut = false;
  let interrupted = false;
  if (w.timeoutMs !== undefined) {
    void w.ctx.sleep(w.timeoutMs, stop.signal).then(() => {
      if (stop.signal.aborted) return;
      timedOut = true;
      stop.abort();
    });
  }
  try {
    await w.api.watch(
      w.resource,
      { namespace: w.namespace, fieldSelector: selector, resourceVersion: listed.resourceVersion },
      (event) => {
        if (outcome !== undefined || event.object.metadata.name !== w.name) return;
        try {
          if (event.type === 'DELETED') outcome = { error: new CliError('DELETED', `${w.kind.toLowerCase()} "${w.name}" was deleted while waiting for its rollout`) };
          else if (observe(event.object)) outcome = { done: true };
        } catch (err) {
          outcome = { error: err };
        }
        if (outcome !== undefined) stop.abort();
      },
      stop.signal,
    );
  } finally {
    stop.abort();
    w.ctx.interrupted.removeEventListener('abort', onInterrupt);
  }
  if (outcome !== undefined && 'error' in outcome) throw outcome.error;
  if (outcome !== undefined) return;
  if (timedOut) throw new CliError('TIMEOUT', 'timed out waiting for the condition');
  if (!interrupted) throw new CliError('WATCH_ENDED', `the watch of ${w.kind.toLowerCase()} "${w.name}" ended before its rollout finished`);
  throw new CliError('INTERRUPTED', `interrupted while waiting for the rollout of ${w.kind.toLowerCase()} "${w.name}"`, { exitCode: 130 });
}
