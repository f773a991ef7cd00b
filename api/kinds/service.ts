// Service (v1): a stable virtual IP (clusterIP) balancing over the pods its selector picks.
// Names are DNS-1035 labels (they become DNS names). Defaults as Kubernetes: type ClusterIP,
// sessionAffinity None, protocol TCP, targetPort = port. clusterIP is fixed once set.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import type { FieldError } from '../kind.js';
import { crossCheck, forbidden, intOrString, invalid, obj, oneOf, port, required, unique, withDefaults } from '../schemas/kit.js';
import { labelMap } from '../schemas/labels.js';
import { dns1035Label, dns1123Label, dns1123Subdomain } from '../schemas/names.js';
import { PROTOCOLS } from '../schemas/container.js';
import { checkPortRef } from '../schemas/probe.js';
import { isIPAddress } from '../schemas/ip.js';
import { immutable } from '../schemas/update-rules.js';
import { ageColumn, column, mapSelectorText, nameColumn, orNone } from '../table/cells.js';

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

const servicePort = withDefaults(obj({
  name: z.string().optional(),
  protocol: oneOf(PROTOCOLS).default('TCP'),
  port: port(),
  targetPort: intOrString().optional(),
  nodePort: port().optional(),
}), (p) => ({ ...p, targetPort: p.targetPort ?? p.port }));

export const serviceSchema = kindSchema(
  { apiVersion: 'v1', kind: 'Service', namespaced: true, name: dns1035Label },
  {
    spec: crossCheck(
      obj({
        type: oneOf(SERVICE_TYPES).default('ClusterIP'),
        selector: labelMap().optional(),
        ports: z.array(servicePort).optional(),
        clusterIP: z.string().optional(),
        clusterIPs: z.array(z.string()).optional(),
        externalIPs: z.array(z.string()).optional(),
        externalName: z.string().optional(),
        loadBalancerIP: z.string().optional(),
        sessionAffinity: oneOf(['None', 'ClientIP']).default('None'),
        sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: z.int().min(1).max(86400).default(10800) }).optional() }).optional(),
        externalTrafficPolicy: oneOf(['Cluster', 'Local']).optional(),
        internalTrafficPolicy: oneOf(['Cluster', 'Local']).default('Cluster'),
        publishNotReadyAddresses: z.boolean().optional(),
      }),
      ['type', 'ports', 'clusterIP', 'clusterIPs', 'externalIPs', 'externalName'],
      (s, ctx) => {
        const ports = s.ports ?? [];
        const headless = s.clusterIP === 'None';
        if (s.type === 'ExternalName') {
          if (!s.externalName) required(ctx, ['externalName']);
          else for (const e of dns1123Subdomain(s.externalName.replace(/\.$/, ''))) invalid(ctx, ['externalName'], s.externalName, e);
          if (s.clusterIP && s.clusterIP !== 'None') forbidden(ctx, ['clusterIP'], 'may not be set for ExternalName services');
        } else if (ports.length === 0 && !headless) required(ctx, ['ports']);
        if (s.clusterIP && s.clusterIP !== 'None' && !isIPAddress(s.clusterIP))
          invalid(ctx, ['clusterIP'], s.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff) or "None"');
        if (s.clusterIPs?.[0] !== undefined && s.clusterIP !== undefined && s.clusterIPs[0] !== s.clusterIP)
          invalid(ctx, ['clusterIPs', 0], s.clusterIPs[0], 'must match `clusterIP`');
        s.externalIPs?.forEach((ip, i) => {
          if (!isIPAddress(ip)) invalid(ctx, ['externalIPs', i], ip, 'must be a valid IP address');
        });
        ports.forEach((p, i) => {
          if (ports.length > 1 && !p.name) required(ctx, ['ports', i, 'name']);
          if (p.name) for (const e of dns1123Label(p.name)) invalid(ctx, ['ports', i, 'name'], p.name, e);
          checkPortRef(p.targetPort, ctx, ['ports', i, 'targetPort']);
          if (p.nodePort !== undefined && s.type !== 'NodePort' && s.type !== 'LoadBalancer')
            forbidden(ctx, ['ports', i, 'nodePort'], 'may not be used when `type` is \'' + s.type + "'");
        });
        unique(ctx, ports, (p) => p.name, (i) => ['ports', i, 'name']);
        unique(ctx, ports, (p) => `${p.port}/${p.protocol}`, (i) => ['ports', i]);
        if (s.externalTrafficPolicy && s.type !== 'NodePort' && s.type !== 'LoadBalancer')
          forbidden(ctx, ['externalTrafficPolicy'], 'may only be set when `type` is \'NodePort\' or \'LoadBalancer\'');
      },
    ),
    status: obj({ loadBalancer: obj({ ingress: z.array(obj({ ip: z.string().optional(), hostname: z.string().optional() })).optional() }).optional() }).optional(),
  },
);

export type Service = z.output<typeof serviceSchema>;
export type ServiceInput = z.input<typeof serviceSchema>;

export function validateServiceUpdate(next: Service, old: Service): FieldError[] {
  const errors: FieldError[] = [];
  // Once allocated (or set to None), the virtual IP stays: every proxy rule refers to it.
  if (old.spec.clusterIP && old.spec.type !== 'ExternalName' && next.spec.type !== 'ExternalName' && next.spec.clusterIP !== undefined)
    immutable(next.spec.clusterIP, old.spec.clusterIP, ['spec', 'clusterIP'], errors);
  return errors;
}

function externalIP(s: Service): string {
  switch (s.spec.type) {
    case 'ExternalName':
      return s.spec.externalName ?? '<none>';
    case 'LoadBalancer': {
      const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((x) => x !== '');
      const all = [...ingress, ...(s.spec.externalIPs ?? [])];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    default:
      return orNone((s.spec.externalIPs ?? []).join(','));
  }
}

/** `80/TCP`, `80:30080/TCP`, joined by commas. */
export const servicePortsText = (s: Service): string =>
  orNone((s.spec.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(','));

export const serviceKind = defineKind<Service>({
  kind: 'Service',
  apiVersion: 'v1',
  resource: 'services',
  shortNames: ['svc'],
  namespaced: true,
  hasStatus: true,
  schema: serviceSchema,
  validateUpdate: validateServiceUpdate,
  columns: [
    nameColumn,
    column<Service>('TYPE', (s) => s.spec.type),
    column<Service>('CLUSTER-IP', (s) => (s.spec.type === 'ExternalName' ? '<none>' : orNone(s.spec.clusterIP))),
    column<Service>('EXTERNAL-IP', externalIP),
    column<Service>('PORT(S)', servicePortsText),
    ageColumn,
    column<Service>('SELECTOR', (s) => mapSelectorText(s.spec.selector), true),
  ],
});
