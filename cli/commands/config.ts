// shoalctl config view | use-namespace <ns> | set-servers <host:port,...>: the ~/.shoal/config file
// (or --config / $SHOAL_CONFIG), read and written through client/'s config module.
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { UsageError } from '../errors.js';
import { toYaml } from '../output/printers.js';
import type { CliConfig } from '../context.js';

const SECRET_FIELDS = ['token'];

/** The config as `config view` prints it; inline secrets are REDACTED unless raw. */
export function configViewData(config: CliConfig, raw: boolean): Record<string, unknown> {
  const credentials = Object.fromEntries(Object.entries(config.credentials).map(([k, v]) => [k, !raw && SECRET_FIELDS.includes(k) ? 'REDACTED' : v]));
  return { servers: [...config.servers], namespace: config.namespace, ...(Object.keys(credentials).length > 0 ? { credentials } : {}) };
}

export function configCommand(env: CommandEnv): Command {
  const config = new Command('config').description('View or change the shoalctl config file (~/.shoal/config)');
  config
    .command('view')
    .description('Print the config (secrets redacted unless --raw)')
    .option('--raw', 'print secrets too')
    .action(async (flags: { raw?: boolean }, command: Command) => {
      await env.run(command, async (session) => {
        const { config: loaded } = await session.config();
        const data = configViewData(loaded, flags.raw === true);
        env.ctx.stdout(session.flags.output === 'json' ? JSON.stringify(data, null, 4) + '\n' : toYaml(data));
      });
    });
  config
    .command('use-namespace')
    .description('Set the namespace commands use when -n is not given')
    .argument('<namespace>')
    .action(async (namespace: string, _flags: unknown, command: Command) => {
      await env.run(command, async (session) => {
        const { config: loaded } = await session.config();
        const path = await env.ctx.config.save(session.flags.config, { ...loaded, namespace });
        env.ctx.stdout(`Namespace set to "${namespace}" in ${path}.\n`);
      });
    });
  config
    .command('set-servers')
    .description('Set the API servers (host:port, tried in order for failover)')
    .argument('<servers...>', 'host:port, comma separated or as several arguments')
    .action(async (args: string[], _flags: unknown, command: Command) => {
      const servers = args.flatMap((a) => a.split(',')).map((s) => s.trim()).filter((s) => s !== '');
      if (servers.length === 0) throw new UsageError('give at least one API server as host:port');
      await env.run(command, async (session) => {
        const { config: loaded } = await session.config();
        const path = await env.ctx.config.save(session.flags.config, { ...loaded, servers });
        env.ctx.stdout(`Servers set to ${servers.join(', ')} in ${path}.\n`);
      });
    });
  return config;
}
