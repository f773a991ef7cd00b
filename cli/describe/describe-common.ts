// Parts every describe shares: the metadata header, the Events table and a generic dump of the
// remaining top-level fields for kinds without their own describer.
import type { KubeObject } from '../../api/kind.js';
import { LAST_APPLIED } from '../apply/plan.js';
import { age as formatAge } from '../../api/index.js';
import { toYaml } from '../output/printers.js';
import type { DescribeWriter } from './describe-writer.js';
import { arr, rec, str } from './fields.js';

/** `key=value` one per line, or <none>. */
export function mapLines(map: unknown, hide: readonly string[] = []): string {
  const entries = Object.entries(rec(map)).filter(([k]) => !hide.includes(k));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${str(v)}`).join('\n');
}

export function writeMetadata(w: DescribeWriter, object: KubeObject, namespaced: boolean): void {
  const m = object.metadata;
  w.pair(0, 'Name', m.name ?? '');
  if (namespaced) w.pair(0, 'Namespace', m.namespace ?? '');
  w.pair(0, 'Labels', mapLines(m.labels));
  // The last applied configuration is a copy of the file; kubectl hides it too.
  w.pair(0, 'Annotations', mapLines(m.annotations, [LAST_APPLIED]));
  if (m.creationTimestamp) w.pair(0, 'CreationTimestamp', m.creationTimestamp);
  if (m.deletionTimestamp) w.pair(0, 'DeletionTimestamp', m.deletionTimestamp);
  const controller = (m.ownerReferences ?? []).find((r) => r.controller);
  if (controller) w.pair(0, 'Controlled By', `${controller.kind}/${controller.name}`);
}

/** Events newest last, kubectl's columns; Age shows "(xN over M)" for repeated events. */
export function writeEvents(w: DescribeWriter, events: readonly KubeObject[] | undefined, now: Date): void {
  if (events === undefined) return;
  const last = (e: KubeObject): string => str(e.lastTimestamp) || str(e.eventTime) || (e.metadata.creationTimestamp ?? '');
  const sorted = [...events].sort((a, b) => last(a).localeCompare(last(b)));
  const rows = sorted.map((e) => {
    const count = typeof e.count === 'number' ? e.count : 1;
    const first = str(e.firstTimestamp) || last(e);
    const age = count > 1 ? `${formatAge(last(e), now)} (x${count} over ${formatAge(first, now)})` : formatAge(last(e), now);
    const from = str(rec(e.source).component) || str(e.reportingComponent);
    return [str(e.type), str(e.reason), age, from, str(e.message)];
  });
  w.table(0, 'Events', ['Type', 'Reason', 'Age', 'From', 'Message'], rows);
}

/** "Spec", "Status", "Data"... as headed YAML blocks; kinds without a describer use this. */
export function writeGeneric(w: DescribeWriter, object: KubeObject): void {
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    const title = key.charAt(0).toUpperCase() + key.slice(1);
    if (value === null || typeof value !== 'object') {
      w.pair(0, title, str(value));
      continue;
    }
    if ((Array.isArray(value) && value.length === 0) || Object.keys(value).length === 0) {
      w.pair(0, title, '<none>');
      continue;
    }
    w.section(0, title);
    w.text(1, toYaml(value).trimEnd());
  }
}

/** `Type  Status` rows of a conditions list. */
export function conditionRows(conditions: unknown, extra: readonly string[] = []): string[][] {
  return arr(conditions).map((c) => {
    const r = rec(c);
    return [str(r.type), str(r.status), ...extra.map((k) => str(r[k]))];
  });
}
