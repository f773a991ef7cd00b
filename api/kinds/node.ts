// Node (v1, cluster-scoped): a worker registered by its agent with its capacity, addresses and
// conditions; taints and `unschedulable` (cordon) steer the scheduler.
import { z } from 'zod';
import { defineKind, kindSchema } from '../define-kind.js';
import { conditionSchema } from '../schemas/conditions.js';
import { obj, oneOf, port, requiredString } from '../schemas/kit.js';
import { resourceList } from '../schemas/resources.js';
import { taintSchema } from '../schemas/toleration.js';
import { ageColumn, column, nameColumn, orNone } from '../table/cells.js';

export const NODE_ADDRESS_TYPES = ['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'] as const;

/** Node capacity names: container resources plus `pods` (how many pods the node takes). */
const nodeResources = () => resourceList(['pods']);

export const nodeSchema = kindSchema(
  { apiVersion: 'v1', kind: 'Node', namespaced: false },
  {
    spec: obj({
      podCIDR: z.string().optional(),
      podCIDRs: z.array(z.string()).optional(),
      providerID: z.string().optional(),
      unschedulable: z.boolean().optional(),
      taints: z.array(taintSchema).optional(),
    }).prefault({}),
    status: obj({
      capacity: nodeResources().optional(),
      allocatable: nodeResources().optional(),
      conditions: z.array(conditionSchema).optional(),
      addresses: z.array(obj({ type: oneOf(NODE_ADDRESS_TYPES), address: requiredString() })).optional(),
      daemonEndpoints: obj({ kubeletEndpoint: obj({ Port: port() }).optional() }).optional(),
      nodeInfo: obj({
        machineID: z.string().optional(),
        systemUUID: z.string().optional(),
        bootID: z.string().optional(),
        kernelVersion: z.string().optional(),
        osImage: z.string().optional(),
        containerRuntimeVersion: z.string().optional(),
        kubeletVersion: z.string().optional(),
        kubeProxyVersion: z.string().optional(),
        operatingSystem: z.string().optional(),
        architecture: z.string().optional(),
      }).optional(),
    }).optional(),
  },
);

export type Node = z.output<typeof nodeSchema>;
export type NodeInput = z.input<typeof nodeSchema>;

/** kubectl's node STATUS: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
export function nodeStatusText(n: Node): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  const parts = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (n.spec.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** Roles from `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`. */
export function nodeRolesText(n: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return orNone([...roles].sort().join(','));
}

const address = (n: Node, type: (typeof NODE_ADDRESS_TYPES)[number]): string => orNone(n.status?.addresses?.find((a) => a.type === type)?.address);

export const nodeKind = defineKind<Node>({
  kind: 'Node',
  apiVersion: 'v1',
  resource: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  hasStatus: true,
  schema: nodeSchema,
  fieldLabels: (n) => ({ 'spec.unschedulable': String(n.spec?.unschedulable ?? false) }),
  columns: [
    nameColumn,
    column<Node>('STATUS', nodeStatusText),
    column<Node>('ROLES', nodeRolesText),
    ageColumn,
    column<Node>('VERSION', (n) => n.status?.nodeInfo?.kubeletVersion ?? ''),
    column<Node>('INTERNAL-IP', (n) => address(n, 'InternalIP'), true),
    column<Node>('EXTERNAL-IP', (n) => address(n, 'ExternalIP'), true),
    column<Node>('OS-IMAGE', (n) => n.status?.nodeInfo?.osImage ?? '<unknown>', true),
    column<Node>('KERNEL-VERSION', (n) => n.status?.nodeInfo?.kernelVersion ?? '<unknown>', true),
    column<Node>('CONTAINER-RUNTIME', (n) => n.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>', true),
  ],
});
