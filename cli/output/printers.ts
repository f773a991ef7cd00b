// -o json|yaml|name printers. A single object prints as itself; several as a kubectl-style List.
import { stringify } from 'yaml';
import type { KubeObject } from '../../api/kind.js';

export function asList(objects: readonly KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: objects };
}

/** JSON with kubectl's four-space indent. */
export function printJson(objects: readonly KubeObject[], single: boolean): string {
  return JSON.stringify(single && objects.length === 1 ? objects[0] : asList(objects), null, 4) + '\n';
}

export function printYaml(objects: readonly KubeObject[], single: boolean): string {
  return toYaml(single && objects.length === 1 ? objects[0] : asList(objects));
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** `pod/web`, `deployment.apps/web`. */
export function printNames(objects: readonly KubeObject[], typeNameOf: (o: KubeObject) => string): string {
  return objects.map((o) => `${typeNameOf(o)}/${o.metadata.name ?? ''}\n`).join('');
}
