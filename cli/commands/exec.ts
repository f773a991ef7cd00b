// shoalctl exec [-i] [-t] <pod> [-c container] -- command args...: runs the command in the pod's
// container through the node's tunnel. The remote exit code becomes shoalctl's; -i streams stdin;
// -t asks for a TTY and puts a terminal stdin in raw mode (restored on the way out).
import { Command } from 'commander';
import type { PodExecOptions } from '../../client/index.js';
import { byteSink, podName } from '../byte-output.js';
import type { CommandEnv } from '../command-env.js';
import type { CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';

/** The remote command failed with this code: shoalctl exits with it and prints nothing more. */
export class RemoteExitError extends CliError {
  constructor(readonly remoteCode: number) {
    // An exit status is 0-255; a code Docker could not tell (-1) is a plain failure.
    super('REMOTE_EXIT', `command terminated with exit code ${remoteCode}`, { exitCode: remoteCode > 0 && remoteCode < 256 ? remoteCode : 1 });
    this.name = 'RemoteExitError';
  }
  override lines(): string[] {
    return [];
  }
}

async function* textStdin(ctx: CliContext): AsyncIterable<Uint8Array> {
  const text = ctx.readStdin();
  if (text !== '') yield Buffer.from(text);
}

export function execCommand(env: CommandEnv): Command {
  return new Command('exec')
    .description('Run a command in a container of a pod: shoalctl exec [-i] [-t] <pod> [-c container] -- command [args...]')
    .argument('<pod>', 'pod name (or pod/name)')
    .argument('[command...]', 'the command and its arguments (after --)')
    .option('-c, --container <name>', 'the container (required when the pod has several)')
    .option('-i, --stdin', "pass shoalctl's stdin to the command")
    .option('-t, --tty', 'allocate a TTY for the command (raw mode when stdin is a terminal)')
    .action(async (pod: string, commandArgs: string[], flags: { container?: string; stdin?: boolean; tty?: boolean }, command: Command) => {
      if (commandArgs.length === 0) throw new UsageError('you must specify at least one command for the container: shoalctl exec <pod> -- <command> [args...]');
      const ctx = env.ctx;
      const stdio = ctx.stdio;
      let tty = flags.tty === true;
      const terminalIn = stdio?.stdin.isTTY === true && typeof stdio.stdin.setRawMode === 'function';
      if (tty && flags.stdin === true && !terminalIn) {
        ctx.stderr('Unable to use a TTY - input is not a terminal or the right kind of file\n');
        tty = false;
      }
      await env.run(command, async (session) => {
        const api = await session.api();
        const out = stdio?.stdout;
        const options: PodExecOptions = {
          namespace: await session.namespace(),
          name: podName(pod),
          container: flags.container ?? '',
          command: commandArgs,
          tty,
          ...(tty && out?.columns && out.rows ? { size: { cols: out.columns, rows: out.rows } } : {}),
          ...(flags.stdin === true ? { stdin: stdio !== undefined ? (stdio.stdin as AsyncIterable<Uint8Array>) : textStdin(ctx) } : {}),
          onResizer: (resize) => {
            if (tty && out?.columns) out.on('resize', () => resize({ cols: out.columns ?? 80, rows: out.rows ?? 24 }));
          },
          signal: ctx.interrupted,
        };
        const raw = tty && flags.stdin === true && terminalIn;
        if (raw) stdio!.stdin.setRawMode!(true);
        let code: number;
        try {
          code = await api.podExec(options, byteSink(ctx, 'stdout'), byteSink(ctx, 'stderr'));
        } finally {
          if (raw) stdio!.stdin.setRawMode!(false);
        }
        if (code !== 0) throw new RemoteExitError(code);
      });
    });
}
