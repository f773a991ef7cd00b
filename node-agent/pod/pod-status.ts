// A pod's status from what the runtime shows and what the worker knows (probe results, why a
// container waits). Pure: the same observations give the same status, so the worker writes only
// when something really changed. Phase follows the kubelet's rules (getPhase).
import type { Condition, ContainerStatus, Pod, PodPhase, PodStatus } from '../../api/index.js';
import { ContainerStateKind } from '../runtime/index.js';
import type { ContainerInfo } from '../runtime/index.js';
import { rfc3339 } from '../time-format.js';

export const WaitingReason = {
  ContainerCreating: 'ContainerCreating',
  PodInitializing: 'PodInitializing',
  CrashLoopBackOff: 'CrashLoopBackOff',
  ImagePullBackOff: 'ImagePullBackOff',
  ErrImagePull: 'ErrImagePull',
  ErrImageNeverPull: 'ErrImageNeverPull',
  CreateContainerConfigError: 'CreateContainerConfigError',
  CreateContainerError: 'CreateContainerError',
} as const;
export type WaitingReason = (typeof WaitingReason)[keyof typeof WaitingReason];

export interface ContainerObservation {
  readonly name: string;
  /** The newest instance of the container, if any. */
  readonly current?: ContainerInfo;
  /** The instance before it (its end is `lastState`). */
  readonly previous?: ContainerInfo;
  readonly restartCount: number;
  /** Why the container is not running now, when the worker knows better than the runtime. */
  readonly waiting?: { readonly reason: WaitingReason; readonly message?: string };
  readonly ready: boolean;
  readonly started: boolean;
}

export interface StatusInput {
  readonly pod: Pod;
  readonly init: readonly ContainerObservation[];
  readonly app: readonly ContainerObservation[];
  readonly hostIP: string;
  readonly now: number;
}

const isExited = (c: ContainerInfo | undefined): c is ContainerInfo => c?.state === ContainerStateKind.Exited;

export function terminatedReason(c: ContainerInfo): string {
  if (c.oomKilled) return 'OOMKilled';
  return c.exitCode === 0 ? 'Completed' : 'Error';
}

function terminated(c: ContainerInfo): NonNullable<ContainerStatus['state']> {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: terminatedReason(c),
      ...(c.error ? { message: c.error } : {}),
      ...(c.startedAt !== undefined ? { startedAt: rfc3339(c.startedAt) } : {}),
      ...(c.finishedAt !== undefined ? { finishedAt: rfc3339(c.finishedAt) } : {}),
      containerID: `docker://${c.id}`,
    },
  };
}

function containerStatus(o: ContainerObservation, defaultWaiting: WaitingReason): ContainerStatus {
  const c = o.current;
  let state: ContainerStatus['state'];
  let lastState: ContainerStatus['lastState'] = o.previous && isExited(o.previous) ? terminated(o.previous) : {};
  const waiting = (reason: string, message?: string) => ({ waiting: { reason, ...(message ? { message } : {}) } });
  if (c === undefined) state = waiting(o.waiting?.reason ?? defaultWaiting, o.waiting?.message);
  else if (c.state === ContainerStateKind.Running) state = { running: { ...(c.startedAt !== undefined ? { startedAt: rfc3339(c.startedAt) } : {}) } };
  else if (c.state === ContainerStateKind.Created) state = waiting(o.waiting?.reason ?? WaitingReason.ContainerCreating, o.waiting?.message);
  else if (o.waiting) {
    // Exited and about to run again: the exit is the last state.
    state = waiting(o.waiting.reason, o.waiting.message);
    lastState = terminated(c);
  } else state = terminated(c);
  return {
    name: o.name,
    state,
    lastState,
    ready: o.ready && c?.state === ContainerStateKind.Running,
    restartCount: o.restartCount,
    image: c?.image ?? '',
    imageID: c?.imageId ?? '',
    ...(c ? { containerID: `docker://${c.id}` } : {}),
    started: o.started && c?.state === ContainerStateKind.Running,
  };
}

/** Init containers all done (each exited 0). */
export function initialized(init: readonly ContainerObservation[]): boolean {
  return init.every((o) => isExited(o.current) && o.current.exitCode === 0);
}

/** An init container failed for good (exit != 0 and restartPolicy Never). */
export function initFailed(pod: Pod, init: readonly ContainerObservation[]): boolean {
  return pod.spec.restartPolicy === 'Never' && init.some((o) => isExited(o.current) && o.current.exitCode !== 0);
}

export function podPhase(pod: Pod, init: readonly ContainerObservation[], app: readonly ContainerObservation[]): PodPhase {
  if (initFailed(pod, init)) return 'Failed';
  if (!initialized(init)) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const o of app) {
    const c = o.current;
    if (c?.state === ContainerStateKind.Running) running++;
    else if (isExited(c)) {
      stopped++;
      if (c.exitCode === 0) succeeded++;
    } else if (o.restartCount > 0) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (pod.spec.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (pod.spec.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, now: number, prev: readonly Condition[] | undefined, reason?: string): Condition {
  const status = ok ? 'True' : 'False';
  const before = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    ...(reason && !ok ? { reason } : {}),
    lastTransitionTime: before && before.status === status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(now),
  };
}

export function computePodStatus(i: StatusInput): PodStatus {
  const prev = i.pod.status;
  const phase = podPhase(i.pod, i.init, i.app);
  const init = initialized(i.init);
  const initStatuses = i.init.map((o) => containerStatus(o, WaitingReason.PodInitializing));
  const appStatuses = i.app.map((o) => containerStatus(o, init ? WaitingReason.ContainerCreating : WaitingReason.PodInitializing));
  const done = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = !done && appStatuses.every((s) => s.ready);
  const notReadyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const runningIp = i.app.find((o) => o.current?.state === ContainerStateKind.Running && o.current.ip)?.current?.ip;
  const podIP = runningIp ?? prev?.podIP;
  const conditions: Condition[] = [
    condition('Initialized', init, i.now, prev?.conditions, done ? 'PodCompleted' : 'ContainersNotInitialized'),
    condition('Ready', containersReady, i.now, prev?.conditions, notReadyReason),
    condition('ContainersReady', containersReady, i.now, prev?.conditions, notReadyReason),
    condition('PodScheduled', true, i.now, prev?.conditions),
  ];
  return {
    phase,
    conditions,
    hostIP: i.hostIP,
    hostIPs: i.hostIP ? [{ ip: i.hostIP }] : [],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: prev?.startTime ?? rfc3339(i.now),
    ...(i.init.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
  };
}
