// Where objects live in the store: /registry/<resource>/<namespace>/<name>, cluster-scoped
// objects at /registry/<resource>/<name> (the layout Kubernetes uses, readable with etcdctl).
// Prefixes always end in "/" so "pods" never matches "podtemplates".
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
