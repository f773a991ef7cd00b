// shoalctl members: the store members (name, id, leader, raft term, applied index, db size, health).
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { membersTable } from '../output/cluster-tables.js';
import { toYaml } from '../output/printers.js';
import { renderTable } from '../output/table.js';
import { parseOutput } from '../session.js';

export function membersCommand(env: CommandEnv): Command {
  return new Command('members')
    .description('List the store members and their raft state')
    .action(async (_flags: unknown, command: Command) => {
      await env.run(command, async (session) => {
        const output = parseOutput(session.flags.output, ['table', 'json', 'yaml']);
        const members = await (await session.api()).members();
        if (output === 'json') env.ctx.stdout(JSON.stringify({ members }, null, 4) + '\n');
        else if (output === 'yaml') env.ctx.stdout(toYaml({ members }));
        else env.ctx.stdout(renderTable(membersTable(members)));
      });
    });
}
