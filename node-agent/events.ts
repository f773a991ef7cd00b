// Events about pods ("Pulled", "Created", "Started", "Killing", "BackOff", "Unhealthy") and
// about this node ("Starting", "NodeReady", "NodeNotReady"): the story `shoalctl get events` tells. Recording never blocks or fails the caller: events go out
// in order from a bounded queue and a failed write is logged and dropped.
import { randomBytes } from 'node:crypto';
import type { Event, Pod } from '../api/index.js';
import type { Clock, ResourceClient, ShoalClient } from '../client/index.js';
import type { Logger } from './logger.js';
import { rfc3339 } from './time-format.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  /** `container` names the container the event is about (fieldPath spec.containers{name}). */
  record(pod: Pod, type: EventType, reason: string, message: string, container?: string): void;
  /** An event about this agent's own Node (kept in the default namespace, as the kubelet does). */
  recordNode(type: EventType, reason: string, message: string): void;
}

/** Collects events in memory (tests, simulated nodes). */
export class MemoryEventSink implements EventSink {
  readonly events: { pod: string; type: EventType; reason: string; message: string; container?: string }[] = [];
  readonly nodeEvents: { type: EventType; reason: string; message: string }[] = [];
  record(pod: Pod, type: EventType, reason: string, message: string, container?: string): void {
    this.events.push({ pod: pod.metadata.name ?? '', type, reason, message, ...(container ? { container } : {}) });
  }
  recordNode(type: EventType, reason: string, message: string): void {
    this.nodeEvents.push({ type, reason, message });
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

const MAX_QUEUE = 1000;

export class ApiEventSink implements EventSink {
  private readonly queue: Event[] = [];
  private flushing: Promise<void> | undefined;
  private dropped = 0;

  constructor(
    private readonly client: ShoalClient,
    private readonly nodeName: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  record(pod: Pod, type: EventType, reason: string, message: string, container?: string): void {
    const ns = pod.metadata.namespace ?? 'default';
    this.enqueue(ns, `${pod.metadata.name ?? 'pod'}`, {
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: ns,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      ...(container ? { fieldPath: `spec.containers{${container}}` } : {}),
    }, type, reason, message);
  }

  recordNode(type: EventType, reason: string, message: string): void {
    // The kubelet's convention: a Node's uid in its events is its name.
    this.enqueue('default', this.nodeName, { kind: 'Node', name: this.nodeName, uid: this.nodeName }, type, reason, message);
  }

  private enqueue(ns: string, objectName: string, involvedObject: Record<string, unknown>, type: EventType, reason: string, message: string): void {
    const now = rfc3339(this.clock.now());
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${objectName}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject,
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: 'shoal-agent', host: this.nodeName },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: 'shoal-agent',
      reportingInstance: this.nodeName,
    } as unknown as Event;
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(event);
    this.flushing ??= this.flush().finally(() => {
      this.flushing = undefined;
    });
  }

  /** Resolves when every queued event was written or dropped. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Drops what is still queued (offline, that could be minutes of timeouts) and ends the write in flight. */
  async close(): Promise<void> {
    this.dropped += this.queue.length;
    this.queue.length = 0;
    await this.flushing;
  }

  private async flush(): Promise<void> {
    const events: ResourceClient<Event> = this.client.resource<Event>('events', '');
    for (let e = this.queue.shift(); e; e = this.queue.shift()) {
      try {
        await events.create(e, { namespace: e.metadata.namespace, timeoutMs: 5_000 });
      } catch (err) {
        this.dropped++;
        this.log.debug({ err: (err as Error).message, reason: e.reason }, 'event not written');
      }
    }
  }
}
