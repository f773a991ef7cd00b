// What every command file gets: the context and a way to run its action inside a Session
// (global flags resolved, connection closed afterwards).
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { toCliError } from './errors.js';
import { Session } from './session.js';
import type { GlobalFlags } from './session.js';

export interface CommandEnv {
  readonly ctx: CliContext;
  /** Runs body with a Session built from the command's global flags; always closes it. */
  run(command: Command, body: (session: Session) => Promise<void>): Promise<void>;
  /** Prints a failure of one item (its error lines) so the command can go on with the next. */
  report(err: unknown, subject?: { kind?: string; name?: string }): void;
}

export function commandEnv(ctx: CliContext): CommandEnv {
  return {
    ctx,
    async run(command, body) {
      const session = new Session(ctx, command.optsWithGlobals<GlobalFlags>());
      try {
        await body(session);
      } finally {
        await session.close();
      }
    },
    report(err, subject = {}) {
      for (const line of toCliError(err, subject).lines()) ctx.stderr(line + '\n');
    },
  };
}
