// Client-side rollout helpers for shoalctl besides undo (see rollback.ts): the `rollout status`
// verdict as kubectl computes it, and pause/resume/restart as the patches kubectl sends.
import type { Deployment } from '../../../api/index.js';
import type { ShoalClient } from '../../../client/index.js';

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export interface RolloutStatus {
  /** The rollout finished successfully. */
  readonly done: boolean;
  /** It can no longer succeed (progress deadline exceeded): exit non-zero. */
  readonly failed: boolean;
  /** kubectl's progress line. */
  readonly message: string;
}

/** kubectl's `rollout status` for a Deployment (pure). */
export function rolloutStatus(d: Deployment): RolloutStatus {
  const name = d.metadata.name ?? '';
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, failed: false, message: 'Waiting for deployment spec update to be observed...' };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  const want = d.spec.replicas;
  const updated = s.updatedReplicas ?? 0;
  const total = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < want) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
  if (total > updated) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...` };
  if (available < updated) return { done: false, failed: false, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  return { done: true, failed: false, message: `deployment "${name}" successfully rolled out` };
}

export function pauseDeployment(client: ShoalClient, namespace: string, name: string): Promise<Deployment> {
  return client.resource<Deployment>('deployments', namespace).patch(name, { spec: { paused: true } });
}

export function resumeDeployment(client: ShoalClient, namespace: string, name: string): Promise<Deployment> {
  return client.resource<Deployment>('deployments', namespace).patch(name, { spec: { paused: null } });
}

/** `rollout restart`: a new template annotation, so every pod is replaced by a rolling update. */
export function restartDeployment(client: ShoalClient, namespace: string, name: string, now: Date): Promise<Deployment> {
  return client.resource<Deployment>('deployments', namespace).patch(name, { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } } } } });
}
