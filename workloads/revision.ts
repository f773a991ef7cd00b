// A Deployment's revisions: each ReplicaSet carries the revision of the template it runs in an
// annotation; the Deployment carries the current one.
import type { ReplicaSet } from '../api/index.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/** The revision of a ReplicaSet (0 when missing or unreadable). */
export function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '0');
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
