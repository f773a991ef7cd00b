// Workload rules shared by the controllers and shoalctl: pod-template hashing, controller
// references, Deployment revisions, rollout status verdicts, rollback choice and the rollout
// patches. Pure functions over api/ objects; no client, no I/O.
export { POD_TEMPLATE_HASH_LABEL, canonicalJson, podTemplateHash, templatesEqual, withoutHashLabel } from './template-hash.js';
export { controllerRef, isControlledBy } from './owner-refs.js';
export { CHANGE_CAUSE_ANNOTATION, REVISION_ANNOTATION, revisionOf } from './revision.js';
export { PROGRESS_DEADLINE_EXCEEDED, daemonSetRolloutStatus, deploymentRolloutStatus, statefulSetRolloutStatus } from './rollout-status.js';
export type { RolloutStatus } from './rollout-status.js';
export { RollbackError, RollbackErrorCode, deploymentRevisions, rollbackTarget } from './rollout-history.js';
export type { RollbackDecision, RolloutRevision } from './rollout-history.js';
export { RESTARTED_AT_ANNOTATION, pausePatch, restartPatch, restartedAtValue, resumePatch } from './rollout-patches.js';
