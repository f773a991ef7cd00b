// `shoalctl get`'s table for one resource type: the KindDefinition's columns (NAME first; `wide`
// ones only with -o wide), NAMESPACE in front with -A for namespaced kinds, and `type/name`
// names when several types print together.
import type { KubeObject, TableColumn } from '../../api/kind.js';
import type { ResourceInfo } from '../resources.js';
import { age as formatAge } from '../../api/index.js';
import type { Table } from './table.js';

export interface GetTableOptions {
  readonly wide: boolean;
  readonly allNamespaces: boolean;
  readonly now: Date;
  /** "pod" → NAME cells print as `pod/web` (kubectl does this when several types print). */
  readonly namePrefix?: string;
  /** --show-labels: a LABELS column at the end. */
  readonly showLabels?: boolean;
}

/** For kinds without a definition here: NAME and AGE, as kubectl does for unknown kinds. */
export const DEFAULT_COLUMNS: readonly TableColumn[] = [
  { name: 'NAME', cell: (o) => o.metadata.name ?? '' },
  { name: 'AGE', cell: (o, now) => formatAge(o.metadata.creationTimestamp, now) },
];

export function visibleColumns(info: ResourceInfo, wide: boolean): readonly TableColumn[] {
  return (info.columns ?? DEFAULT_COLUMNS).filter((c) => wide || !c.wide);
}

export function getTable(info: ResourceInfo, objects: readonly KubeObject[], options: GetTableOptions): Table {
  const columns = visibleColumns(info, options.wide);
  const withNamespace = options.allNamespaces && info.namespaced;
  const headers = [...(withNamespace ? ['NAMESPACE'] : []), ...columns.map((c) => c.name), ...(options.showLabels ? ['LABELS'] : [])];
  return { headers, rows: objects.map((o) => getRow(info, o, options)) };
}

export function getRow(info: ResourceInfo, object: KubeObject, options: GetTableOptions): string[] {
  const columns = visibleColumns(info, options.wide);
  const cells = columns.map((c, i) => {
    const text = cleanCell(safeCell(c, object, options.now));
    return i === 0 && options.namePrefix ? `${options.namePrefix}/${text}` : text;
  });
  if (options.showLabels) cells.push(labelsCell(object.metadata.labels));
  return options.allNamespaces && info.namespaced ? [object.metadata.namespace ?? '', ...cells] : cells;
}

function labelsCell(labels: Readonly<Record<string, string>> | undefined): string {
  const text = Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return text === '' ? '<none>' : text;
}

/** A cell that cannot read an odd object prints <unknown> instead of failing the whole table. */
function safeCell(column: TableColumn, object: KubeObject, now: Date): string {
  try {
    return column.cell(object, now);
  } catch {
    return '<unknown>';
  }
}

/** Tables are one line per object: no newlines or tabs in a cell; empty cells print as <none>. */
function cleanCell(text: string): string {
  const flat = text.replace(/[\t\r\n]+/g, ' ');
  return flat === '' ? '<none>' : flat;
}

/** "No resources found in default namespace." as kubectl says it (on stderr). */
export function noResourcesMessage(namespace: string | undefined): string {
  return namespace ? `No resources found in ${namespace} namespace.` : 'No resources found';
}
