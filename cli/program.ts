// shoalctl's command tree. Global flags live on the root and apply to every command (commander
// reads them before or after the subcommand). Later issues add rollout, logs, exec, top,
// cordon, drain, token, auth and certs as one more file in commands/ and one line here.
import { Command } from 'commander';
import { commandEnv } from './command-env.js';
import type { CliContext } from './context.js';
import { annotateCommand } from './commands/annotate.js';
import { authCommand } from './commands/auth.js';
import { apiResourcesCommand } from './commands/api-resources.js';
import { certificateCommand } from './commands/certificate.js';
import { certsCommand } from './commands/certs.js';
import { applyCommand } from './commands/apply.js';
import { completionCommand } from './commands/completion.js';
import { configCommand } from './commands/config.js';
import { cordonCommand, uncordonCommand } from './commands/cordon.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { describeCommand } from './commands/describe.js';
import { drainCommand } from './commands/drain.js';
import { execCommand } from './commands/exec.js';
import { getCommand } from './commands/get.js';
import { imageCommand } from './commands/image.js';
import { labelCommand } from './commands/label.js';
import { logsCommand } from './commands/logs.js';
import { topCommand } from './commands/top.js';
import { membersCommand } from './commands/members.js';
import { rolloutCommand } from './commands/rollout.js';
import { scaleCommand } from './commands/scale.js';
import { tokenCommand } from './commands/token.js';
import { versionCommand } from './commands/version.js';

export function buildProgram(ctx: CliContext): Command {
  const env = commandEnv(ctx);
  const program = new Command('shoalctl')
    .description("shoalctl controls a Shoal cluster through its API servers (config: ~/.shoal/config)")
    .option('--config <path>', 'config file (default $SHOAL_CONFIG or ~/.shoal/config)')
    .option('-s, --server <host:port,...>', "API servers to use instead of the config's (comma separated)")
    .option('-n, --namespace <namespace>', "namespace (default: the config's current namespace)")
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-o, --output <format>', 'output format: wide|yaml|json|name (per command)')
    .option('--request-timeout <duration>', 'deadline of each API call (30s, 1m, 500ms; 0 = default)')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });
  for (const make of [
    getCommand,
    describeCommand,
    applyCommand,
    createCommand,
    deleteCommand,
    scaleCommand,
    labelCommand,
    annotateCommand,
    rolloutCommand,
    cordonCommand,
    uncordonCommand,
    drainCommand,
    logsCommand,
    execCommand,
    imageCommand,
    topCommand,
    membersCommand,
    tokenCommand,
    certificateCommand,
    certsCommand,
    versionCommand,
    apiResourcesCommand,
    configCommand,
    authCommand,
    completionCommand,
  ]) {
    program.addCommand(make(env));
  }
  return program;
}
