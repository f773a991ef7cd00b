// shoalctl completion bash|zsh: prints a completion script for the whole command tree.
import { Command } from 'commander';
import type { CommandEnv } from '../command-env.js';
import { bashCompletion, completionTree, zshCompletion } from '../completion.js';
import { UsageError } from '../errors.js';

export function completionCommand(env: CommandEnv): Command {
  return new Command('completion')
    .description('Print a shell completion script: source <(shoalctl completion bash)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string, _flags: unknown, command: Command) => {
      const root = command.parent;
      if (!root) throw new UsageError('completion must run from the shoalctl command');
      const tree = completionTree(root);
      const resources = env.ctx.knownResourceNames();
      if (shell === 'bash') env.ctx.stdout(bashCompletion(tree, resources));
      else if (shell === 'zsh') env.ctx.stdout(zshCompletion(tree, resources));
      else throw new UsageError(`unsupported shell "${shell}": use bash or zsh`);
    });
}
