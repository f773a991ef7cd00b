// shoalctl version: this shoalctl's version and git commit, and the server's (unless --client).
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { versionText } from '../output/cluster-tables.js';
import type { VersionView } from '../output/cluster-tables.js';
import { toYaml } from '../output/printers.js';
import { parseOutput } from '../session.js';

export function versionCommand(env: CommandEnv): Command {
  return new Command('version')
    .description('Print the client and server versions')
    .option('--client', 'the client version only (no server needed)')
    .action(async (flags: { client?: boolean }, command: Command) => {
      await env.run(command, async (session) => {
        const output = parseOutput(session.flags.output, ['table', 'json', 'yaml']);
        const client = env.ctx.clientVersion();
        const view: VersionView = flags.client ? { client } : { client, server: await (await session.api()).version() };
        const data = { clientVersion: view.client, ...(view.server ? { serverVersion: view.server } : {}) };
        if (output === 'json') env.ctx.stdout(JSON.stringify(data, null, 4) + '\n');
        else if (output === 'yaml') env.ctx.stdout(toYaml(data));
        else env.ctx.stdout(versionText(view));
      });
    });
}
