// What a user sees when a pod cannot be placed: one Warning event (reason FailedScheduling, the
// cycle's message) and the pod's PodScheduled=False condition (reason Unschedulable). The same
// message for the same pod is written once, not on every retry.
import type { Logger } from 'pino';
import type { Event, Pod } from '../../api/index.js';
import type { Clock, Rng, ShoalClient } from '../../client/index.js';
import { isNotFound } from '../../client/index.js';

export const FAILED_SCHEDULING = 'FailedScheduling';
export const UNSCHEDULABLE = 'Unschedulable';
export const SCHEDULED = 'Scheduled';

/** An event name as Kubernetes makes them: "<object>.<hex time>", with RNG bits against collisions. */
export function eventName(object: string, nowMs: number, rng: Rng): string {
  return `${object}.${Math.floor(nowMs * 1000).toString(16)}${Math.floor(rng() * 0xfff).toString(16).padStart(3, '0')}`;
}

export function podEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, component: string, nowMs: number, rng: Rng): Event {
  const ts = new Date(nowMs).toISOString();
  const name = pod.metadata.name ?? '';
  const namespace = pod.metadata.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(name, nowMs, rng), namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
    reason,
    message,
    type,
    source: { component },
    reportingComponent: component,
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
  } as Event;
}

/** The pod's conditions with PodScheduled replaced. */
export function withPodScheduledFalse(pod: Pod, message: string, nowMs: number): Pod['status']['conditions'] {
  const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  return [...others, { type: 'PodScheduled', status: 'False', reason: UNSCHEDULABLE, message, lastTransitionTime: new Date(nowMs).toISOString() }];
}

export class FailureRecorder {
  /** pod uid (or key) → last message recorded. */
  private readonly last = new Map<string, string>();
  /** pod id → its writes in flight (a bind waits for them, so a late PodScheduled=False never lands after the binding). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly client: ShoalClient,
    private readonly clock: Clock,
    private readonly rng: Rng,
    private readonly log: Logger,
    private readonly component: string,
  ) {}

  /** Writes the event and the condition unless this message was already recorded for the pod. */
  record(pod: Pod, message: string): Promise<void> {
    const id = idOf(pod);
    const p = (this.inFlight.get(id) ?? Promise.resolve()).then(() => this.write(pod, id, message))
      .catch((err: unknown) => this.log.warn({ err, pod: id }, 'recording the scheduling failure failed'));
    this.inFlight.set(id, p);
    void p.finally(() => {
      if (this.inFlight.get(id) === p) this.inFlight.delete(id);
    });
    return p;
  }

  /** Resolves when no failure write for this pod is in flight. */
  settled(pod: Pod): Promise<void> {
    return this.inFlight.get(idOf(pod)) ?? Promise.resolve();
  }

  private async write(pod: Pod, id: string, message: string): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (this.last.get(id) === message) return;
    this.last.set(id, message);
    const now = this.clock.now();
    const ns = pod.metadata.namespace ?? 'default';
    const events = this.client.resource<Event>('events', ns);
    const pods = this.client.resource<Pod>('pods', ns);
    const writes: Promise<unknown>[] = [events.create(podEvent(pod, 'Warning', FAILED_SCHEDULING, message, this.component, now, this.rng))];
    // The condition already says so (e.g. after a scheduler restart): leave it alone.
    if (!(current?.status === 'False' && current.reason === UNSCHEDULABLE && current.message === message))
      writes.push(pods.patchStatus(pod.metadata.name ?? '', { status: { conditions: withPodScheduledFalse(pod, message, now) } }));
    const results = await Promise.allSettled(writes);
    for (const r of results)
      if (r.status === 'rejected' && !isNotFound(r.reason)) {
        this.last.delete(id); // try again on the next failure
        this.log.warn({ err: r.reason, pod: `${ns}/${pod.metadata.name}` }, 'recording the scheduling failure failed');
      }
  }

  /** The pod was bound or deleted: forget what was said about it. */
  clear(pod: Pod): void {
    this.last.delete(idOf(pod));
  }
}

const idOf = (pod: Pod): string => pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
