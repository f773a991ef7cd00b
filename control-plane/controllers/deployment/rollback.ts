// Client-side rollout helpers for shoalctl (`rollout history`, `rollout undo`), as kubectl does
// them: the revisions are the Deployment's ReplicaSets; undo copies a revision's pod template
// back into the Deployment, and the controller does the rest (the old ReplicaSet becomes current
// and gets the next revision).
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../../api/index.js';
import type { ShoalClient } from '../../../client/index.js';
import { isControlledBy } from '../shared/owner-refs.js';
import { revisionOf } from './reconcile.js';
import { templatesEqual, withoutHashLabel } from './template-hash.js';

export interface RolloutRevision {
  readonly revision: number;
  readonly replicaSet: string;
  /** The annotation kubernetes.io/change-cause, when set. */
  readonly changeCause: string;
  readonly template: PodTemplateSpec;
}

export const RollbackErrorCode = { NotFound: 'ROLLBACK_REVISION_NOT_FOUND', NoHistory: 'ROLLBACK_NO_HISTORY', Paused: 'ROLLBACK_PAUSED' } as const;
export type RollbackErrorCode = (typeof RollbackErrorCode)[keyof typeof RollbackErrorCode];

export class RollbackError extends Error {
  constructor(readonly code: RollbackErrorCode, message: string) {
    super(message);
    this.name = 'RollbackError';
  }
}

/** The revisions of a Deployment, oldest first. */
export async function rolloutHistory(client: ShoalClient, namespace: string, name: string): Promise<{ deployment: Deployment; revisions: RolloutRevision[] }> {
  const deployment = await client.resource<Deployment>('deployments', namespace).get(name);
  const { items } = await client.resource<ReplicaSet>('replicasets', namespace).listAll();
  const revisions = items
    .filter((rs) => isControlledBy(rs, deployment))
    .map((rs) => ({ revision: revisionOf(rs), replicaSet: rs.metadata.name ?? '', changeCause: rs.metadata.annotations?.['kubernetes.io/change-cause'] ?? '', template: withoutHashLabel(rs.spec.template) }))
    .sort((a, b) => a.revision - b.revision);
  return { deployment, revisions };
}

/**
 * Rolls a Deployment back to `toRevision` (0 = the one before the current). Returns the revision
 * rolled back to, or undefined when the template already is that revision's ("skipped").
 */
export async function rollbackDeployment(client: ShoalClient, namespace: string, name: string, toRevision = 0): Promise<{ revision: number; changed: boolean }> {
  const { deployment, revisions } = await rolloutHistory(client, namespace, name);
  if (deployment.spec.paused === true) throw new RollbackError(RollbackErrorCode.Paused, `deployment "${name}" is paused: resume it before rolling back`);
  let target: RolloutRevision | undefined;
  if (toRevision === 0) {
    const current = revisions.find((r) => templatesEqual(r.template, deployment.spec.template));
    const older = revisions.filter((r) => r !== current && (current === undefined || r.revision < current.revision));
    target = older[older.length - 1];
    if (target === undefined) throw new RollbackError(RollbackErrorCode.NoHistory, `deployment "${name}" has no previous revision to roll back to`);
  } else {
    target = revisions.find((r) => r.revision === toRevision);
    if (target === undefined) throw new RollbackError(RollbackErrorCode.NotFound, `deployment "${name}" has no revision ${toRevision} (have: ${revisions.map((r) => r.revision).join(', ') || 'none'})`);
  }
  if (templatesEqual(target.template, deployment.spec.template)) return { revision: target.revision, changed: false };
  const template = target.template;
  await client.resource<Deployment>('deployments', namespace).updateWithRetry(name, (d) => ({ ...d, spec: { ...d.spec, template } }));
  return { revision: target.revision, changed: true };
}
