// Nodes and pods for the scheduler's tests, made through the kinds' schemas (so defaults apply
// exactly as on the server), plus snapshots built from them.
import { nodeSchema, podSchema } from '../../api/index.js';
import type { Node, NodeInput, Pod, PodInput } from '../../api/index.js';
import { NodeInfo } from '../../control-plane/scheduler/framework/node-info.js';
import { podInfo, type PodInfo } from '../../control-plane/scheduler/framework/pod-info.js';
import type { Snapshot } from '../../control-plane/scheduler/framework/plugin.js';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeral?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  taints?: NonNullable<NodeInput['spec']>['taints'];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown' | 'none';
}

export function makeNode(name: string, o: NodeOpts = {}): Node {
  const allocatable: Record<string, string> = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  if (o.ephemeral !== undefined) allocatable['ephemeral-storage'] = o.ephemeral;
  return nodeSchema.parse({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) }, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: allocatable,
      allocatable,
      conditions: o.ready === 'none' ? [] : [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  } satisfies NodeInput);
}

export interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  ephemeral?: string;
  labels?: Record<string, string>;
  spec?: Partial<NonNullable<PodInput['spec']>>;
  owner?: string;
  hostPort?: number;
  nodeName?: string;
  uid?: string;
}

export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  if (o.ephemeral) requests['ephemeral-storage'] = o.ephemeral;
  return podSchema.parse({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? `uid-${name}`,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'busybox:1',
          resources: { requests },
          ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort }] } : {}),
        },
      ],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.spec ?? {}),
    },
  } satisfies PodInput);
}

/** NodeInfos with the given pods placed (by their spec.nodeName). */
export function snapshotOf(nodes: readonly Node[], pods: readonly Pod[] = []): Snapshot & { byName: Map<string, NodeInfo> } {
  const infos = nodes.map((n) => new NodeInfo(n));
  const byName = new Map(infos.map((i) => [i.name, i]));
  for (const p of pods) {
    const n = byName.get(p.spec.nodeName ?? '');
    if (n === undefined) throw new Error(`fixture pod ${p.metadata.name} is on unknown node ${p.spec.nodeName}`);
    n.addPod(podInfo(p));
  }
  return { nodes: infos, byName };
}

export const info = (p: Pod): PodInfo => podInfo(p);
