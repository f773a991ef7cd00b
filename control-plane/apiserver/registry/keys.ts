// Where objects live in the store: /registry/<resource>/<namespace>/<name>, cluster-scoped
// objects at /registry/<resource>/<name> (the layout Kubernetes uses, readable with etcdctl).
// Prefixes always end in "/" so "pods" never matches "podtemplates"; a name or namespace can
// never reach outside its prefix (checkSegment).
import { badRequest } from '../errors.js';
export const REGISTRY_ROOT = '/registry/';

export function objectKey(resource: string, namespace: string, name: string, namespaced: boolean): string {
  return namespaced ? `${REGISTRY_ROOT}${resource}/${namespace}/${name}` : `${REGISTRY_ROOT}${resource}/${name}`;
}

/** Prefix of a resource's objects: one namespace, or all namespaces when namespace is "". */
export function listPrefix(resource: string, namespace: string, namespaced: boolean): string {
  return namespaced && namespace !== '' ? `${REGISTRY_ROOT}${resource}/${namespace}/` : `${REGISTRY_ROOT}${resource}/`;
}

export function resourcePrefix(resource: string): string {
  return `${REGISTRY_ROOT}${resource}/`;
}

/** A request path segment (name or namespace) that cannot become a key outside its prefix. */
export function checkSegment(what: 'name' | 'namespace', value: string): void {
  if (value === '.' || value === '..' || value.includes('/') || value.includes('%') || value.includes('\0')) {
    throw badRequest(`invalid ${what} "${value}": may not be "." or ".." and may not contain "/", "%" or NUL`);
  }
  if (value.length > 253) throw badRequest(`invalid ${what}: must be no more than 253 characters, got ${value.length}`);
}

