// The resource types shoalctl knows, from the server's discovery (the source of truth) joined
// with api/'s KindDefinitions for table columns. Resolving a name the user typed ("po",
// "deploy", "deployments.apps", "Pod") is pure.
import type { TableColumn } from '../api/kind.js';
import { UnknownResourceError } from './errors.js';

export interface ResourceInfo {
  readonly resource: string; // "deployments"
  readonly singular: string; // "deployment"
  readonly kind: string; // "Deployment"
  readonly group: string; // "apps" ("" for core)
  readonly apiVersion: string; // "apps/v1"
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  /** Table columns from api/'s KindDefinition; absent for kinds this shoalctl does not know. */
  readonly columns?: readonly TableColumn[];
}

/** What the Discovery RPC returns per resource. */
export interface DiscoveredResource {
  readonly name: string;
  readonly singularName: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Joins discovery with the locally known columns (by resource name). */
export function resourcesFromDiscovery(
  discovered: readonly DiscoveredResource[],
  columnsFor: (resource: string) => readonly TableColumn[] | undefined,
): ResourceInfo[] {
  return discovered.map((d) => {
    const columns = columnsFor(d.name);
    return {
      resource: d.name,
      singular: d.singularName || d.kind.toLowerCase(),
      kind: d.kind,
      group: groupOf(d.apiVersion),
      apiVersion: d.apiVersion,
      namespaced: d.namespaced,
      shortNames: d.shortNames,
      verbs: d.verbs,
      ...(columns ? { columns } : {}),
    };
  });
}

/** "pod", "deployment.apps": the prefix of `pod/web`, `deployment.apps/web`. */
export function typeName(info: ResourceInfo): string {
  return info.group ? `${info.singular}.${info.group}` : info.singular;
}

/** Finds a resource by plural, singular, short name, kind or `plural.group`; throws UnknownResourceError. */
export function resolveResource(infos: readonly ResourceInfo[], typed: string): ResourceInfo {
  const name = typed.toLowerCase();
  const found = infos.find(
    (i) =>
      i.resource === name ||
      i.singular === name ||
      i.kind.toLowerCase() === name ||
      i.shortNames.includes(name) ||
      (i.group !== '' && (`${i.resource}.${i.group}` === name || `${i.singular}.${i.group}` === name)),
  );
  if (!found) throw new UnknownResourceError(typed);
  return found;
}

/** The resource of a manifest's apiVersion + kind. */
export function resourceForKind(infos: readonly ResourceInfo[], apiVersion: string, kind: string): ResourceInfo {
  const found = infos.find((i) => i.kind === kind && i.apiVersion === apiVersion) ?? infos.find((i) => i.kind === kind);
  if (!found) throw new UnknownResourceError(kind, `no matches for kind "${kind}" in version "${apiVersion}"`);
  return found;
}
