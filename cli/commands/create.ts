// shoalctl create -f: create each object (an existing name is an error, unlike apply).
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { outcomeLine } from '../apply/plan.js';
import { forEachManifest, withManifestOptions } from '../manifest-runner.js';
import type { FileFlags } from '../manifest-runner.js';
import { printNames } from '../output/printers.js';
import { typeName } from '../resources.js';
import { parseOutput } from '../session.js';

export function createCommand(env: CommandEnv): Command {
  return withManifestOptions(new Command('create'))
    .description('Create objects from files, directories or stdin (-f -)')
    .action(async (flags: FileFlags & { dryRun?: boolean }, command: Command) => {
      await env.run(command, async (session) => {
        const output = parseOutput(session.flags.output, ['table', 'name']);
        const api = await session.api();
        await forEachManifest(env, session, flags, async ({ info, object }) => {
          const created = await api.create(info.resource, object.metadata.namespace ?? '', object, flags.dryRun === true);
          const name = created.metadata.name ?? object.metadata.name ?? '';
          env.ctx.stdout(output === 'name' ? printNames([created], () => typeName(info)) : outcomeLine(typeName(info), name, 'created', flags.dryRun === true));
        });
      });
    });
}
