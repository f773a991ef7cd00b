// shoalctl top nodes [name] | top pods [name] [-n ns] [-A]: usage measured now by the agents (node:
// systeminformation; pods: the runtime's container stats summed per pod), asked through the API
// servers and each node's tunnel (get nodes/stats). A node whose agent cannot be reached shows
// <unknown> (and a warning on stderr) instead of failing the whole table.
import { Command } from 'commander';
import type { KubeObject } from '../../api/kind.js';
import { ApiError, ApiErrorReason } from '../../client/index.js';
import type { NodeStatsReply } from '../../proto/gen/shoal/api/v1/tunnel.js';
import type { CommandEnv } from '../command-env.js';
import { noResourcesMessage } from '../output/get-table.js';
import { renderTable } from '../output/table.js';
import { topNodesTable, topPodsTable } from '../output/top-tables.js';
import type { TopPodRow } from '../output/top-tables.js';
import type { ShoalApi } from '../shoal-api.js';

const nodeOf = (pod: KubeObject): string => (pod as { spec?: { nodeName?: string } }).spec?.nodeName ?? '';
const phaseOf = (pod: KubeObject): string => (pod as { status?: { phase?: string } }).status?.phase ?? '';

/** Stats of each node, asked in parallel; an unreachable node is left out with a warning. */
async function statsOf(env: CommandEnv, api: ShoalApi, nodes: readonly string[]): Promise<Map<string, NodeStatsReply>> {
  const out = new Map<string, NodeStatsReply>();
  await Promise.all(
    nodes.map(async (node) => {
      try {
        out.set(node, await api.nodeStats(node, env.ctx.interrupted));
      } catch (e) {
        if (!(e instanceof ApiError) || e.reason !== ApiErrorReason.Unavailable) throw e;
        env.ctx.stderr(`Warning: no usage for node "${node}": ${e.message}\n`);
      }
    }),
  );
  return out;
}

export function topCommand(env: CommandEnv): Command {
  const top = new Command('top').description('Show CPU and memory usage of nodes or pods, as measured now by the node agents');
  top.addCommand(
    new Command('nodes')
      .alias('node')
      .alias('no')
      .description('Usage of nodes (percent of allocatable)')
      .argument('[name]', 'only this node')
      .action(async (name: string | undefined, _flags: object, command: Command) => {
        await env.run(command, async (session) => {
          const api = await session.api();
          const nodes = name !== undefined ? [await api.get('nodes', '', name)] : (await api.list('nodes', {})).items;
          if (nodes.length === 0) return void env.ctx.stderr(noResourcesMessage(undefined) + '\n');
          nodes.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
          const stats = await statsOf(env, api, nodes.map((n) => n.metadata.name ?? ''));
          env.ctx.stdout(renderTable(topNodesTable(nodes, stats)));
        });
      }),
  );
  top.addCommand(
    new Command('pods')
      .alias('pod')
      .alias('po')
      .description('Usage of pods (the sum of their running containers)')
      .argument('[name]', 'only this pod')
      .action(async (name: string | undefined, _flags: object, command: Command) => {
        await env.run(command, async (session) => {
          const api = await session.api();
          const all = session.allNamespaces && name === undefined;
          const namespace = all ? undefined : await session.namespace();
          const pods = name !== undefined ? [await api.get('pods', namespace ?? '', name)] : (await api.list('pods', namespace !== undefined ? { namespace } : {})).items;
          // Only pods placed on a node and not finished have usage.
          const live = pods.filter((p) => nodeOf(p) !== '' && phaseOf(p) !== 'Succeeded' && phaseOf(p) !== 'Failed');
          const stats = await statsOf(env, api, [...new Set(live.map(nodeOf))].sort());
          const byUid = new Map([...stats.values()].flatMap((s) => s.pods.map((p) => [p.uid, p] as const)));
          const rows = live.flatMap((p): TopPodRow[] => {
            const row = { namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '' };
            if (!stats.has(nodeOf(p))) return [{ ...row, usage: undefined }];
            const u = byUid.get(p.metadata.uid ?? '');
            return u === undefined ? [] : [{ ...row, usage: u }]; // no running container: no usage yet
          });
          if (rows.length === 0) return void env.ctx.stderr(noResourcesMessage(namespace) + '\n');
          env.ctx.stdout(renderTable(topPodsTable(rows, all)));
        });
      }),
  );
  return top;
}
