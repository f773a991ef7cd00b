// A Deployment's rollout history and the choice of a rollback target, as kubectl computes them
// (pure): the revisions are the Deployment's ReplicaSets; undo copies a revision's pod template
// back into the Deployment and the controller does the rest (the old ReplicaSet becomes current
// and gets the next revision).
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../api/index.js';
import { isControlledBy } from './owner-refs.js';
import { CHANGE_CAUSE_ANNOTATION, revisionOf } from './revision.js';
import { templatesEqual, withoutHashLabel } from './template-hash.js';

export interface RolloutRevision {
  readonly revision: number;
  readonly replicaSet: string;
  /** The annotation kubernetes.io/change-cause, when set ("" otherwise). */
  readonly changeCause: string;
  /** The ReplicaSet's pod template without the pod-template-hash label. */
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

/** The revisions of a Deployment among `replicaSets` (any list of the namespace), oldest first. */
export function deploymentRevisions(deployment: Deployment, replicaSets: readonly ReplicaSet[]): RolloutRevision[] {
  return replicaSets
    .filter((rs) => isControlledBy(rs, deployment))
    .map((rs) => ({ revision: revisionOf(rs), replicaSet: rs.metadata.name ?? '', changeCause: rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '', template: withoutHashLabel(rs.spec.template) }))
    .sort((a, b) => a.revision - b.revision);
}

export interface RollbackDecision {
  readonly target: RolloutRevision;
  /** false: the Deployment already runs that template (kubectl's "skipped rollback"). */
  readonly changed: boolean;
}

/** Which revision `rollout undo [--to-revision N]` restores (0 = the one before the current). */
export function rollbackTarget(deployment: Deployment, revisions: readonly RolloutRevision[], toRevision = 0): RollbackDecision {
  const name = deployment.metadata.name ?? '';
  if (deployment.spec.paused === true) throw new RollbackError(RollbackErrorCode.Paused, `you cannot rollback a paused deployment; resume it first with 'shoalctl rollout resume deployment/${name}' and try again`);
  let target: RolloutRevision | undefined;
  if (toRevision === 0) {
    const current = revisions.find((r) => templatesEqual(r.template, deployment.spec.template));
    const older = revisions.filter((r) => r !== current && (current === undefined || r.revision < current.revision));
    target = older[older.length - 1];
    if (target === undefined) throw new RollbackError(RollbackErrorCode.NoHistory, `no rollout history found for deployment "${name}"`);
  } else {
    target = revisions.find((r) => r.revision === toRevision);
    if (target === undefined) throw new RollbackError(RollbackErrorCode.NotFound, `unable to find specified revision ${toRevision} in history of deployment "${name}" (have: ${revisions.map((r) => r.revision).join(', ') || 'none'})`);
  }
  return { target, changed: !templatesEqual(target.template, deployment.spec.template) };
}
