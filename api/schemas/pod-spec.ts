// A pod's spec: what the scheduler places and the agent runs. Rules across containers: names
// unique (init containers included), host ports unique, every volume mount names a volume.
import { z } from 'zod';
import { containerSchema } from './container.js';
import { affinitySchema } from './affinity.js';
import { crossCheck, duplicate, forbidden, int32, int64, invalid, notFound, notSupported, obj, oneOf, unique, type Path, type Reporter } from './kit.js';
import { labelMap } from './labels.js';
import { dns1123Label, dns1123Subdomain } from './names.js';
import { tolerationSchema } from './toleration.js';
import { volumeSchema } from './volume.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

const specShape = obj({
  containers: z.array(containerSchema).min(1),
  initContainers: z.array(containerSchema).optional(),
  volumes: z.array(volumeSchema).optional(),
  nodeSelector: labelMap().optional(),
  affinity: affinitySchema.optional(),
  tolerations: z.array(tolerationSchema).optional(),
  restartPolicy: oneOf(RESTART_POLICIES).default('Always'),
  terminationGracePeriodSeconds: int64(0).default(30),
  activeDeadlineSeconds: int64(1).optional(),
  nodeName: z.string().optional(),
  hostNetwork: z.boolean().optional(),
  serviceAccountName: z.string().optional(),
  schedulerName: z.string().default(DEFAULT_SCHEDULER_NAME),
  priority: int32().optional(),
  hostname: z.string().optional(),
  subdomain: z.string().optional(),
});

export type Spec = z.output<typeof specShape>;

/**
 * Every volume mount names a volume of the pod (or, for a StatefulSet, one of its claim
 * templates: `extraVolumes`). `prefix` is the pod spec's path.
 */
export function checkVolumeMounts(ctx: Reporter, s: Spec, extraVolumes: readonly string[], prefix: Path): void {
  const volumes = new Set([...(s.volumes ?? []).map((v) => v.name), ...extraVolumes]);
  for (const list of ['initContainers', 'containers'] as const)
    (s[list] ?? []).forEach((c, ci) =>
      c.volumeMounts?.forEach((m, mi) => {
        if (!volumes.has(m.name)) notFound(ctx, [...prefix, list, ci, 'volumeMounts', mi, 'name'], m.name);
      }),
    );
}

interface SpecRules {
  readonly restartPolicies: readonly RestartPolicy[];
  /** False when the owner checks mounts itself (StatefulSet claim templates are volumes too). */
  readonly checkMounts: boolean;
}

function checkSpec(s: Spec, ctx: Reporter, rules: SpecRules): void {
  const { restartPolicies } = rules;
  const init = s.initContainers ?? [];
  // Container names are unique across init and app containers.
  const names = new Set<string>();
  const dup = (list: 'initContainers' | 'containers', items: readonly { name: string }[]): void =>
    items.forEach((c, i) => {
      if (names.has(c.name)) duplicate(ctx, [list, i, 'name'], c.name);
      names.add(c.name);
    });
  dup('initContainers', init);
  dup('containers', s.containers);
  unique(ctx, s.volumes, (v) => v.name, (i) => ['volumes', i, 'name']);
  if (rules.checkMounts) checkVolumeMounts(ctx, s, [], []);
  const hostPorts = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    (s[list] ?? []).forEach((c, ci) => {
      c.ports?.forEach((p, pi) => {
        if (s.hostNetwork && p.hostPort !== undefined && p.hostPort !== p.containerPort)
          invalid(ctx, [list, ci, 'ports', pi, 'hostPort'], p.hostPort, 'must match `containerPort` when `hostNetwork` is true');
        const hp = p.hostPort ?? (s.hostNetwork ? p.containerPort : undefined);
        if (hp === undefined || list === 'initContainers') return;
        const key = `${hp}/${p.protocol}`;
        if (hostPorts.has(key)) duplicate(ctx, [list, ci, 'ports', pi, 'hostPort'], key);
        hostPorts.add(key);
      });
      if (list === 'initContainers')
        for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const)
          if (c[probe]) forbidden(ctx, [list, ci, probe], 'may not be set for init containers');
    });
  }
  // An unknown value was already refused by the enum; here only the kind's narrower set.
  if ((RESTART_POLICIES as readonly string[]).includes(s.restartPolicy) && !restartPolicies.includes(s.restartPolicy)) notSupported(ctx, ['restartPolicy'], s.restartPolicy, restartPolicies);
  if (s.nodeName) for (const e of dns1123Subdomain(s.nodeName)) invalid(ctx, ['nodeName'], s.nodeName, e);
  if (s.serviceAccountName) for (const e of dns1123Subdomain(s.serviceAccountName)) invalid(ctx, ['serviceAccountName'], s.serviceAccountName, e);
  if (s.hostname) for (const e of dns1123Label(s.hostname)) invalid(ctx, ['hostname'], s.hostname, e);
  if (s.subdomain) for (const e of dns1123Label(s.subdomain)) invalid(ctx, ['subdomain'], s.subdomain, e);
}

/** A pod spec whose restartPolicy must be one of `restartPolicies` (workloads allow only Always). */
export function podSpecSchema(restartPolicies: readonly RestartPolicy[] = RESTART_POLICIES, checkMounts = true) {
  return crossCheck(
    specShape,
    ['containers.*.name', 'containers.*.ports', 'containers.*.volumeMounts', 'initContainers.*.name', 'initContainers.*.volumeMounts', 'initContainers.*.ports', 'volumes.*.name', 'hostNetwork', 'nodeName', 'serviceAccountName'],
    (s, ctx) => checkSpec(s, ctx, { restartPolicies, checkMounts }),
  );
}

export type PodSpec = z.output<ReturnType<typeof podSpecSchema>>;
