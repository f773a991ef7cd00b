// Which objects a list or watch selects: a label selector and a field selector (both parsed by
// api/selector), all of whose requirements must hold. A bad selector, or a field the kind does
// not index, is INVALID_ARGUMENT naming it.
import type { KindDefinition, KubeObject } from '../../../api/kind.js';
import { parseFieldSelector, parseLabelSelector } from '../../../api/index.js';
import { badRequest } from '../errors.js';

export type ObjectFilter = (object: KubeObject) => boolean;

export const everything: ObjectFilter = () => true;

/** The field labels a kind supports (those fieldLabels gives for a bare object). */
function fieldLabelNames(kind: KindDefinition): string[] {
  return Object.keys(kind.fieldLabels({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: {} }));
}

export function compileFilter(kind: KindDefinition, labelSelector: string, fieldSelector: string): { filter: ObjectFilter; selects: boolean } {
  const labels = parseLabelSelector(labelSelector);
  if (!labels.ok) throw badRequest(labels.error.message);
  const fields = parseFieldSelector(fieldSelector, fieldLabelNames(kind));
  if (!fields.ok) throw badRequest(fields.error.message);
  const l = labels.selector;
  const f = fields.selector;
  if (l.isEmpty() && f.isEmpty()) return { filter: everything, selects: false };
  return { filter: (o) => l.matches(o.metadata.labels) && (f.isEmpty() || f.matches(kind.fieldLabels(o))), selects: true };
}
