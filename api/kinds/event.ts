// Event (v1): what happened to an object (`Scheduled`, `Pulled`, `BackOff`, ...), written by
// controllers, the scheduler and agents; `get events --watch` tells a Deployment's story.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { crossCheck, int32, invalid, obj, oneOf, timestamp } from '../schemas/kit.js';
import { objectReferenceSchema } from '../schemas/object-reference.js';
import { age } from '../table/age.js';
import { column } from '../table/cells.js';

export const EVENT_TYPES = ['Normal', 'Warning'] as const;

export const eventSchema = crossCheck(
  kindSchema(
    { apiVersion: 'v1', kind: 'Event', namespaced: true },
    {
      involvedObject: objectReferenceSchema,
      reason: z.string().optional(),
      message: z.string().optional(),
      source: obj({ component: z.string().optional(), host: z.string().optional() }).optional(),
      firstTimestamp: timestamp().optional(),
      lastTimestamp: timestamp().optional(),
      count: int32(0).optional(),
      type: oneOf(EVENT_TYPES).optional(),
      eventTime: timestamp().optional(),
      series: obj({ count: int32(0).optional(), lastObservedTime: timestamp().optional() }).optional(),
      action: z.string().optional(),
      related: objectReferenceSchema.optional(),
      reportingComponent: z.string().optional(),
      reportingInstance: z.string().optional(),
    },
  ),
  ['metadata.namespace', 'involvedObject', 'message'],
  (e, ctx) => {
    const ns = e.involvedObject.namespace;
    // An event about a namespaced object lives in that object's namespace.
    if (ns && e.metadata.namespace && ns !== e.metadata.namespace)
      invalid(ctx, ['involvedObject', 'namespace'], ns, 'does not match event.namespace');
    if ((e.message?.length ?? 0) > 1024) invalid(ctx, ['message'], '<message omitted>', 'must be no more than 1024 characters');
  },
);

export type Event = z.output<typeof eventSchema>;
export type EventInput = z.input<typeof eventSchema>;

const firstSeen = (e: Event, now: Date): string => age(e.firstTimestamp ?? e.eventTime, now);
const lastSeen = (e: Event, now: Date): string =>
  e.series?.lastObservedTime ? age(e.series.lastObservedTime, now) : e.lastTimestamp ? age(e.lastTimestamp, now) : firstSeen(e, now);

/** `pod/web-1`, as kubectl's OBJECT column. */
export const eventObjectText = (e: Event): string => {
  const kind = (e.involvedObject.kind ?? '').toLowerCase();
  return e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
};

export const eventKind = defineKind<Event>({
  kind: 'Event',
  apiVersion: 'v1',
  resource: 'events',
  shortNames: ['ev'],
  namespaced: true,
  hasStatus: false,
  schema: eventSchema,
  fieldLabels: (e) => ({
    'involvedObject.kind': e.involvedObject?.kind ?? '',
    'involvedObject.namespace': e.involvedObject?.namespace ?? '',
    'involvedObject.name': e.involvedObject?.name ?? '',
    'involvedObject.uid': e.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': e.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': e.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': e.involvedObject?.fieldPath ?? '',
    reason: e.reason ?? '',
    reportingComponent: e.reportingComponent ?? '',
    source: e.source?.component ?? e.reportingComponent ?? '',
    type: e.type ?? '',
  }),
  columns: [
    column<Event>('LAST SEEN', lastSeen),
    column<Event>('TYPE', (e) => e.type ?? ''),
    column<Event>('REASON', (e) => e.reason ?? ''),
    column<Event>('OBJECT', eventObjectText),
    column<Event>('MESSAGE', (e) => (e.message ?? '').trim()),
    column<Event>('SUBOBJECT', (e) => e.involvedObject.fieldPath ?? '', true),
    column<Event>('SOURCE', (e) => [e.source?.component ?? e.reportingComponent, e.source?.host ?? e.reportingInstance].filter(Boolean).join(', '), true),
    column<Event>('FIRST SEEN', firstSeen, true),
    column<Event>('COUNT', (e) => String(e.series?.count ?? e.count ?? 1), true),
    column<Event>('NAME', (e) => e.metadata.name ?? '', true),
  ],
});
