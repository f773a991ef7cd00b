// Records Events about objects, aggregating repeats: the same (object, type, reason, message)
// again bumps count and lastTimestamp of the existing Event instead of writing a new one.
// Writes are best effort and in order (one chain); a failure is logged, never thrown.
import type { Logger } from 'pino';
import type { KubeObject } from '../../../api/kind.js';
import type { Event } from '../../../api/index.js';
import type { Clock, ShoalClient } from '../../../client/index.js';
import { timestamp } from './time.js';

export const EventType = { Normal: 'Normal', Warning: 'Warning' } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface EventSink {
  event(object: KubeObject, type: EventType, reason: string, message: string): void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: string;
}

/** Remembered series at most (oldest forgotten first). */
const MAX_SERIES = 4096;

export class EventRecorder implements EventSink {
  private readonly series = new Map<string, Seen>();
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly deps: { readonly client: ShoalClient; readonly clock: Clock; readonly log: Logger; readonly component: string }) {}

  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    this.chain = this.chain.then(() => this.write(object, type, reason, message)).catch((e: unknown) => {
      this.deps.log.warn({ err: e, reason, object: object.metadata.name }, 'could not record event');
    });
  }

  /** Resolves when every event recorded so far was written (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const m = object.metadata;
    const namespace = m.namespace ?? 'default';
    const key = [m.uid ?? '', object.kind, namespace, m.name ?? '', type, reason, message].join('\u0000');
    const now = timestamp(this.deps.clock.now());
    const events = this.deps.client.resource<Event>('events', namespace);
    const seen = this.series.get(key);
    if (seen !== undefined) {
      seen.count++;
      try {
        await events.patch(seen.name, { count: seen.count, lastTimestamp: now });
        return;
      } catch {
        this.series.delete(key); // gone (e.g. expired): start a new series
      }
    }
    const name = `${m.name ?? 'unknown'}.${(this.deps.clock.now() * 1000 + (this.seq++ % 1000)).toString(16)}`;
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion },
      reason,
      message: message.slice(0, 1024),
      type,
      source: { component: this.deps.component },
      reportingComponent: this.deps.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    } as unknown as Event;
    await events.create(ev);
    if (this.series.size >= MAX_SERIES) {
      const oldest = this.series.keys().next();
      if (oldest.done !== true) this.series.delete(oldest.value);
    }
    this.series.set(key, { name, namespace, count: 1, first: now });
  }
}
