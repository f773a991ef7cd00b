// shoalctl's process edge: builds the real context (stdio, clock, ~/.shoal/config, client/),
// runs the command and exits with its status. Ctrl-C ends watches cleanly (exit 0).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { clientConfigStore, connectClient } from './client-api.js';
import { readClientVersion } from './client-version.js';
import type { CliContext } from './context.js';
import { runShoalctl } from './run.js';
import { columnsFor, knownResourceNames } from './kinds.js';

function write(stream: NodeJS.WriteStream): (text: string) => void {
  return (text) => {
    stream.write(text);
  };
}

const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());

const ctx: CliContext = {
  stdout: write(process.stdout),
  stderr: write(process.stderr),
  readStdin: () => readFileSync(0, 'utf8'),
  now: () => new Date(),
  config: clientConfigStore(process.env, homedir()),
  connect: connectClient,
  interrupted: interrupt.signal,
  clientVersion: () => readClientVersion(process.env),
  columnsFor,
  knownResourceNames,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const code = await runShoalctl(process.argv.slice(2), ctx);
// Let stdout drain (a pipe may be slow) before exiting; grpc channels are already closed.
process.stdout.write('', () => process.exit(code));
