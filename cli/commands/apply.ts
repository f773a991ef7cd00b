// shoalctl apply -f: create or update each object; prints created/configured/unchanged. Updates
// are a three-way JSON merge patch against the last applied configuration (see apply/plan.ts).
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { outcomeLine, outcomeOf, planApply } from '../apply/plan.js';
import { CliError, toCliError } from '../errors.js';
import { forEachManifest, withManifestOptions } from '../manifest-runner.js';
import type { FileFlags } from '../manifest-runner.js';
import { printNames } from '../output/printers.js';
import { typeName } from '../resources.js';
import { parseOutput } from '../session.js';

export function applyCommand(env: CommandEnv): Command {
  return withManifestOptions(new Command('apply'))
    .description('Create or update objects from files, directories or stdin (-f -)')
    .action(async (flags: FileFlags & { dryRun?: boolean }, command: Command) => {
      await env.run(command, async (session) => {
        const output = parseOutput(session.flags.output, ['table', 'name']);
        const api = await session.api();
        const dryRun = flags.dryRun === true;
        await forEachManifest(env, session, flags, async ({ info, object }) => {
          const name = object.metadata.name;
          if (!name) throw new CliError('NO_NAME', `${typeName(info)}: apply needs metadata.name (use create for generateName)`);
          const namespace = object.metadata.namespace ?? '';
          let live;
          try {
            live = await api.get(info.resource, namespace, name);
          } catch (err) {
            if (toCliError(err).code !== 'NOT_FOUND') throw err;
          }
          const plan = planApply(object, live);
          if (plan.action === 'create') await api.create(info.resource, namespace, plan.object, dryRun);
          else if (plan.action === 'patch') await api.patch(info.resource, namespace, name, plan.patch, dryRun);
          env.ctx.stdout(output === 'name' ? printNames([object], () => typeName(info)) : outcomeLine(typeName(info), name, outcomeOf(plan), dryRun));
        });
      });
    });
}
