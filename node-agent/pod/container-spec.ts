// From a pod's container to what the runtime creates: names, labels, command/args, env, mounts,
// ports, limits. Pure: every input (env, volume host paths) is resolved before.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { mustParseQuantity, toMillis, toUnits } from '../../api/index.js';
import type { Container, Pod } from '../../api/index.js';
import { dockerName, Label } from '../labels.js';
import type { ContainerKindLabel } from '../labels.js';
import type { ContainerSpec, Mount, PortBinding } from '../runtime/index.js';
import type { VolumeMountSource } from './volumes.js';

export interface ContainerSpecInput {
  readonly pod: Pod;
  readonly container: Container;
  readonly kind: ContainerKindLabel;
  readonly nodeName: string;
  readonly restartCount: number;
  /** Consecutive crash-loop restarts (0 when none). */
  readonly backoff?: number;
  readonly env: readonly string[];
  readonly volumes: ReadonlyMap<string, VolumeMountSource>;
}

/** A stable hash of what the container was made from (a change means a new container). */
export function containerHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export function limitsOf(c: Container): { nanoCpus: number; memoryBytes: number } {
  const limits = (c.resources?.limits ?? {}) as Record<string, string | number | undefined>;
  const cpu = limits.cpu;
  const mem = limits.memory;
  return {
    nanoCpus: cpu === undefined ? 0 : toMillis(mustParseQuantity(cpu)) * 1_000_000,
    memoryBytes: mem === undefined ? 0 : toUnits(mustParseQuantity(mem)),
  };
}

export function buildContainerSpec(i: ContainerSpecInput): ContainerSpec {
  const { pod, container: c } = i;
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const uid = pod.metadata.uid ?? '';
  const mounts: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = i.volumes.get(m.name);
    if (!v) continue; // validation guarantees the volume; a missing one failed prepareVolumes
    mounts.push({ hostPath: m.subPath ? join(v.hostPath, m.subPath) : v.hostPath, containerPath: m.mountPath, readOnly: v.readOnly || (m.readOnly ?? false) });
  }
  const ports: PortBinding[] = (c.ports ?? []).map((p) => ({
    containerPort: p.containerPort,
    protocol: p.protocol === 'UDP' ? 'udp' : p.protocol === 'SCTP' ? 'sctp' : 'tcp',
    ...(p.hostPort !== undefined ? { hostPort: p.hostPort } : {}),
    ...(p.hostIP ? { hostIP: p.hostIP } : {}),
  }));
  return {
    name: dockerName(ns, name, c.name, uid, i.restartCount),
    image: c.image,
    labels: {
      [Label.Managed]: 'true',
      [Label.Node]: i.nodeName,
      [Label.PodUid]: uid,
      [Label.PodNamespace]: ns,
      [Label.PodName]: name,
      [Label.ContainerName]: c.name,
      [Label.ContainerKind]: i.kind,
      [Label.RestartCount]: String(i.restartCount),
      [Label.Backoff]: String(i.backoff ?? 0),
      [Label.SpecHash]: containerHash(c),
    },
    ...(c.command ? { entrypoint: c.command } : {}),
    ...(c.args ? { cmd: c.args } : {}),
    env: i.env,
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    mounts,
    ports,
    ...limitsOf(c),
    hostname: pod.spec.hostname ?? name,
  };
}
