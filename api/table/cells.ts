// Cell texts shared by several kinds' tables.
import type { TableColumn, KubeObject } from '../kind.js';
import { age } from './age.js';
import { labelSelectorFromMap, labelSelectorFromObject } from '../selector/label-selector.js';
import type { LabelSelectorObject } from '../schemas/label-selector.js';

/** A column over a kind's own type (objects handed to tables are validated objects of that kind). */
export function column<T>(name: string, cell: (object: T, now: Date) => string, wide?: boolean): TableColumn {
  const c = { name, cell: cell as unknown as (object: KubeObject, now: Date) => string };
  return wide ? { ...c, wide } : c;
}

export const nameColumn = column<KubeObject>('NAME', (o) => o.metadata.name ?? '');
export const ageColumn = column<KubeObject>('AGE', (o, now) => age(o.metadata.creationTimestamp, now));
/** kubectl's CREATED AT for RBAC roles and LimitRanges. */
export const createdAtColumn = column<KubeObject>('CREATED AT', (o) => o.metadata.creationTimestamp ?? '<unknown>');

export const orNone = (s: string | undefined): string => (s === undefined || s === '' ? '<none>' : s);

export const selectorText = (s: LabelSelectorObject | undefined): string => orNone(labelSelectorFromObject(s).toString());
export const mapSelectorText = (m: Readonly<Record<string, string>> | undefined): string => orNone(labelSelectorFromMap(m).toString());

interface HasTemplate {
  spec: { template: { spec: { containers: readonly { name: string; image: string }[] } } };
}

/** -o wide's CONTAINERS and IMAGES of a workload. */
export const containersColumn = column<HasTemplate>('CONTAINERS', (o) => o.spec.template.spec.containers.map((c) => c.name).join(','), true);
export const imagesColumn = column<HasTemplate>('IMAGES', (o) => o.spec.template.spec.containers.map((c) => c.image).join(','), true);

export const num = (n: number | undefined): string => String(n ?? 0);
