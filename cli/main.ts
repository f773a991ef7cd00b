// shoalctl's process edge: the real context over this process's stdio and environment; runs
// the command and exits with its status. Ctrl-C ends watches cleanly (exit 0).
import '../client/quiet-ip-servername-warning.js';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { realContext } from './real-context.js';
import { runShoalctl } from './run.js';

// `shoalctl get pods | head -1` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort());

const ctx = realContext({
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readStdin: () => readFileSync(0, 'utf8'),
  env: process.env,
  homeDir: homedir(),
  interrupted: interrupt.signal,
  stdio: { stdin: process.stdin, stdout: process.stdout },
});

const code = await runShoalctl(process.argv.slice(2), ctx);
// Let stdout drain (a pipe may be slow) before exiting; grpc channels are already closed.
process.stdout.write('', () => process.exit(code));
