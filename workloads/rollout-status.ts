// `rollout status` verdicts as kubectl's status viewers compute them (pure): a progress line,
// whether the rollout is done, and whether it can no longer succeed.
import type { DaemonSet, Deployment, StatefulSet } from '../api/index.js';

export interface RolloutStatus {
  /** The rollout finished successfully. */
  readonly done: boolean;
  /** It can no longer succeed (progress deadline exceeded, unsupported strategy): exit non-zero. */
  readonly failed: boolean;
  /** kubectl's progress line (without the newline). */
  readonly message: string;
}

const waiting = (message: string): RolloutStatus => ({ done: false, failed: false, message });
const failed = (message: string): RolloutStatus => ({ done: false, failed: true, message });
const done = (message: string): RolloutStatus => ({ done: true, failed: false, message });

/** The Progressing condition's reason when progressDeadlineSeconds ran out. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

export function deploymentRolloutStatus(d: Deployment): RolloutStatus {
  const name = d.metadata.name ?? '';
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return waiting('Waiting for deployment spec update to be observed...');
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === PROGRESS_DEADLINE_EXCEEDED) return failed(`deployment "${name}" exceeded its progress deadline`);
  const want = d.spec.replicas;
  const updated = s.updatedReplicas ?? 0;
  const total = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < want) return waiting(`Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...`);
  if (total > updated) return waiting(`Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`);
  if (available < updated) return waiting(`Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`);
  return done(`deployment "${name}" successfully rolled out`);
}

export function daemonSetRolloutStatus(ds: DaemonSet): RolloutStatus {
  const name = ds.metadata.name ?? '';
  if (ds.spec.updateStrategy.type !== 'RollingUpdate') return failed('rollout status is only available for RollingUpdate strategy type');
  const s: Partial<NonNullable<DaemonSet['status']>> = ds.status ?? {};
  if ((ds.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return waiting('Waiting for daemon set spec update to be observed...');
  const desired = s.desiredNumberScheduled ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  const available = s.numberAvailable ?? 0;
  if (updated < desired) return waiting(`Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`);
  if (available < desired) return waiting(`Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`);
  return done(`daemon set "${name}" successfully rolled out`);
}

export function statefulSetRolloutStatus(sts: StatefulSet): RolloutStatus {
  const strategy = sts.spec.updateStrategy;
  if (strategy.type !== 'RollingUpdate') return failed('rollout status is only available for RollingUpdate strategy type');
  const s: Partial<NonNullable<StatefulSet['status']>> = sts.status ?? {};
  const observed = s.observedGeneration ?? 0;
  if (observed === 0 || (sts.metadata.generation ?? 0) > observed) return waiting('Waiting for statefulset spec update to be observed...');
  const replicas = sts.spec.replicas;
  const ready = s.readyReplicas ?? 0;
  const updated = s.updatedReplicas ?? 0;
  if (ready < replicas) return waiting(`Waiting for ${replicas - ready} pods to be ready...`);
  const partition = strategy.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    if (updated < replicas - partition) return waiting(`Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`);
    return done(`partitioned roll out complete: ${updated} new pods have been updated...`);
  }
  if (s.updateRevision !== s.currentRevision) return waiting(`waiting for statefulset rolling update to complete ${updated} pods at revision ${s.updateRevision ?? ''}...`);
  return done(`statefulset rolling update complete ${s.currentReplicas ?? 0} pods at revision ${s.currentRevision ?? ''}...`);
}
