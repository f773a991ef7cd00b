// shoalctl scale <resource>/<name> --replicas N (also `scale deploy web --replicas N`).
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { AlreadyReported, UsageError } from '../errors.js';
import { parseObjectRefs } from '../object-refs.js';
import { typeName } from '../resources.js';

const SCALABLE_KINDS: readonly string[] = ['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'];

export function parseReplicas(text: string | undefined): number {
  if (text === undefined) throw new UsageError('--replicas is required');
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--replicas must be a whole number >= 0, got "${text}"`);
  return n;
}

export function scaleCommand(env: CommandEnv): Command {
  return new Command('scale')
    .description('Set the number of replicas of a Deployment, ReplicaSet, StatefulSet or ReplicationController')
    .argument('<resource>', 'type/name, or type')
    .argument('[name...]', 'object names')
    .option('--replicas <n>', 'the new number of replicas')
    .option('--current-replicas <n>', 'only scale if the current number of replicas is this')
    .action(async (resource: string, names: string[], flags: { replicas?: string; currentReplicas?: string }, command: Command) => {
      const replicas = parseReplicas(flags.replicas);
      const current = flags.currentReplicas === undefined ? undefined : parseReplicas(flags.currentReplicas);
      await env.run(command, async (session) => {
        const api = await session.api();
        let failed = false;
        for (const ref of parseObjectRefs([resource, ...names], { allowManyTypes: false })) {
          if (ref.names.length === 0) throw new UsageError('give the object to scale: type/name');
          const info = await session.resolve(ref.type);
          if (!SCALABLE_KINDS.includes(info.kind)) throw new UsageError(`cannot scale ${info.resource}: only deployments, replicasets, statefulsets and replicationcontrollers have replicas`);
          const namespace = await session.objectNamespace(info);
          for (const name of ref.names) {
            try {
              let patch: Record<string, unknown> = { spec: { replicas } };
              if (current !== undefined) {
                const live = await api.get(info.resource, namespace, name);
                const have = (live.spec as { replicas?: number } | undefined)?.replicas ?? 1;
                if (have !== current) throw new UsageError(`expected replicas to be ${current}, was ${have}`);
                patch = { ...patch, metadata: { resourceVersion: live.metadata.resourceVersion } };
              }
              await api.patch(info.resource, namespace, name, patch, false);
              env.ctx.stdout(`${typeName(info)}/${name} scaled\n`);
            } catch (err) {
              failed = true;
              env.report(err, { kind: info.kind, name });
            }
          }
        }
        if (failed) throw new AlreadyReported();
      });
    });
}
