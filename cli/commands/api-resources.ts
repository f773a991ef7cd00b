// shoalctl api-resources: the resource types the server serves (discovery).
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { apiResourcesTable } from '../output/cluster-tables.js';
import { renderTable } from '../output/table.js';
import { parseOutput } from '../session.js';

export function apiResourcesCommand(env: CommandEnv): Command {
  return new Command('api-resources')
    .description('Print the resource types the server serves')
    .option('--namespaced <bool>', 'only namespaced (true) or cluster-scoped (false) resources')
    .action(async (flags: { namespaced?: string }, command: Command) => {
      await env.run(command, async (session) => {
        const output = parseOutput(session.flags.output, ['table', 'wide', 'name']);
        let resources = await session.resources();
        if (flags.namespaced !== undefined) resources = resources.filter((r) => String(r.namespaced) === flags.namespaced);
        if (output === 'name') env.ctx.stdout(resources.map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource) + '\n').join(''));
        else env.ctx.stdout(renderTable(apiResourcesTable(resources, output === 'wide')));
      });
    });
}
