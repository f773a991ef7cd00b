// The pure core of the Deployment controller: given a Deployment, the ReplicaSets it owns (and,
// for Recreate, whether old pods still run), the actions that move it one step towards its
// template, and the status to report. The loop applies the actions and syncs again on the next
// change, so each step is computed from fresh observations.
//
// Rolling update rules (as Kubernetes, with conservative counts so a stale status can only make
// it slower, never unsafe):
// - pods that may exist: sum over ReplicaSets of max(spec.replicas, status.replicas) never
//   exceeds replicas + maxSurge;
// - available pods counted per ReplicaSet as min(spec.replicas, status.availableReplicas), and
//   old ReplicaSets are scaled down only by what keeps that sum >= replicas - maxUnavailable.
import type { Condition, Deployment, ReplicaSet } from '../../../api/index.js';
import { scaledValue } from '../../../api/index.js';
import { newControllerRef } from '../shared/owner-refs.js';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, podTemplateHash, revisionOf, templatesEqual } from '../../../workloads/index.js';
import { timestamp as stamp } from '../shared/time.js';

export type DeploymentAction =
  | { readonly type: 'createReplicaSet'; readonly replicaSet: ReplicaSet }
  | { readonly type: 'scale'; readonly name: string; readonly replicas: number; readonly reason: string }
  | { readonly type: 'setRevision'; readonly name: string; readonly revision: number }
  | { readonly type: 'deleteReplicaSet'; readonly name: string };

export interface DeploymentPlan {
  readonly actions: DeploymentAction[];
  /** The Deployment's revision annotation to set ("" = leave as is). */
  readonly revision: string;
  readonly status: NonNullable<Deployment['status']>;
  /** Sync again after this long (the progress deadline). */
  readonly requeueAfterMs: number | undefined;
}

export interface DeploymentInput {
  readonly deployment: Deployment;
  /** The ReplicaSets the Deployment owns (claimed). */
  readonly replicaSets: readonly ReplicaSet[];
  /** Recreate: whether pods of old ReplicaSets are still active. */
  readonly oldPodsRunning: boolean;
  readonly nowMs: number;
}

/** maxSurge and maxUnavailable as pod counts (both 0 would deadlock: unavailable becomes 1). */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  if (d.spec.strategy.type !== 'RollingUpdate') return { surge: 0, unavailable: d.spec.replicas };
  const ru = d.spec.strategy.rollingUpdate ?? { maxSurge: '25%', maxUnavailable: '25%' };
  const surge = scaledValue(ru.maxSurge, d.spec.replicas, true);
  const unavailable = scaledValue(ru.maxUnavailable, d.spec.replicas, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable: Math.min(unavailable, d.spec.replicas) };
}

const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas;
/** Pods that may exist for rs (the larger of what it wants and what it last reported). */
const mayExist = (rs: ReplicaSet): number => Math.max(rs.spec.replicas, rs.status?.replicas ?? 0);
/** Available pods of rs that a scale-down of rs will not take away. */
const surelyAvailable = (rs: ReplicaSet): number => Math.min(rs.spec.replicas, rs.status?.availableReplicas ?? 0);
const sum = (xs: readonly ReplicaSet[], f: (rs: ReplicaSet) => number): number => xs.reduce((a, rs) => a + f(rs), 0);

