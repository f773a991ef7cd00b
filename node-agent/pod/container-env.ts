// A container's environment from its spec: envFrom first (in order, with prefixes), then env
// (later entries win), values from ConfigMaps, Secrets and the pod's own fields. A reference
// that cannot be resolved and is not optional is a configuration error (the container waits
// with reason CreateContainerConfigError), as in Kubernetes.
import type { Container, Pod } from '../../api/index.js';
import type { ConfigData } from './config-data.js';

export type EnvResult = { readonly ok: true; readonly env: string[] } | { readonly ok: false; readonly message: string };

export interface PodFields {
  readonly podIP: string;
  readonly hostIP: string;
  readonly nodeName: string;
}

/** The value of a downward-API field path, or undefined for a path it does not know. */
export function fieldValue(pod: Pod, path: string, f: PodFields): string | undefined {
  const keyed = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (keyed) {
    const map = keyed[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[keyed[2] ?? ''] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? f.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.hostIP':
    case 'status.hostIPs':
      return f.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return f.podIP;
    default:
      return undefined;
  }
}

export function containerEnv(pod: Pod, c: Container, data: ConfigData, fields: PodFields): EnvResult {
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const values = (from.configMapRef ? data.configMaps : data.secrets).get(ref.name);
    if (!values) {
      if (ref.optional) continue;
      return { ok: false, message: `${kind} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(values)) env.set(prefix + k, v);
  }
  for (const e of c.env ?? []) {
    const src = e.valueFrom;
    if (!src) {
      env.set(e.name, e.value ?? '');
      continue;
    }
    const keyRef = src.configMapKeyRef ?? src.secretKeyRef;
    if (keyRef) {
      const kind = src.configMapKeyRef ? 'configmap' : 'secret';
      const values = (src.configMapKeyRef ? data.configMaps : data.secrets).get(keyRef.name);
      const v = values?.[keyRef.key];
      if (v === undefined) {
        if (keyRef.optional) continue;
        return { ok: false, message: values ? `couldn't find key ${keyRef.key} in ${kind} ${pod.metadata.namespace ?? 'default'}/${keyRef.name}` : `${kind} "${keyRef.name}" not found` };
      }
      env.set(e.name, v);
    } else if (src.fieldRef) {
      const v = fieldValue(pod, src.fieldRef.fieldPath, fields);
      if (v === undefined) return { ok: false, message: `env ${e.name}: unsupported fieldPath ${src.fieldRef.fieldPath}` };
      env.set(e.name, v);
    }
  }
  return { ok: true, env: [...env].map(([k, v]) => `${k}=${v}`) };
}
