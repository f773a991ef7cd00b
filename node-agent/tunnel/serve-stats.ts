// stats: the node's usage and, per pod, the sum of its running containers' usage (one-shot
// runtime stats, asked in parallel). A container that stops meanwhile is left out; the answer
// rides on the close frame.
import type { NodeStatsReply, PodUsage } from '../../proto/gen/shoal/api/v1/tunnel.js';
import { Label, nodeSelectorLabels } from '../labels.js';
import type { NodeUsageSource } from '../node/node-usage.js';
import { ContainerStateKind, RuntimeError } from '../runtime/index.js';
import type { ContainerRuntime, ContainerUsage } from '../runtime/index.js';
import type { StreamContext, StreamResult } from './stream-context.js';

export interface StatsSources {
  readonly runtime: ContainerRuntime;
  readonly nodeName: string;
  readonly nodeUsage: NodeUsageSource;
  readonly now: () => number;
}

/** undefined when the runtime cannot measure the container (it stopped meanwhile). */
async function containerUsage(runtime: ContainerRuntime, id: string): Promise<ContainerUsage | undefined> {
  try {
    return await runtime.stats(id);
  } catch (e) {
    if (e instanceof RuntimeError) return undefined;
    throw e;
  }
}

export async function nodeStats(s: StatsSources): Promise<NodeStatsReply> {
  const running = (await s.runtime.list(nodeSelectorLabels(s.nodeName))).filter((c) => c.state === ContainerStateKind.Running);
  const [node, usages] = await Promise.all([
    s.nodeUsage(),
    Promise.all(running.map((c) => containerUsage(s.runtime, c.id))),
  ]);
  const pods = new Map<string, PodUsage>();
  running.forEach((c, i) => {
    const u = usages[i];
    if (u === undefined) return;
    const uid = c.labels[Label.PodUid] ?? '';
    const p = pods.get(uid) ?? { namespace: c.labels[Label.PodNamespace] ?? '', name: c.labels[Label.PodName] ?? '', uid, cpuMillicores: 0, memoryBytes: 0 };
    pods.set(uid, { ...p, cpuMillicores: p.cpuMillicores + u.cpuMillicores, memoryBytes: p.memoryBytes + u.memoryBytes });
  });
  const list = [...pods.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return { node: s.nodeName, cpuMillicores: node.cpuMillicores, memoryBytes: node.memoryBytes, pods: list, timestampMs: s.now() };
}

export async function serveStats(s: StatsSources, ctx: StreamContext): Promise<StreamResult> {
  ctx.started();
  return { stats: await nodeStats(s) };
}
