// Which objects a list or watch selects: a label selector and a field selector (both parsed by
// api/selector), all of whose requirements must hold. A bad selector, or a field the kind does
// not index, is INVALID_ARGUMENT naming it.
import type { KindDefinition, KubeObject } from '../../../api/kind.js';
import { parseLabelSelector } from '../../../api/index.js';
import { badRequest } from '../errors.js';

export type ObjectFilter = (object: KubeObject) => boolean;

export const everything: ObjectFilter = () => true;

export function compileFilter(kind: KindDefinition, labelSelector: string, fieldSelector: string): { filter: ObjectFilter; selects: boolean } {
  const labels = parseLabelSelector(labelSelector);
  if (!labels.ok) throw badRequest(labels.error.message);
  const fields = parseFieldSelector(kind, fieldSelector);
  if (labels.selector.isEmpty() && fields.length === 0) return { filter: everything, selects: false };
  const filter: ObjectFilter = (o) => {
    if (!labels.selector.matches(o.metadata.labels)) return false;
    if (fields.length === 0) return true;
    const values = kind.fieldLabels(o);
    return fields.every((f) => ((values[f.field] ?? '') === f.value) === f.equal);
  };
  return { filter, selects: true };
}

interface FieldRequirement {
  readonly field: string;
  readonly value: string;
  readonly equal: boolean;
}

/** `a=b`, `a==b`, `a!=b`, comma-joined, as Kubernetes' field selectors. */
function parseFieldSelector(kind: KindDefinition, text: string): FieldRequirement[] {
  if (text.trim() === '') return [];
  const supported = Object.keys(kind.fieldLabels({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: {} }));
  return text.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9_.\-[\]]+)\s*(==|!=|=)\s*([^,=!]*?)\s*$/.exec(part);
    if (m === null) throw badRequest(`invalid field selector ${JSON.stringify(text)}: "${part}" is not field=value, field==value or field!=value`);
    const field = m[1]!;
    if (!supported.includes(field)) {
      throw badRequest(`field label not supported: "${field}" (${kind.resource} support: ${supported.join(', ')})`);
    }
    return { field, value: m[3]!, equal: m[2] !== '!=' };
  });
}
