// Client-side `rollout history` / `rollout undo` over a ShoalClient; the rules (which
// ReplicaSets are revisions, which one undo restores) are workloads/'s pure functions.
import type { Deployment, ReplicaSet } from '../../../api/index.js';
import type { ShoalClient } from '../../../client/index.js';
import { deploymentRevisions, rollbackTarget } from '../../../workloads/index.js';
import type { RolloutRevision } from '../../../workloads/index.js';

/** The revisions of a Deployment, oldest first. */
export async function rolloutHistory(client: ShoalClient, namespace: string, name: string): Promise<{ deployment: Deployment; revisions: RolloutRevision[] }> {
  const deployment = await client.resource<Deployment>('deployments', namespace).get(name);
  const { items } = await client.resource<ReplicaSet>('replicasets', namespace).listAll();
  return { deployment, revisions: deploymentRevisions(deployment, items) };
}

/**
 * Rolls a Deployment back to `toRevision` (0 = the one before the current). Returns the revision
 * rolled back to and whether the template changed (false: it already was that revision's).
 */
export async function rollbackDeployment(client: ShoalClient, namespace: string, name: string, toRevision = 0): Promise<{ revision: number; changed: boolean }> {
  const { deployment, revisions } = await rolloutHistory(client, namespace, name);
  const { target, changed } = rollbackTarget(deployment, revisions, toRevision);
  if (!changed) return { revision: target.revision, changed: false };
  const template = target.template;
  await client.resource<Deployment>('deployments', namespace).updateWithRetry(name, (d) => ({ ...d, spec: { ...d.spec, template } }));
  return { revision: target.revision, changed: true };
}
