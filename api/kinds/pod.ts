// Pod (v1): the unit the scheduler places and the agent runs. Its spec is immutable after
// creation except container images, activeDeadlineSeconds (shortened only) and tolerations
// (additions only); nodeName is set once, through the binding subresource.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import type { FieldError } from '../kind.js';
import { podSpecSchema, type PodSpec } from '../schemas/pod-spec.js';
import { podStatusSchema, type ContainerStatus } from '../schemas/pod-status.js';
import { forbiddenUpdate, jsonEqual } from '../schemas/update-rules.js';
import { age } from '../table/age.js';
import { ageColumn, column, nameColumn, orNone } from '../table/cells.js';

export const podSchema = kindSchema(
  { apiVersion: 'v1', kind: 'Pod', namespaced: true },
  { spec: podSpecSchema(), status: podStatusSchema.extend({ phase: podStatusSchema.shape.phase.unwrap().default('Pending') }).prefault({}) },
);

export type Pod = z.output<typeof podSchema>;
export type PodInput = z.input<typeof podSchema>;


const MUTABLE_FIELDS =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)';

/** The spec with the fields an update may change blanked out. */
function frozenPart(s: PodSpec): unknown {
  const noImage = (cs: PodSpec['containers'] | undefined) => cs?.map((c) => ({ ...c, image: '' }));
  return { ...s, containers: noImage(s.containers), initContainers: noImage(s.initContainers), activeDeadlineSeconds: undefined, tolerations: undefined };
}

export function validatePodUpdate(next: Pod, old: Pod): FieldError[] {
  const errors: FieldError[] = [];
  if (!jsonEqual(frozenPart(next.spec), frozenPart(old.spec))) errors.push(forbiddenUpdate(['spec'], MUTABLE_FIELDS));
  const [n, o] = [next.spec.activeDeadlineSeconds, old.spec.activeDeadlineSeconds];
  if (o !== undefined && n === undefined)
    errors.push({ field: 'spec.activeDeadlineSeconds', type: 'FieldValueInvalid', detail: 'Invalid value: "null": must not update from a positive integer to nil value' });
  else if (o !== undefined && n !== undefined && n > o)
    errors.push({ field: 'spec.activeDeadlineSeconds', type: 'FieldValueInvalid', detail: `Invalid value: ${n}: must be less than or equal to previous value` });
  for (const t of old.spec.tolerations ?? [])
    if (!(next.spec.tolerations ?? []).some((x) => jsonEqual(x, t))) {
      errors.push(forbiddenUpdate(['spec', 'tolerations'], 'existing toleration can not be modified or removed'));
      break;
    }
  return errors;
}

const terminal = (phase: string | undefined): boolean => phase === 'Succeeded' || phase === 'Failed';

function lastFinished(statuses: readonly ContainerStatus[]): string | undefined {
  let last: string | undefined;
  for (const c of statuses) {
    const f = c.lastState?.terminated?.finishedAt;
    if (f && (!last || Date.parse(f) > Date.parse(last))) last = f;
  }
  return last;
}

/** kubectl's STATUS, READY and RESTARTS of a pod (printPod). */
export function podSummary(p: Pod, now: Date): { ready: string; status: string; restarts: string } {
  const st = p.status;
  const inits = st.initContainerStatuses ?? [];
  const cs = st.containerStatuses ?? [];
  let reason: string = st.reason || st.phase || '';
  let restarts = 0;
  let readyCount = 0;
  let initializing = false;
  for (const [i, c] of inits.entries()) {
    restarts += c.restartCount;
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (term) reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (wait?.reason && wait.reason !== 'PodInitializing') reason = `Init:${wait.reason}`;
    else reason = `Init:${i}/${p.spec.initContainers?.length ?? inits.length}`;
    initializing = true;
    break;
  }
  const initialized = (st.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = 0;
    let hasRunning = false;
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      restarts += c.restartCount;
      const term = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (p.metadata.deletionTimestamp && st.reason === 'NodeLost') reason = 'Unknown';
  else if (p.metadata.deletionTimestamp && !terminal(st.phase)) reason = 'Terminating';
  const last = lastFinished([...inits, ...cs]);
  const restartText = restarts !== 0 && last ? `${restarts} (${age(last, now)} ago)` : String(restarts);
  return { ready: `${readyCount}/${p.spec.containers.length}`, status: reason, restarts: restartText };
}

export const podKind = defineKind<Pod>({
  kind: 'Pod',
  apiVersion: 'v1',
  resource: 'pods',
  shortNames: ['po'],
  namespaced: true,
  hasStatus: true,
  schema: podSchema,
  validateUpdate: validatePodUpdate,
  fieldLabels: (p) => ({
    'spec.nodeName': p.spec?.nodeName ?? '',
    'spec.restartPolicy': p.spec?.restartPolicy ?? '',
    'spec.schedulerName': p.spec?.schedulerName ?? '',
    'spec.serviceAccountName': p.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(p.spec?.hostNetwork ?? false),
    'status.phase': p.status?.phase ?? '',
    'status.podIP': p.status?.podIP ?? '',
    'status.nominatedNodeName': p.status?.nominatedNodeName ?? '',
  }),
  columns: [
    nameColumn,
    column<Pod>('READY', (p, now) => podSummary(p, now).ready),
    column<Pod>('STATUS', (p, now) => podSummary(p, now).status),
    column<Pod>('RESTARTS', (p, now) => podSummary(p, now).restarts),
    ageColumn,
    column<Pod>('IP', (p) => orNone(p.status.podIP), true),
    column<Pod>('NODE', (p) => orNone(p.spec.nodeName), true),
  ],
});
