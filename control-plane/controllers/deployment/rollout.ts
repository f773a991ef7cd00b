// Client-side rollout helpers besides undo (see rollback.ts): pause/resume/restart as the
// patches kubectl sends. The pure rules live in workloads/ (shared with shoalctl).
import type { Deployment } from '../../../api/index.js';
import type { ShoalClient } from '../../../client/index.js';
import { deploymentRolloutStatus, pausePatch, restartPatch, resumePatch } from '../../../workloads/index.js';

/** kubectl's `rollout status` for a Deployment (pure). */
export const rolloutStatus = deploymentRolloutStatus;

export function pauseDeployment(client: ShoalClient, namespace: string, name: string): Promise<Deployment> {
  return client.resource<Deployment>('deployments', namespace).patch(name, pausePatch);
}

export function resumeDeployment(client: ShoalClient, namespace: string, name: string): Promise<Deployment> {
  return client.resource<Deployment>('deployments', namespace).patch(name, resumePatch);
}

/** `rollout restart`: a new template annotation, so every pod is replaced by a rolling update. */
export function restartDeployment(client: ShoalClient, namespace: string, name: string, now: Date): Promise<Deployment> {
  return client.resource<Deployment>('deployments', namespace).patch(name, restartPatch(now));
}
