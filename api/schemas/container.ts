// A container of a pod (and of its init containers): image, command, env, ports, resources,
// probes, volume mounts. Defaulting as Kubernetes: imagePullPolicy is Always for `:latest` or an
// untagged image and IfNotPresent otherwise; port protocol TCP.
import { z } from 'zod';
import { crossCheck, invalid, obj, oneOf, port, requiredString, unique, withDefaults } from './kit.js';
import { configMapKey, dns1123Label, dns1123Subdomain, envVarName, portName } from './names.js';
import { probeSchema } from './probe.js';
import { resourceRequirementsSchema } from './resources.js';

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/** Field paths a fieldRef may name (as Kubernetes' downward API allows for env). */
export const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
] as const;

const keyRef = crossCheck(obj({ name: requiredString(), key: requiredString(), optional: z.boolean().optional() }), ['name', 'key'], (r, ctx) => {
  for (const e of dns1123Subdomain(r.name)) invalid(ctx, ['name'], r.name, e);
  for (const e of configMapKey(r.key)) invalid(ctx, ['key'], r.key, e);
});

const FIELD_REF_WITH_KEY = /^metadata\.(labels|annotations)\['[^']+'\]$/;

const envVarSource = crossCheck(
  obj({
    configMapKeyRef: keyRef.optional(),
    secretKeyRef: keyRef.optional(),
    fieldRef: obj({ fieldPath: requiredString(), apiVersion: z.literal('v1').default('v1') }).optional(),
  }),
  ['fieldRef'],
  (s, ctx) => {
    const set = (['configMapKeyRef', 'secretKeyRef', 'fieldRef'] as const).filter((k) => s[k] !== undefined);
    if (set.length === 0) invalid(ctx, [], '', 'must specify one of: `configMapKeyRef`, `fieldRef` or `secretKeyRef`');
    if (set.length > 1) invalid(ctx, [], '', 'may not have more than one field specified at a time');
    const fp = s.fieldRef?.fieldPath;
    if (fp !== undefined && !(ENV_FIELD_PATHS as readonly string[]).includes(fp) && !FIELD_REF_WITH_KEY.test(fp))
      invalid(ctx, ['fieldRef', 'fieldPath'], fp, `supported values: ${[...ENV_FIELD_PATHS, "metadata.labels['<KEY>']", "metadata.annotations['<KEY>']"].map((p) => JSON.stringify(p)).join(', ')}`);
  },
);

const envVar = crossCheck(obj({ name: requiredString(), value: z.string().optional(), valueFrom: envVarSource.optional() }), ['name', 'value'], (e, ctx) => {
  for (const m of envVarName(e.name)) invalid(ctx, ['name'], e.name, m);
  if (e.value && e.valueFrom) invalid(ctx, ['valueFrom'], '', 'may not be specified when `value` is not empty');
});

const envFromSource = crossCheck(
  obj({
    prefix: z.string().optional(),
    configMapRef: obj({ name: requiredString(), optional: z.boolean().optional() }).optional(),
    secretRef: obj({ name: requiredString(), optional: z.boolean().optional() }).optional(),
  }),
  [],
  (s, ctx) => {
    if (!s.configMapRef && !s.secretRef) invalid(ctx, [], '', 'must specify one of: `configMapRef` or `secretRef`');
    if (s.configMapRef && s.secretRef) invalid(ctx, [], '', 'may not have more than one field specified at a time');
  },
);

const containerPort = crossCheck(
  obj({
    name: z.string().optional(),
    containerPort: port(),
    hostPort: port().optional(),
    protocol: oneOf(PROTOCOLS).default('TCP'),
    hostIP: z.string().optional(),
  }),
  ['name'],
  (p, ctx) => {
    if (p.name) for (const e of portName(p.name)) invalid(ctx, ['name'], p.name, e);
  },
);

const volumeMount = obj({
  name: requiredString(),
  mountPath: requiredString(),
  readOnly: z.boolean().optional(),
  subPath: z.string().optional(),
});

/** Kubernetes' rule: pull always when the tag is `latest` or missing (a digest pins the image). */
export function defaultPullPolicy(image: string): (typeof PULL_POLICIES)[number] {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

export const containerSchema = withDefaults(crossCheck(
  obj({
    name: requiredString(),
    image: requiredString(),
    imagePullPolicy: oneOf(PULL_POLICIES).optional(),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    workingDir: z.string().optional(),
    env: z.array(envVar).optional(),
    envFrom: z.array(envFromSource).optional(),
    ports: z.array(containerPort).optional(),
    resources: resourceRequirementsSchema.optional(),
    livenessProbe: probeSchema.optional(),
    readinessProbe: probeSchema.optional(),
    startupProbe: probeSchema.optional(),
    volumeMounts: z.array(volumeMount).optional(),
  }),
  ['name', 'image', 'ports.*.name', 'volumeMounts.*.mountPath', 'volumeMounts.*.subPath', 'livenessProbe.successThreshold', 'startupProbe.successThreshold'],
  (c, ctx) => {
    for (const e of dns1123Label(c.name)) invalid(ctx, ['name'], c.name, e);
    if (c.image.trim() !== c.image) invalid(ctx, ['image'], c.image, 'must not have leading or trailing whitespace');
    unique(ctx, c.ports, (p) => p.name, (i) => ['ports', i, 'name']);
    unique(ctx, c.volumeMounts, (m) => m.mountPath, (i) => ['volumeMounts', i, 'mountPath']);
    for (const probe of ['livenessProbe', 'startupProbe'] as const) {
      const p = c[probe];
      if (p && p.successThreshold !== 1) invalid(ctx, [probe, 'successThreshold'], p.successThreshold, 'must be 1');
    }
    c.volumeMounts?.forEach((m, i) => {
      if (m.subPath?.startsWith('/')) invalid(ctx, ['volumeMounts', i, 'subPath'], m.subPath, 'must be a relative path');
      if (m.subPath?.split('/').includes('..')) invalid(ctx, ['volumeMounts', i, 'subPath'], m.subPath, "must not contain '..'");
    });
  },
), (c) => ({ ...c, imagePullPolicy: c.imagePullPolicy ?? defaultPullPolicy(c.image) }));

export type Container = z.output<typeof containerSchema>;
