// Runs one shoalctl invocation and returns its exit status: 0 ok, 1 failed, 2 usage. Every
// error prints as its line(s) on stderr; nothing prints a stack trace.
import { CommanderError } from 'commander';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { EXIT, toCliError } from './errors.js';
import { buildProgram } from './program.js';

function configure(command: Command, ctx: CliContext): void {
  command.exitOverride();
  command.configureOutput({
    writeOut: (s) => ctx.stdout(s),
    writeErr: (s) => ctx.stderr(s),
    outputError: (s, write) => write(s),
  });
  for (const sub of command.commands) configure(sub, ctx);
}

/** argv without node and the script: ["get", "pods"]. */
export async function runShoalctl(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  configure(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its one line ("error: unknown option '--x'") or the help.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      // `shoalctl help` asked for help (0); `shoalctl` alone is missing its command (usage).
      if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return EXIT.usage;
    }
    const cliError = toCliError(err);
    for (const line of cliError.lines()) ctx.stderr(line + '\n');
    return cliError.exitCode;
  }
}