/** The ReplicaSet a Deployment creates for its current template. */
export function newReplicaSetFor(d: Deployment, hash: string, replicas: number, revision: number): ReplicaSet {
  const tmpl = structuredClone(d.spec.template);
  const labels = { ...(tmpl.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const sel = d.spec.selector;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`,
      namespace: d.metadata.namespace,
      labels,
      annotations: { [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [newControllerRef(d)],
    },
    spec: {
      replicas,
      minReadySeconds: d.spec.minReadySeconds,
      selector: { ...sel, matchLabels: { ...(sel.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
      template: { ...tmpl, metadata: { ...tmpl.metadata, labels } },
    },
  } as ReplicaSet;
}

export function planDeployment(input: DeploymentInput): DeploymentPlan {
  const d = input.deployment;
  const actions: DeploymentAction[] = [];
  const all = [...input.replicaSets].sort((a, b) => revisionOf(a) - revisionOf(b));
  const current = all.find((rs) => templatesEqual(rs.spec.template, d.spec.template));
  const old = all.filter((rs) => rs !== current);
  const maxOldRevision = old.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
  const { surge, unavailable } = resolveFenceposts(d);
  const replicas = d.spec.replicas;
  const paused = d.spec.paused === true;
  let newRS = current;
  let revision = newRS === undefined ? 0 : revisionOf(newRS);
  let progressed = false;

  if (!paused && d.metadata.deletionTimestamp === undefined) {
    if (newRS === undefined) {
      // A new template: a new ReplicaSet at the next revision, as large as the surge allows now.
      const hash = podTemplateHash(d.spec.template, d.status?.collisionCount ?? 0);
      revision = maxOldRevision + 1;
      let size = 0;
      if (d.spec.strategy.type === 'RollingUpdate') size = Math.max(0, Math.min(replicas, replicas + surge - sum(old, mayExist)));
      else if (sum(old, mayExist) === 0 && !input.oldPodsRunning) size = replicas;
      newRS = newReplicaSetFor(d, hash, size, revision);
      actions.push({ type: 'createReplicaSet', replicaSet: newRS });
      progressed = true;
    } else {
      if (revision <= maxOldRevision) {
        // An old template is current again (rollback): it becomes the newest revision.
        revision = maxOldRevision + 1;
        actions.push({ type: 'setRevision', name: newRS.metadata.name ?? '', revision });
      }
      const steps = d.spec.strategy.type === 'Recreate' ? planRecreate(replicas, newRS, old, input.oldPodsRunning) : planRolling(replicas, surge, unavailable, newRS, old);
      if (steps.length > 0) progressed = true;
      actions.push(...steps);
    }
  } else if (paused) {
    // Paused: no rollout, but a replicas change still applies when there is nothing to roll.
    const active = all.filter((rs) => rs.spec.replicas > 0);
    const only = active.length === 1 ? active[0] : active.length === 0 ? newRS : undefined;
    if (only !== undefined && only.spec.replicas !== replicas) actions.push({ type: 'scale', name: only.metadata.name ?? '', replicas, reason: 'paused' });
  }

  // History: old ReplicaSets scaled to zero, oldest revisions first, beyond the limit.
  const idle = old.filter((rs) => rs.spec.replicas === 0 && (rs.status?.replicas ?? 0) === 0 && rs.metadata.deletionTimestamp === undefined);
  const excess = idle.length - d.spec.revisionHistoryLimit;
  for (const rs of idle.slice(0, Math.max(0, excess))) actions.push({ type: 'deleteReplicaSet', name: rs.metadata.name ?? '' });

  const status = computeStatus(d, newRS === current ? newRS : undefined, all, unavailable, progressed, input.nowMs);
  let requeueAfterMs: number | undefined;
  const prog = status.conditions?.find((c) => c.type === 'Progressing');
  if (prog?.status === 'True' && prog.reason !== 'NewReplicaSetAvailable' && !paused) {
    const since = Date.parse(prog.lastUpdateTime ?? '');
    if (!Number.isNaN(since)) requeueAfterMs = Math.max(100, since + d.spec.progressDeadlineSeconds * 1000 - input.nowMs + 1000);
  }
  return { actions, revision: revision > 0 ? String(revision) : '', status, requeueAfterMs };
}

function planRolling(replicas: number, surge: number, unavailable: number, newRS: ReplicaSet, old: readonly ReplicaSet[]): DeploymentAction[] {
  const name = newRS.metadata.name ?? '';
  const all = [newRS, ...old];
  // Scale up first; when it moved, wait for the next observation before scaling down.
  if (newRS.spec.replicas > replicas) return [{ type: 'scale', name, replicas, reason: 'scaled down to the deployment size' }];
  if (newRS.spec.replicas < replicas) {
    const room = replicas + surge - sum(all, mayExist);
    const up = Math.min(room, replicas - newRS.spec.replicas);
    if (up > 0) return [{ type: 'scale', name, replicas: newRS.spec.replicas + up, reason: 'rolling update' }];
  }
  const activeOld = old.filter((rs) => rs.spec.replicas > 0);
  if (activeOld.length === 0) return [];
  const minAvailable = replicas - unavailable;
  const newUnavailable = Math.max(0, newRS.spec.replicas - surelyAvailable(newRS));
  let budget = sum(all, specReplicas) - minAvailable - newUnavailable;
  if (budget <= 0) return [];
  const actions: DeploymentAction[] = [];
  const target = new Map<ReplicaSet, number>(activeOld.map((rs) => [rs, rs.spec.replicas]));
  // First the old pods that are not available anyway (scaling them away costs no availability).
  for (const rs of activeOld) {
    if (budget <= 0) break;
    const unhealthy = Math.max(0, rs.spec.replicas - surelyAvailable(rs));
    const cut = Math.min(unhealthy, budget);
    if (cut > 0) {
      target.set(rs, rs.spec.replicas - cut);
      budget -= cut;
    }
  }
  // Then available ones, oldest revision first, keeping minAvailable.
  let canRemove = Math.min(budget, sum(all, surelyAvailable) - minAvailable);
  for (const rs of activeOld) {
    if (canRemove <= 0) break;
    const t = target.get(rs) ?? 0;
    const cut = Math.min(t, canRemove);
    target.set(rs, t - cut);
    canRemove -= cut;
  }
  for (const [rs, t] of target) if (t !== rs.spec.replicas) actions.push({ type: 'scale', name: rs.metadata.name ?? '', replicas: t, reason: 'rolling update' });
  return actions;
}

function planRecreate(replicas: number, newRS: ReplicaSet, old: readonly ReplicaSet[], oldPodsRunning: boolean): DeploymentAction[] {
  const down = old.filter((rs) => rs.spec.replicas > 0).map((rs): DeploymentAction => ({ type: 'scale', name: rs.metadata.name ?? '', replicas: 0, reason: 'recreate' }));
  if (down.length > 0) return down;
  if (oldPodsRunning || sum(old, (rs) => rs.status?.replicas ?? 0) > 0) return [];
  return newRS.spec.replicas === replicas ? [] : [{ type: 'scale', name: newRS.metadata.name ?? '', replicas, reason: 'recreate' }];
}


function setCondition(conds: readonly Condition[], next: Condition, nowMs: number): Condition[] {
  const prev = conds.find((c) => c.type === next.type);
  const now = stamp(nowMs);
  const sameStatus = prev?.status === next.status;
  const merged: Condition = {
    ...next,
    lastTransitionTime: sameStatus ? (prev.lastTransitionTime ?? now) : now,
    lastUpdateTime: next.lastUpdateTime ?? (sameStatus && prev.reason === next.reason ? (prev.lastUpdateTime ?? now) : now),
  };
  return [...conds.filter((c) => c.type !== next.type), merged].sort((a, b) => a.type.localeCompare(b.type));
}

function computeStatus(d: Deployment, newRS: ReplicaSet | undefined, all: readonly ReplicaSet[], unavailable: number, progressed: boolean, nowMs: number): NonNullable<Deployment['status']> {
  const replicas = d.spec.replicas;
  const total = sum(all, (rs) => rs.status?.replicas ?? 0);
  const updated = newRS?.status?.replicas ?? 0;
  const ready = sum(all, (rs) => rs.status?.readyReplicas ?? 0);
  const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
  const prev = d.status ?? {};
  let conds: Condition[] = [...(prev.conditions ?? [])];
  const availableOk = available >= replicas - unavailable;
  conds = setCondition(conds, availableOk
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, nowMs);
  const name = newRS?.metadata.name ?? '';
  const complete = newRS !== undefined && updated === replicas && available >= replicas && total === replicas && newRS.spec.replicas === replicas;
  const prevProg = prev.conditions?.find((c) => c.type === 'Progressing');
  const changed = progressed || prev.updatedReplicas !== updated || prev.availableReplicas !== available || prev.readyReplicas !== ready || prev.replicas !== total;
  if (d.spec.paused === true) {
    conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, nowMs);
  } else if (complete) {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` }, nowMs);
  } else if (changed || prevProg === undefined || prevProg.reason === 'NewReplicaSetAvailable' || prevProg.reason === 'DeploymentPaused') {
    conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.`, lastUpdateTime: stamp(nowMs) }, nowMs);
  } else if (prevProg.status === 'True') {
    const since = Date.parse(prevProg.lastUpdateTime ?? prevProg.lastTransitionTime ?? '');
    if (!Number.isNaN(since) && since + d.spec.progressDeadlineSeconds * 1000 <= nowMs)
      conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` }, nowMs);
  }
  return {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: total,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicas - available),
    conditions: conds,
    ...(prev.collisionCount === undefined ? {} : { collisionCount: prev.collisionCount }),
  };
}
