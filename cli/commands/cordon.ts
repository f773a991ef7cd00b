// shoalctl cordon|uncordon <node...>: spec.unschedulable, which the scheduler's NodeUnschedulable
// filter reads. Pods already on the node stay (drain moves them).
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { AlreadyReported } from '../errors.js';
import type { ShoalApi } from '../shoal-api.js';

/** Sets spec.unschedulable; returns false when the node already was in that state. */
export async function setUnschedulable(api: ShoalApi, node: string, unschedulable: boolean): Promise<boolean> {
  const live = await api.get('nodes', '', node);
  const was = (live.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
  if (was === unschedulable) return false;
  await api.patch('nodes', '', node, { spec: { unschedulable: unschedulable ? true : null } }, false);
  return true;
}

/** `node/x cordoned`, or `node/x already cordoned`. */
export async function cordonLine(api: ShoalApi, node: string, unschedulable: boolean): Promise<string> {
  const changed = await setUnschedulable(api, node, unschedulable);
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  return `node/${node} ${changed ? verb : `already ${verb}`}\n`;
}

function cordonLike(env: CommandEnv, name: 'cordon' | 'uncordon'): Command {
  const unschedulable = name === 'cordon';
  return new Command(name)
    .description(unschedulable ? 'Mark nodes unschedulable: no new pods are placed there' : 'Mark nodes schedulable again')
    .argument('<node...>', 'node names')
    .action(async (nodes: string[], _flags: unknown, command: Command) => {
      await env.run(command, async (session) => {
        const api = await session.api();
        let failed = false;
        for (const node of nodes) {
          try {
            env.ctx.stdout(await cordonLine(api, node, unschedulable));
          } catch (err) {
            failed = true;
            env.report(err, { kind: 'Node', name: node });
          }
        }
        if (failed) throw new AlreadyReported();
      });
    });
}

export const cordonCommand = (env: CommandEnv): Command => cordonLike(env, 'cordon');
export const uncordonCommand = (env: CommandEnv): Command => cordonLike(env, 'uncordon');
