// The ConfigMaps and Secrets a pod refers to (env, envFrom, volumes), fetched before its
// containers are made. Values are plain text here: Secret data is base64-decoded once.
import type { Container, Pod } from '../../api/index.js';

export interface ConfigData {
  /** name → key → value; a name absent from the map does not exist. */
  readonly configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly secrets: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export interface ConfigRefs {
  readonly configMaps: readonly string[];
  readonly secrets: readonly string[];
}

/** Every ConfigMap and Secret the pod's containers and volumes name (each once, sorted). */
export function configRefs(pod: Pod): ConfigRefs {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  const containers: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef) cms.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef) cms.add(f.configMapRef.name);
      if (f.secretRef) secrets.add(f.secretRef.name);
    }
  }
  for (const v of pod.spec.volumes ?? []) {
    if (v.configMap) cms.add(v.configMap.name);
    if (v.secret) secrets.add(v.secret.secretName);
  }
  return { configMaps: [...cms].sort(), secrets: [...secrets].sort() };
}

/** Where the agent gets ConfigMaps and Secrets (the API, with a copy on disk for offline restarts). */
export interface ConfigSource {
  /** Key → value, or undefined when the object does not exist. */
  configMap(namespace: string, name: string): Promise<Readonly<Record<string, string>> | undefined>;
  secret(namespace: string, name: string): Promise<Readonly<Record<string, string>> | undefined>;
}

export async function fetchConfigData(source: ConfigSource, pod: Pod): Promise<ConfigData> {
  const ns = pod.metadata.namespace ?? 'default';
  const refs = configRefs(pod);
  const configMaps = new Map<string, Readonly<Record<string, string>>>();
  const secrets = new Map<string, Readonly<Record<string, string>>>();
  for (const n of refs.configMaps) {
    const d = await source.configMap(ns, n);
    if (d) configMaps.set(n, d);
  }
  for (const n of refs.secrets) {
    const d = await source.secret(ns, n);
    if (d) secrets.set(n, d);
  }
  return { configMaps, secrets };
}
